import { createHash, randomUUID } from 'node:crypto';
import { isDuplicateKeyError } from '@helpdesk/messaging';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import type { Collection, Connection } from 'mongoose';
import type { AppEnv } from './app.ts';
import type { Principal } from './auth/principal.ts';
import { AppError, ValidationError } from './errors.ts';
import type { Logger } from './logger.ts';

export const IDEMPOTENCY_KEYS_COLLECTION = 'idempotency_keys';
const DEFAULT_TTL_MS = 24 * 3600 * 1000;
const DEFAULT_LOCK_MS = 30_000;
const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['content-type', 'etag', 'location'] as const;
const MAX_CLAIM_ATTEMPTS = 5;

/**
 * Answers that say "not now" rather than "this is what your request did": a conflict with the
 * current state (409), a stale If-Match (412), a lock or a rate limit (423, 429), an expired
 * token (401), a timeout (408, 425). The same request may well succeed later, so they are not
 * kept: the key is released and a retry runs again. Every other 4xx is the answer to the request
 * as sent (a bad field, a forbidden action) and is replayed like a 2xx, as Stripe does, even if a
 * later change (an admin re-activating a category) would now let it pass; the client sends a new
 * key for a new attempt. 5xx and thrown errors release the key too.
 */
const NOT_FINAL = new Set([401, 408, 409, 412, 423, 425, 429]);

export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** One key of one caller on one endpoint: a claim while `pending`, the first answer once `done`. */
export interface IdempotencyRecord {
  /** sha256 of org, sub, method, path and key: bounded in size whatever the key and path. */
  _id: string;
  org: string;
  sub: string;
  method: string;
  path: string;
  key: string;
  /** Absent while a streamed (multipart) body is still being read: known once the handler read it. */
  fingerprint?: string;
  state: 'pending' | 'done';
  owner?: string;
  /** A pending claim whose lock passed belongs to a holder that died; it may be taken over. */
  lockedUntil?: Date;
  response?: StoredResponse;
  createdAt: Date;
  /** TTL index; also checked on read, as the MongoDB stand-in never expires anything. */
  expiresAt: Date;
}

type Records = Collection<IdempotencyRecord>;

/**
 * `Idempotency-Key` on POST (draft-ietf-httpapi-idempotency-key-header, Stripe's semantics).
 * Mount it after `requireAuth`: the key belongs to the caller (org and user) and the endpoint.
 * The first request claims the key with an insert, whose unique `_id` decides between concurrent
 * copies, runs, and stores its answer; a repeat with the same body gets that answer again with
 * `Idempotent-Replayed: true`, one with another body 422, one while the first still runs 409.
 *
 * A JSON (or other small) body is read here, fingerprinted, and handed on unchanged. A multipart
 * body is an upload and is never held in memory: it is hashed as the handler streams it, so its
 * fingerprint is known only once the handler has read it to the end. Hence, for multipart only:
 * a repeat while the first still runs gets 409 whatever its body; a repeat after it is read (not
 * kept) just to compare it with the stored answer; and an answer given before the body was read
 * to its end (a refusal on the headers or the first bytes) is not kept, so a retry runs again
 * (a refusal changed nothing, so that is safe). A handler must read a multipart body whole before
 * it answers with success, or its answer is not kept either.
 */
