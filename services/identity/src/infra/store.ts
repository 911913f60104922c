import { connectMongo } from '@helpdesk/kit';
import type { Connection } from 'mongoose';
import { databaseName } from '../config.ts';
import type { LoginThrottle, OrgRepository, UserRepository } from '../domain/ports.ts';
import type { SigningKeyRepository } from '../domain/signing-key.ts';
import { loginThrottleModel } from './login-throttle.model.ts';
import { createLoginThrottle } from './login-throttle.repository.ts';
import { orgModel } from './org.model.ts';
import { createOrgRepository } from './org.repository.ts';
import { signingKeyModel } from './signing-key.model.ts';
import { createSigningKeyRepository } from './signing-key.repository.ts';
import { userModel } from './user.model.ts';
import { createUserRepository } from './user.repository.ts';

export interface Store {
  conn: Connection;
  models: { users: ReturnType<typeof userModel> };
  users: UserRepository;
  orgs: OrgRepository;
  throttle: LoginThrottle;
  signingKeys: SigningKeyRepository;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects to identity's database and makes sure its indexes exist before anything is served:
 * the unique ones carry rules (one account per username or email), not just speed.
 */
export async function openStore(mongoUrl: string): Promise<Store> {
  const { conn, ping, close } = await connectMongo(mongoUrl, databaseName(mongoUrl));
  const users = userModel(conn);
  const orgs = orgModel(conn);
  const throttle = loginThrottleModel(conn);
  const keys = signingKeyModel(conn);
  for (const model of [users, orgs, throttle, keys]) {
    await model.createCollection();
    await model.createIndexes();
  }
  return {
    conn,
    models: { users },
    users: createUserRepository(users),
    orgs: createOrgRepository(orgs),
    throttle: createLoginThrottle(throttle),
    signingKeys: createSigningKeyRepository(keys),
    ping,
    close,
  };
}
