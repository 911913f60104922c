// The upstream: a service built with the kit like every real one (request context with a child
// logger and the latency histogram, problem+json errors), answering a profile-sized JSON body.
import { createLogger, createMetrics, createServiceApp, serveApp } from '@helpdesk/kit';
import { announce } from './keys.ts';

const logger = createLogger({ name: 'bench-upstream', level: 'info' });
const app = createServiceApp({ name: 'bench-upstream', logger, metrics: createMetrics('bench-upstream') });
const jwks = process.env.BENCH_JWKS ?? '{"keys":[]}';
const profile = {
  id: '6650c0ffee0000000000beef',
  orgId: 'default',
  username: 'ann.agent',
  email: 'ann.agent@example.test',
  firstName: 'Ann',
  lastName: 'Agent',
  role: 'agent',
  active: true,
  dateJoined: '2026-01-05T09:30:00.000Z',
};
app.get('/api/auth/jwks.json', (c) => c.body(jwks, 200, { 'content-type': 'application/json' }));
app.get('/api/auth/*', (c) => c.json(profile));

const server = await serveApp({ app, port: 0, host: '127.0.0.1', logger, handleSignals: false });
announce(
  `http://127.0.0.1:${server.port}`,
  'a kit service (createServiceApp) in its own process, JSON profile body',
);