export function idempotencyKeys(opts: {
  conn: Connection;
  logger: Logger;
  ttlMs?: number;
  /** How long a claim holds without renewal; renewed while the handler runs. */
  lockMs?: number;
  /**
   * A non-multipart body is held in memory to be fingerprinted; larger requests with a key get
   * 413. A multipart body is streamed; at most this much of it is read to compare it with a stored
   * answer.
   */
  maxBodyBytes?: number;
}): MiddlewareHandler<AppEnv> {
  const ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
  const lockMs = opts.lockMs ?? DEFAULT_LOCK_MS;
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const records: Records = opts.conn.collection<IdempotencyRecord>(IDEMPOTENCY_KEYS_COLLECTION);
  let indexes: Promise<unknown> | null = null;
  const ensureIndexes = () => {
    indexes ??= records
      .createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiry' })
      .catch((err: unknown) => {
        indexes = null;
        throw err;
      });
    return indexes;
  };

  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationError(
        [{ path: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }],
        'Idempotency-Key: must be 1 to 255 printable ASCII characters.',
      );
    }
    const principal = c.get('principal') as Principal | undefined;
    if (!principal) throw new Error('idempotencyKeys() must be mounted after requireAuth()');
    const log = c.get('log') ?? opts.logger;
    // Both slash forms reach the same handler, so they share the key.
    const scope = {
      org: principal.org,
      sub: principal.sub,
      method: 'POST',
      path: c.req.path.replace(/\/+$/, '') || '/',
      key,
    };
    const id = sha256(JSON.stringify([scope.org, scope.sub, scope.method, scope.path, key]));
    const hasher = requestHasher(c);
    // An upload is hashed as the handler streams it, anything else read and hashed right here.
    let body: HashedBody;
    if (isMultipart(c) && !c.req.raw.bodyUsed) body = hashWhileRead(c, hasher);
    else {
      hasher.update(await readBody(c, maxBodyBytes));
      body = { digest: hasher.digest() };
    }
    await ensureIndexes();

    const owner = randomUUID();
    const claimed = await claim(records, {
      id,
      scope,
      fingerprint: body.digest,
      // Only to compare with a stored answer, when the handler will not run.
      wholeBody: async () => body.digest ?? (await drain(c, maxBodyBytes, body)),
      owner,
      ttlMs,
      lockMs,
      log,
    });
    if (claimed !== 'claimed') return replay(c, claimed);

    const renewal = setInterval(() => {
      records
        .updateOne({ _id: id, owner, state: 'pending' }, { $set: { lockedUntil: at(lockMs) } })
        .catch((err: unknown) => log.warn({ err }, 'could not renew the Idempotency-Key lock'));
    }, lockMs / 3);
    renewal.unref();
    try {
      await next();
    } catch (err) {
      clearInterval(renewal);
      await release(records, id, owner, log);
      throw err;
    }
    clearInterval(renewal);
    const status = c.res.status;
    const fingerprint = body.digest;
    if (status >= 500 || NOT_FINAL.has(status) || fingerprint === null) {
      if (fingerprint === null && status < 400) {
        log.warn('a multipart request with an Idempotency-Key succeeded without reading its body; not kept');
      }
      await release(records, id, owner, log);
      return;
    }
    try {
      const done = await records.updateOne(
        { _id: id, owner },
        {
          $set: { state: 'done', fingerprint, response: await snapshot(c.res), expiresAt: at(ttlMs) },
          $unset: { owner: '', lockedUntil: '' },
        },
      );
      if (done.matchedCount === 0) {
        log.warn(
          'the Idempotency-Key claim was taken over while the handler ran; its effect may have run twice',
        );
      }
    } catch (err) {
      // The effect happened: answer it. A retry after the lock lapses would run it again.
      log.error({ err }, 'could not store the answer of an Idempotency-Key request');
    }
  };
}

type ClaimResult = 'claimed' | StoredResponse;

async function claim(
  records: Records,
  o: {
    id: string;
    scope: Pick<IdempotencyRecord, 'org' | 'sub' | 'method' | 'path' | 'key'>;
    /** Null while a streamed body has not been read. */
    fingerprint: string | null;
    /** The fingerprint, reading the body to its end if need be. */
    wholeBody: () => Promise<string>;
    owner: string;
    ttlMs: number;
    lockMs: number;
    log: Logger;
  },
): Promise<ClaimResult> {
  for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
    const now = new Date();
    const fresh = {
      ...o.scope,
      ...(o.fingerprint === null ? {} : { fingerprint: o.fingerprint }),
      state: 'pending' as const,
      owner: o.owner,
      lockedUntil: at(o.lockMs, now),
      createdAt: now,
      expiresAt: at(o.ttlMs, now),
    };
    try {
      await records.insertOne({ _id: o.id, ...fresh });
      return 'claimed';
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const existing = await records.findOne({ _id: o.id });
    // Released between the insert and the read: try again.
    if (!existing) continue;
    if (existing.expiresAt <= now) {
      // Expired but not yet swept (or never, on the stand-in): as good as absent.
      const taken = await records.replaceOne({ _id: o.id, expiresAt: { $lte: now } }, fresh);
      if (taken.matchedCount === 1) return 'claimed';
      continue;
    }
    if (existing.state === 'done' && existing.response) {
      if (existing.fingerprint !== (await o.wholeBody())) throw reused();
      return existing.response;
    }
    // A claim still running: told apart at once when both bodies are known (not so for uploads).
    const both = o.fingerprint !== null && existing.fingerprint !== undefined;
    if (both && existing.fingerprint !== o.fingerprint) throw reused();
    if (existing.lockedUntil && existing.lockedUntil > now) throw inProgress();
    // The holder stopped renewing its lock (crashed): of several waiting copies, one takes over.
    const taken = await records.updateOne(
      { _id: o.id, state: 'pending', owner: existing.owner, lockedUntil: { $lte: now } },
      { $set: { owner: o.owner, lockedUntil: at(o.lockMs, now) } },
    );
    if (taken.matchedCount === 1) {
      o.log.warn('took over an Idempotency-Key whose holder stopped; its effect may repeat');
      return 'claimed';
    }
  }
  throw inProgress();
}

