import {
  type AppEnv,
  createServiceApp,
  type Logger,
  type Metrics,
  type ReadinessCheck,
  serveOpenApi,
} from '@helpdesk/kit';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { identityMetrics } from './infra/identity-metrics.ts';
import { authRoutes } from './routes/auth.routes.ts';
import type { RouteDeps } from './routes/deps.ts';
import { internalRoutes } from './routes/internal.routes.ts';
import { jwksRoutes } from './routes/jwks.routes.ts';
import { profileRoutes } from './routes/profile.routes.ts';
import { usersRoutes } from './routes/users.routes.ts';

export interface AppDeps extends Omit<RouteDeps, 'metrics'> {
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
}

/** Identity's bodies are small JSON documents; anything bigger is refused before parsing. */
const MAX_BODY_BYTES = 16 * 1024;

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createServiceApp({
    name: 'identity',
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: deps.readiness,
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new HTTPException(413, { message: `The request body exceeds ${MAX_BODY_BYTES} bytes.` });
      },
    }),
  );
  const routeDeps: RouteDeps = { ...deps, metrics: identityMetrics(deps.metrics) };
  authRoutes(app, routeDeps);
  profileRoutes(app, routeDeps);
  usersRoutes(app, routeDeps);
  jwksRoutes(app, routeDeps);
  internalRoutes(app, routeDeps);
  serveOpenApi(app, 'Helpdesk identity');
  return app;
}
