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
import { atRiskRoutes } from './routes/at-risk.routes.ts';
import { calendarsRoutes } from './routes/calendars.routes.ts';
import type { RouteDeps } from './routes/deps.ts';
import { escalationsRoutes } from './routes/escalations.routes.ts';
import { policiesRoutes } from './routes/policies.routes.ts';
import { ticketSlaRoutes } from './routes/ticket-sla.routes.ts';
import type { SlaConfigDeps } from './use-cases/config-ports.ts';

export interface AppDeps extends RouteDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  maxJsonBytes?: number;
  /** Policies and calendars (`/api/sla/policies/`, `/api/sla/calendars/`). */
  slaConfig: SlaConfigDeps;
}

const DEFAULT_MAX_JSON_BYTES = 64 * 1024;

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createServiceApp({
    name: 'sla',
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: deps.readiness,
  });
  const max = deps.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: max,
      onError: () => {
        throw new HTTPException(413, { message: `The request body exceeds ${max} bytes.` });
      },
    }),
  );
  ticketSlaRoutes(app, deps);
  escalationsRoutes(app, deps);
  atRiskRoutes(app, deps);
  calendarsRoutes(app, deps);
  policiesRoutes(app, deps);
  serveOpenApi(app, 'Helpdesk sla service');
  return app;
}