const reused = () =>
  new AppError(
    'IDEMPOTENCY_KEY_REUSED',
    422,
    'This Idempotency-Key was sent before with a different request; use a new key for a new request.',
  );

const inProgress = () =>
  new AppError(
    'IDEMPOTENCY_KEY_IN_PROGRESS',
    409,
    'A request with this Idempotency-Key is still being handled; retry shortly.',
    { headers: { 'retry-after': '1' } },
  );

async function release(records: Records, id: string, owner: string, log: Logger): Promise<void> {
  try {
    await records.deleteOne({ _id: id, owner });
  } catch (err) {
    // The lock lapses by itself; a retry takes the key over then.
    log.warn({ err }, 'could not release an Idempotency-Key claim');
  }
}

function replay(c: Context, r: StoredResponse): Response {
  c.header('idempotent-replayed', 'true');
  // 204 and friends have no body at all.
  if (r.body === '') return c.body(null, r.status as StatusCode, r.headers);
  return c.body(r.body, r.status as ContentfulStatusCode, r.headers);
}

async function snapshot(res: Response): Promise<StoredResponse> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: res.status, body: await res.clone().text(), headers };
}

/**
 * The body, at most `max` bytes, put back as a fresh request body: handlers that parse it through
 * Hono and those that stream `c.req.raw.body` (multipart uploads) both read it as sent.
 */
async function readBody(c: Context, max: number): Promise<Buffer> {
  const tooLarge = () =>
    new HTTPException(413, { message: `A request with an Idempotency-Key may have at most ${max} bytes.` });
  if (Number(c.req.header('content-length')) > max) throw tooLarge();
  // Read already (and cached by Hono) by an earlier middleware.
  if (c.req.raw.bodyUsed) return Buffer.from(await c.req.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of c.req.raw.body ?? []) {
    size += chunk.byteLength;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  if (c.req.raw.body) c.req.raw = new Request(c.req.raw, { body });
  return body;
}

interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): string;
}

/** The body's fingerprint; null until a streamed body has been read to its end. */
interface HashedBody {
  digest: string | null;
}

const isMultipart = (c: Context) => /^multipart\//i.test(c.req.header('content-type') ?? '');

/**
 * sha256 of the query and the body, fed chunk by chunk. A client retrying a multipart upload
 * usually draws a new boundary, so the boundary is left out: the parts identify the request, not
 * their separator. A boundary split across two chunks is found too: the last bytes of a chunk wait
 * for the next one.
 */
function requestHasher(c: Context): Hasher {
  const hash = createHash('sha256').update(new URL(c.req.url).search).update('\n');
  const boundary = /^multipart\/[^;]*;.*\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(
    c.req.header('content-type') ?? '',
  );
  const separator = boundary?.[1] ?? boundary?.[2];
  if (!separator) return { update: (chunk) => void hash.update(chunk), digest: () => hash.digest('hex') };
  const marker = Buffer.from(`--${separator}`);
  let carry = Buffer.alloc(0);
  return {
    update(chunk) {
      const buf = Buffer.concat([carry, chunk]);
      let from = 0;
      for (let found = buf.indexOf(marker, from); found !== -1; found = buf.indexOf(marker, from)) {
        hash.update(buf.subarray(from, found)).update('--boundary');
        from = found + marker.length;
      }
      const keep = Math.max(from, buf.length - (marker.length - 1));
      hash.update(buf.subarray(from, keep));
      carry = buf.subarray(keep);
    },
    digest: () => hash.update(carry).digest('hex'),
  };
}

/**
 * Hands the body on through `hasher` without holding it: `digest` is set once whoever reads the
 * body has read it to its end, and stays null if they stop before.
 */
function hashWhileRead(c: Context, hasher: Hasher): HashedBody {
  const state: HashedBody = { digest: null };
  const source = c.req.raw.body;
  if (!source) {
    state.digest = hasher.digest();
    return state;
  }
  const hashed = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        hasher.update(chunk);
        out.enqueue(chunk);
      },
      flush() {
        state.digest = hasher.digest();
      },
    }),
  );
  c.req.raw = new Request(c.req.raw, { body: hashed, duplex: 'half' } as RequestInit);
  return state;
}

/** Reads a streamed body to its end, at most `max` bytes, keeping nothing: for its fingerprint. */
async function drain(c: Context, max: number, streamed: HashedBody): Promise<string> {
  let size = 0;
  for await (const chunk of c.req.raw.body ?? []) {
    size += chunk.byteLength;
    if (size > max) {
      throw new HTTPException(413, {
        message: `A request with an Idempotency-Key may have at most ${max} bytes.`,
      });
    }
  }
  if (streamed.digest === null) throw new Error('idempotency: the body ended without its fingerprint');
  return streamed.digest;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const at = (ms: number, from = new Date()) => new Date(from.getTime() + ms);
