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
import type { RouteDeps } from './routes/deps.ts';
import { rebuildRoutes } from './routes/rebuild.routes.ts';
import { reportsRoutes } from './routes/reports.routes.ts';
import { settingsRoutes } from './routes/settings.routes.ts';

export interface AppDeps extends RouteDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
}

const MAX_JSON_BYTES = 16 * 1024;

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createServiceApp({
    name: 'reporting',
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: deps.readiness,
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_JSON_BYTES,
      onError: () => {
        throw new HTTPException(413, { message: `The request body exceeds ${MAX_JSON_BYTES} bytes.` });
      },
    }),
  );
  reportsRoutes(app, deps);
  settingsRoutes(app, deps);
  rebuildRoutes(app, deps);
  serveOpenApi(app, 'Helpdesk reporting service');
  return app;
}
