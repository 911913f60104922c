import { JwksSchema } from '@helpdesk/contracts';
import { type AppEnv, json } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { RouteDeps } from './deps.ts';

const jwksRoute = (path: string) =>
  createRoute({
    method: 'get',
    path,
    tags: ['keys'],
    summary: 'Public keys that verify access tokens (JWKS)',
    description:
      'Holds the active key and retired keys whose tokens may still be valid. Verifiers may cache it for the max-age and should refetch when a token names an unknown `kid`.',
    responses: { 200: { description: 'JSON Web Key Set', ...json(JwksSchema) } },
  });

export function jwksRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  for (const path of ['/api/auth/jwks.json', '/.well-known/jwks.json']) {
    app.openapi(jwksRoute(path), (c) => {
      c.header('cache-control', 'public, max-age=300');
      return c.json(deps.keys.jwks() as { keys: { kid: string; kty: string; alg: string }[] }, 200);
    });
  }
}
