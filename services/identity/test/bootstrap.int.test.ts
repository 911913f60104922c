import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EventCollector } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  collectIdentityEvents,
  type Identity,
  signUp,
  startIdentity,
  startReplica,
} from './harness.ts';

const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const scripts = JSON.parse(readFileSync(`${serviceDir}/package.json`, 'utf8')).scripts as Record<
  string,
  string
>;

/** Runs a package script's command as `pnpm <script>` would, with stdin and env of our choosing. */
function runScript(script: string, args: string[], env: Record<string, string>, stdin?: string) {
  const [bin, file] = (scripts[script] ?? '').split(' ');
  expect(bin).toBe('node');
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [file ?? '', ...args],
      { cwd: serviceDir, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? ((err.code as number) ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

let id: Identity;
let events: EventCollector;
const bootstrap = {
  BOOTSTRAP_ADMIN_USERNAME: `boot${Date.now()}`,
  BOOTSTRAP_ADMIN_EMAIL: `boot${Date.now()}@example.com`,
  BOOTSTRAP_ADMIN_PASSWORD: 'bootstrap password',
};

beforeAll(async () => {
  events = await collectIdentityEvents();
  id = await startIdentity(bootstrap);
});
afterAll(async () => {
  await events?.close();
  await id?.close();
});

describe('bootstrap admin', () => {
  it('when the service starts with the bootstrap variables, then that admin exists and can log in', async () => {
    const res = await client(id).post('/api/auth/login/', {
      username: bootstrap.BOOTSTRAP_ADMIN_USERNAME,
      password: bootstrap.BOOTSTRAP_ADMIN_PASSWORD,
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ role: 'admin', org_id: 'default', is_active: true });
  });

  it('when more replicas start, even at once, then the admin is created only once', async () => {
    const replicas = await Promise.all([startReplica(id), startReplica(id)]);
    await Promise.all(replicas.map((r) => r.close()));
    const users = id.store.conn.collection('users');
    expect(await users.countDocuments({ usernameKey: bootstrap.BOOTSTRAP_ADMIN_USERNAME })).toBe(1);

    const admin = await id.store.users.findRecord({ login: bootstrap.BOOTSTRAP_ADMIN_USERNAME });
    await events.waitFor((e) => e.routingKey === 'user.registered' && e.body.aggregateId === admin?.id);
    await id.relay.drained();
    expect(events.events.filter((e) => e.body.aggregateId === admin?.id)).toHaveLength(1);
    expect(admin?.version).toBe(1);
  });

  it('when a customer registered the bootstrap username first, then start-up fails and no admin appears', async () => {
    const username = `squat${Date.now()}`;
    const reg = await client(id).post('/api/auth/register/', {
      username,
      email: `${username}@example.com`,
      password: 'customer password',
    });
    expect(reg.status).toBe(201);

    await expect(
      startIdentity({
        MONGO_URL: id.config.MONGO_URL,
        BOOTSTRAP_ADMIN_USERNAME: username,
        BOOTSTRAP_ADMIN_EMAIL: `real-${username}@example.com`,
        BOOTSTRAP_ADMIN_PASSWORD: 'bootstrap password',
      }),
    ).rejects.toMatchObject({
      code: 'BOOTSTRAP_ADMIN_CONFLICT',
      message: expect.stringContaining(`"${username}" belongs to an account that is not an active admin`),
    });
    expect(await id.store.users.findRecord({ login: username })).toMatchObject({
      role: 'user',
      id: reg.body.id,
    });
    expect(await id.store.users.findRecord({ login: `real-${username}@example.com` })).toBeNull();
  });

  it('when the bootstrap org is not default, then it is created with the admin in it', async () => {
    const other = await startIdentity({
      BOOTSTRAP_ADMIN_USERNAME: 'orgboot',
      BOOTSTRAP_ADMIN_EMAIL: 'orgboot@example.com',
      BOOTSTRAP_ADMIN_PASSWORD: 'bootstrap password',
      BOOTSTRAP_ADMIN_ORG: 'Umbrella Corp',
    });
    try {
      const admin = await other.store.users.findRecord({ login: 'orgboot' });
      expect(admin).toMatchObject({ role: 'admin', orgId: 'umbrella-corp' });
      expect(await other.store.orgs.exists('umbrella-corp')).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe('create-admin command', () => {
  it('when given a password on stdin, then it creates an admin and the running service publishes the event', async () => {
    const username = `cli${Date.now()}`;
    const out = await runScript(
      'create-admin',
      ['--username', username, '--email', `${username}@example.com`, '--org', 'default', '--password-stdin'],
      { MONGO_URL: id.config.MONGO_URL },
      'stdin password 42\n',
    );
    expect(out).toMatchObject({ code: 0 });
    expect(out.stdout).toContain(`created admin ${username}`);
    expect(out.stdout + out.stderr).not.toContain('stdin password 42');

    const login = await client(id).post('/api/auth/login/', { username, password: 'stdin password 42' });
    expect(login.body.user).toMatchObject({ role: 'admin', org_id: 'default' });
    const created = await events.waitFor(
      (e) => e.routingKey === 'user.registered' && e.body.aggregateId === login.body.user.id,
    );
    expect(created.body.actor).toEqual({ type: 'system', id: 'create-admin' });
  });

  it('when the password comes from ADMIN_PASSWORD, then that works too; the same username again fails', async () => {
    const username = `env${Date.now()}`;
    const args = ['--username', username, '--email', `${username}@example.com`];
    const env = { MONGO_URL: id.config.MONGO_URL, ADMIN_PASSWORD: 'env password 42' };
    expect((await runScript('create-admin', args, env)).code).toBe(0);
    const again = await runScript('create-admin', args, env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already taken');
    expect(await id.store.conn.collection('users').countDocuments({ usernameKey: username })).toBe(1);
  });

  it('when --if-missing is given and that admin exists, then it succeeds and creates no one (a bootstrap job run again)', async () => {
    const username = `job${Date.now()}`;
    const args = ['--username', username, '--email', `${username}@example.com`, '--if-missing'];
    const env = { MONGO_URL: id.config.MONGO_URL, ADMIN_PASSWORD: 'job password 42' };
    const first = await runScript('create-admin', args, env);
    expect([first.code, first.stdout]).toEqual([0, expect.stringContaining(`created admin ${username}`)]);
    const again = await runScript('create-admin', args, env);
    expect([again.code, again.stdout]).toEqual([
      0,
      expect.stringContaining(`kept the existing admin ${username}`),
    ]);
    expect(await id.store.conn.collection('users').countDocuments({ usernameKey: username })).toBe(1);
  });

  it('when the password or a flag is missing or weak, then it fails without creating anyone', async () => {
    const env = { MONGO_URL: id.config.MONGO_URL };
    const noPassword = await runScript(
      'create-admin',
      ['--username', 'nopw', '--email', 'nopw@example.com'],
      env,
    );
    expect([noPassword.code, noPassword.stderr]).toEqual([1, expect.stringContaining('password')]);
    const noEmail = await runScript(
      'create-admin',
      ['--username', 'nomail', '--password-stdin'],
      env,
      'whatever pw',
    );
    expect(noEmail.code).toBe(1);
    const weak = await runScript(
      'create-admin',
      ['--username', 'weak', '--email', 'weak@example.com', '--password-stdin'],
      env,
      '1234',
    );
    expect([weak.code, weak.stderr]).toEqual([1, expect.stringContaining('password')]);
    for (const name of ['nopw', 'nomail', 'weak'])
      expect(await id.store.users.findRecord({ login: name })).toBeNull();
  });
});

describe('rotate-signing-key command', () => {
  it('when run, then a new key signs after the next reload and the old one stays published', async () => {
    const before = (await id.store.signingKeys.list()).map((k) => k.kid);
    const out = await runScript('rotate-signing-key', [], { MONGO_URL: id.config.MONGO_URL });
    expect(out.code).toBe(0);
    const kid = /new signing key (\S+)/.exec(out.stdout)?.[1];
    expect(kid).toBeDefined();
    await id.keys.load();
    expect(id.keys.signer().kid).toBe(kid);
    const published = (await client(id).get('/.well-known/jwks.json')).body.keys.map(
      (k: { kid: string }) => k.kid,
    );
    expect(published).toEqual(expect.arrayContaining([...before, kid]));
  });

  it('when run with --compromised, then the old keys leave the JWKS at once and tokens they signed are refused', async () => {
    const u = await signUp(client(id));
    const before = (await id.store.signingKeys.list()).map((k) => k.kid);
    expect(before.length).toBeGreaterThan(0);

    const out = await runScript('rotate-signing-key', ['--compromised'], { MONGO_URL: id.config.MONGO_URL });
    expect(out.code).toBe(0);
    const kid = /new signing key (\S+)/.exec(out.stdout)?.[1];
    expect(out.stdout).toContain(`removed keys: ${before.join(' ')}`);
    await id.keys.load();

    const published = (await client(id).get('/.well-known/jwks.json')).body.keys.map(
      (k: { kid: string }) => k.kid,
    );
    expect(published).toEqual([kid]);
    const old = await client(id).get('/api/auth/profile/', u.access);
    expect([old.status, old.body.code]).toEqual([401, 'AUTH_TOKEN_INVALID']);
    // The refresh token is not a JWT: the session goes on with a token from the new key.
    const refreshed = await client(id).post('/api/auth/refresh/', { refresh: u.refresh });
    expect(refreshed.status).toBe(200);
    expect((await client(id).get('/api/auth/profile/', refreshed.body.access)).status).toBe(200);
  });

  it('when given an unknown flag, then it fails without rotating', async () => {
    const before = (await id.store.signingKeys.list()).map((k) => k.kid);
    const out = await runScript('rotate-signing-key', ['--compromise'], { MONGO_URL: id.config.MONGO_URL });
    expect([out.code, out.stderr]).toEqual([1, expect.stringContaining('usage: rotate-signing-key')]);
    expect((await id.store.signingKeys.list()).map((k) => k.kid)).toEqual(before);
  });
});
