import { describe, expect, it } from 'vitest';
import { envServers } from './env-servers.ts';
import { parseExports } from './local-servers.ts';
import { hostPort } from './probe.ts';
import { combineParts, missingServers } from './server-parts.ts';

describe('envServers', () => {
  it('when only some servers are in env, then only those are given', () => {
    const parts = envServers({ AMQP_URL: 'amqp://u:p@broker:5673' });
    expect(parts).toEqual({
      amqp: { amqpUrl: 'amqp://u:p@broker:5673', amqpManagementUrl: 'http://u:p@broker:15672' },
    });
    expect(missingServers(parts)).toEqual(['mongo', 'temporal']);
  });

  it('when all are in env, then nothing is missing and the namespace defaults to helpdesk', () => {
    const parts = envServers({ MONGO_URL: 'mongodb://m', AMQP_URL: 'amqp://a', TEMPORAL_ADDRESS: 't:7233' });
    expect(missingServers(parts)).toEqual([]);
    expect(parts.temporal).toEqual({ temporalAddress: 't:7233', temporalNamespace: 'helpdesk' });
  });
});

describe('combineParts', () => {
  it('when env gives one server, then it wins and the rest come from the fallback', () => {
    const servers = combineParts(
      { mongo: { mongoUrl: 'mongodb://mine' } },
      {
        mongo: { mongoUrl: 'mongodb://local' },
        amqp: { amqpUrl: 'amqp://local', amqpManagementUrl: 'http://local' },
        temporal: { temporalAddress: 'local:7233', temporalNamespace: 'helpdesk' },
        temporalTestServerPath: '/bin/tts',
      },
      'local',
    );
    expect(servers).toMatchObject({
      mongoUrl: 'mongodb://mine',
      amqpUrl: 'amqp://local',
      temporalTestServerPath: '/bin/tts',
      sources: { mongo: 'env', amqp: 'local', temporal: 'local' },
    });
  });

  it('when a server is neither given nor supplied, then it throws naming it', () => {
    expect(() => combineParts({}, { mongo: { mongoUrl: 'mongodb://x' } }, 'local')).toThrow(/no amqp server/);
  });
});

describe('parseExports', () => {
  it('when infra.sh prints export lines between other output, then the variables are read', () => {
    expect(parseExports('noise\nexport MONGO_URL=mongodb://127.0.0.1:27117\nexport EMPTY=\n')).toEqual({
      MONGO_URL: 'mongodb://127.0.0.1:27117',
      EMPTY: '',
    });
  });
});

describe('hostPort', () => {
  it.each([
    ['mongodb://u:p@h1:27018,h2:27019/db?x=1', 27017, { host: 'h1', port: 27018 }],
    ['amqp://guest:guest@127.0.0.1', 5672, { host: '127.0.0.1', port: 5672 }],
    ['localhost:7233', 7233, { host: 'localhost', port: 7233 }],
    ['mongodb://[::1]:27117', 27017, { host: '::1', port: 27117 }],
  ])('reads the first host of %s', (address, defaultPort, expected) => {
    expect(hostPort(address, defaultPort)).toEqual(expected);
  });
});
