import { IdentityEvents, type SessionRevokedEvent } from '@helpdesk/contracts';
import { consumeSessionRevoked, createLogger } from '@helpdesk/kit';
import { type Broker, type Consumer, connectBroker, makeEnvelope } from '@helpdesk/messaging';
import { testServers, waitFor } from '@helpdesk/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from './fakes.ts';

// The gateway's consumer on the real broker: identity publishes, the gateway stops the token.
type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let gatewayBroker: Broker;
let identityBroker: Broker;
let consumer: Consumer;

beforeAll(async () => {
  const logger = createLogger({ name: 'test', level: 'silent' });
  stack = await startStack();
  gatewayBroker = await connectBroker({ url: testServers().amqpUrl, logger, name: 'gateway-test' });
  identityBroker = await connectBroker({ url: testServers().amqpUrl, logger, name: 'identity-test' });
  consumer = await consumeSessionRevoked(gatewayBroker, stack.gateway.revocations, 'gateway');
});

afterAll(async () => {
  await consumer?.cancel();
  await gatewayBroker?.close();
  await identityBroker?.close();
  await stack?.close();
});

function revoked(data: Partial<SessionRevokedEvent['data']> & { userId: string }) {
  return makeEnvelope<SessionRevokedEvent['data']>({
    type: IdentityEvents.SessionRevoked,
    orgId: 'default',
    aggregateId: data.userId,
    sequence: 1,
    actor: { type: 'user', id: data.userId },
    data: {
      sessionId: null,
      jti: null,
      notBefore: null,
      expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      reason: 'logout',
      ...data,
    },
  });
}

const status = async (token: string) =>
  (await fetch(`${stack.url}/api/tickets/`, { headers: { authorization: `Bearer ${token}` } })).status;

describe('session.revoked on the broker', () => {
  it('when identity revokes a session, then its tokens stop working at the gateway', async () => {
    const token = await stack.key.sign({ sub: 'ann', sid: 'session-ann' });
    const other = await stack.key.sign({ sub: 'ann', sid: 'session-ann-phone' });
    expect(await status(token)).toBe(200);

    await identityBroker.publish(revoked({ userId: 'ann', sessionId: 'session-ann' }));

    await waitFor(async () => (await status(token)) === 401, { description: 'the revoked session refused' });
    expect(await status(other)).toBe(200);
  });

  it('when identity cuts off a user, then every older token of that user stops working', async () => {
    const token = await stack.key.sign({ sub: 'bob', iat: Math.floor(Date.now() / 1000) - 5 });
    expect(await status(token)).toBe(200);

    await identityBroker.publish(
      revoked({ userId: 'bob', notBefore: new Date().toISOString(), reason: 'deactivated' }),
    );

    await waitFor(async () => (await status(token)) === 401, { description: 'the cut-off user refused' });
  });
});
