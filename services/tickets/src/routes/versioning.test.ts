import { ValidationError } from '@helpdesk/kit';
import { type Context, Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { etagOf, ifMatchVersion, notModified, setEtag } from './versioning.ts';

/** Runs `fn` on the Context of a real request carrying `headers`. */
async function withRequest<T>(
  headers: Record<string, string>,
  fn: (c: Context) => T,
): Promise<{ value?: T; error?: unknown; response: Response }> {
  const out: { value?: T; error?: unknown } = {};
  const app = new Hono().get('/', (c) => {
    try {
      out.value = fn(c);
    } catch (error) {
      out.error = error;
    }
    return c.body(null, 204);
  });
  const response = await app.request('/', { headers });
  return { ...out, response };
}

describe('If-Match', () => {
  it.each([
    ['"7"', 7],
    ['W/"7"', 7],
    ['7', 7],
    ['  "12" ', 12],
    ['"0"', 0],
  ])('when If-Match is %j, then the write is meant for version %i', async (header, version) => {
    expect((await withRequest({ 'if-match': header }, ifMatchVersion)).value).toBe(version);
  });

  it('when If-Match is absent or *, then the write is not pinned to a version', async () => {
    expect((await withRequest({}, ifMatchVersion)).value).toBeUndefined();
    expect((await withRequest({ 'if-match': '*' }, ifMatchVersion)).value).toBeUndefined();
  });

  it.each(['"abc"', '"7", "8"', '-1', '"1.5"', '""', '"1234567890123456"'])(
    'when If-Match is %j, then it is a validation error on If-Match',
    async (header) => {
      const { error } = await withRequest({ 'if-match': header }, ifMatchVersion);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fields.map((f) => f.path)).toEqual(['If-Match']);
    },
  );
});

describe('ETag and If-None-Match', () => {
  it('when a ticket at version 3 is answered, then its ETag is "3"', async () => {
    const { response } = await withRequest({}, (c) => setEtag(c, 3));
    expect(response.headers.get('etag')).toBe('"3"');
    expect(etagOf(3)).toBe('"3"');
  });

  it.each([
    ['"3"', true],
    ['W/"3"', true],
    ['"1", "3"', true],
    ['"2"', false],
    ['3', false],
    ['"33"', false],
    ['*', true],
  ])(
    'when If-None-Match is %j and the ticket is at version 3, then not modified is %s',
    async (header, expected) => {
      expect((await withRequest({ 'if-none-match': header }, (c) => notModified(c, 3))).value).toBe(expected);
    },
  );

  it('when If-None-Match is absent, then the ticket is sent', async () => {
    expect((await withRequest({}, (c) => notModified(c, 3))).value).toBe(false);
  });
});
