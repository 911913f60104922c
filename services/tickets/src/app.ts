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
import { assignmentRulesRoutes } from './routes/assignment-rules.routes.ts';
import { attachmentsRoutes } from './routes/attachments.routes.ts';
import { categoriesRoutes } from './routes/categories.routes.ts';
import { commentsRoutes } from './routes/comments.routes.ts';
import type { RouteDeps } from './routes/deps.ts';
import { historyRoutes } from './routes/history.routes.ts';
import { systemBRoutes } from './routes/system-b.routes.ts';
import { ticketsRoutes } from './routes/tickets.routes.ts';

export interface AppDeps extends RouteDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  /** JSON bodies; attachments have their own, larger limit. */
  maxJsonBytes?: number;
}

const DEFAULT_MAX_JSON_BYTES = 64 * 1024;

/** The one route whose body is a file, streamed under the attachment limit (upload-form.ts). */
const UPLOAD_PATH = /^\/api\/tickets\/[^/]+\/attachments\/?$/;

const isUpload = (method: string, path: string, contentType: string | undefined) =>
  method === 'POST' && UPLOAD_PATH.test(path) && /^multipart\/form-data/i.test(contentType ?? '');

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = createServiceApp({
    name: 'tickets',
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: deps.readiness,
  });
  const max = deps.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  app.use('/api/*', async (c, next) => {
    if (isUpload(c.req.method, c.req.path, c.req.header('content-type'))) return next();
    return bodyLimit({
      maxSize: max,
      onError: () => {
        throw new HTTPException(413, { message: `The request body exceeds ${max} bytes.` });
      },
    })(c, next);
  });
  ticketsRoutes(app, deps);
  commentsRoutes(app, deps);
  attachmentsRoutes(app, deps);
  historyRoutes(app, deps);
  categoriesRoutes(app, deps);
  assignmentRulesRoutes(app, deps);
  systemBRoutes(app, deps);
  serveOpenApi(app, 'Helpdesk tickets');
  return app;
}
