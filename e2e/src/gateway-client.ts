import { jsonClient } from '@helpdesk/testkit';
import { expect } from 'vitest';

const PASSWORD = 'correct horse battery 9';

/** Calls through the gateway of a running stack (its URL read at call time), as an API consumer. */
export function gatewayClient(gateway: () => string) {
  const call = (method: string, path: string, token?: string, body?: unknown) =>
    jsonClient(
      (p, init) => fetch(`${gateway()}${p}`, init),
      () => token,
    ).call(method, path, body);

  async function login(username: string, password = PASSWORD): Promise<string> {
    const res = await call('POST', '/api/auth/login/', undefined, { username, password });
    expect(res.status).toBe(200);
    return res.body.access as string;
  }

  /** Registers with a new org, which makes the registrant its admin, and logs in. */
  async function registerAdmin(org: string) {
    const username = `adm_${org}`;
    const reg = await call('POST', '/api/auth/register/', undefined, {
      username,
      email: `${username}@example.test`,
      password: PASSWORD,
      org,
    });
    expect(reg.status).toBe(201);
    return { id: reg.body.id as string, token: await login(username) };
  }

  /** An admin adds a user of `role` to their org; the new user logs in. */
  async function hire(adminToken: string, role: 'user' | 'agent', name: string) {
    const res = await call('POST', '/api/auth/users/', adminToken, {
      username: name,
      email: `${name}@example.test`,
      password: PASSWORD,
      role,
    });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, token: await login(name) };
  }

  return { call, login, registerAdmin, hire };
}
