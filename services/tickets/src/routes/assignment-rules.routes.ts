import type { AppEnv } from '@helpdesk/kit';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { RouteDeps } from './deps.ts';

export function assignmentRulesRoutes(_app: OpenAPIHono<AppEnv>, _deps: RouteDeps): void {}
