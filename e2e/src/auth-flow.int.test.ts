import { stopService, testServers } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStack, startAuthStack } from './stack.ts';

// The services as real processes on real ports, driven only through the gateway, the way an
// external API consumer sees them.
let stack: RunningStack;
const json = (body: unknown, token?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});

beforeAll(async () => {
  stack = await startAuthStack(testServers());
});

afterAll(async () => {
  await stack?.stop();
});

describe('auth through the gateway', () => {
  const user = {
    username: `e2e_${Date.now()}`,
    email: `e2e_${Date.now()}@example.test`,
    password: 'correct horse battery 9',
  };
  let access = '';

  it('register → login → profile → logout, and the logged-out token is refused at once', async () => {
    const reg = await fetch(
      `${stack.gateway}/api/auth/register/`,
      json({ ...user, password2: user.password, first_name: 'E', last_name: 'Two' }),
    );
    expect(reg.status).toBe(201);
    expect(reg.headers.get('x-request-id')).toBeTruthy();

    const login = await fetch(
      `${stack.gateway}/api/auth/login`,
      json({ username: user.username, password: user.password }),
    );
    expect(login.status).toBe(200);
    const tokens = (await login.json()) as { access: string; refresh: string };
    expect(tokens).toMatchObject({ token_type: 'Bearer', user: { username: user.username, role: 'user' } });
    access = tokens.access;

    const profile = await fetch(`${stack.gateway}/api/auth/profile/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(profile.status).toBe(200);
    expect(await profile.json()).toMatchObject({ username: user.username, email: user.email });

    const logout = await fetch(
      `${stack.gateway}/api/auth/logout/`,
      json({ refresh: tokens.refresh }, access),
    );
    expect(logout.status).toBeLessThan(300);

    const after = await fetch(`${stack.gateway}/api/auth/profile/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(after.status).toBe(401);
    expect(after.headers.get('content-type')).toContain('application/problem+json');
  });

  it('a protected route without a token is refused by the gateway with problem+json', async () => {
    const res = await fetch(`${stack.gateway}/api/auth/users/search/`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toMatch(/^AUTH_/);
  });

  it('a user may not call an admin function', async () => {
    const u = {
      username: `e2e_u_${Date.now()}`,
      email: `u_${Date.now()}@example.test`,
      password: 'another long pass 7',
    };
    await fetch(`${stack.gateway}/api/auth/register/`, json({ ...u, password2: u.password }));
    const login = await fetch(
      `${stack.gateway}/api/auth/login/`,
      json({ username: u.username, password: u.password }),
    );
    const { access: token } = (await login.json()) as { access: string };
    const res = await fetch(
      `${stack.gateway}/api/auth/users/`,
      json(
        { username: 'x_agent', email: 'x@example.test', password: 'whatever long 1', role: 'agent' },
        token,
      ),
    );
    expect(res.status).toBe(403);
  });

  it('the merged OpenAPI document lists the auth operations', async () => {
    const doc = (await (await fetch(`${stack.gateway}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/auth/login/', '/api/auth/register/']),
    );
  });

  it('on SIGTERM both services drain and exit cleanly', async () => {
    const { gateway, identity } = stack.services;
    if (!gateway || !identity) throw new Error('stack not started');
    expect(await stopService(gateway)).toBe(0);
    expect(await stopService(identity)).toBe(0);
  });
});
