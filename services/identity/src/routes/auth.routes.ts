import {
  DetailSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  LogoutRequestSchema,
  RefreshRequestSchema,
  RegisterRequestSchema,
  TokenPairSchema,
  UserDtoSchema,
} from '@helpdesk/contracts';
import { type AppEnv, AppError, bearer, bothSlashes, json, problems, requireAuth } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { logIn, type SessionTokens } from '../use-cases/log-in.ts';
import { logOut } from '../use-cases/log-out.ts';
import { refreshSession } from '../use-cases/refresh-session.ts';
import { registerUser } from '../use-cases/register-user.ts';
import { clientIp } from './client-ip.ts';
import type { RouteDeps } from './deps.ts';
import { toUserDto } from './user-dto.ts';

const tags = ['auth'];

const registerRoute = createRoute({
  method: 'post',
  path: '/api/auth/register/',
  tags,
  summary: 'Register an account',
  description:
    'Without `org` the account joins the default organization with role `user`. With `org` a new organization is created and the registrant becomes its admin; an existing organization is refused (409 ORG_EXISTS). `role` (other than `user`), `orgId`, `org_id` and any other unknown field are refused with 400.',
  request: { body: { required: true, ...json(RegisterRequestSchema) } },
  responses: { 201: { description: 'Created', ...json(UserDtoSchema) }, ...problems(400, 409) },
});

const loginRoute = createRoute({
  method: 'post',
  path: '/api/auth/login/',
  tags,
  summary: 'Log in with username or email and password',
  description:
    'Returns a short-lived access token and a single-use refresh token. After too many failures for one account or one client address the attempt is refused with 429 AUTH_THROTTLED and Retry-After, even with the right password.',
  request: { body: { required: true, ...json(LoginRequestSchema) } },
  responses: {
    200: { description: 'Logged in', ...json(LoginResponseSchema) },
    ...problems(400, 401, 403, 429),
  },
});

const refreshRoute = createRoute({
  method: 'post',
  path: '/api/auth/refresh/',
  tags,
  summary: 'Exchange a refresh token (rotation)',
  description:
    'Returns a new access token and a new refresh token; the old refresh token stops working. Presenting an already exchanged refresh token revokes the whole session (401 AUTH_REFRESH_REUSED).',
  request: { body: { required: true, ...json(RefreshRequestSchema) } },
  responses: { 200: { description: 'New tokens', ...json(TokenPairSchema) }, ...problems(400, 401, 403) },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/api/auth/logout/',
  tags,
  summary: 'Log out',
  description:
    'Revokes the session of the access token: its refresh token and every access token of the session stop working in every service.',
  security: bearer,
  request: { body: { required: false, ...json(LogoutRequestSchema) } },
  responses: { 200: { description: 'Logged out', ...json(DetailSchema) }, ...problems(400, 401) },
});

const pair = (t: SessionTokens) => ({
  access: t.access.token,
  refresh: t.refresh,
  token_type: 'Bearer' as const,
  expires_in: t.access.expiresIn,
});

/** The error's stable code as a metrics label, without letting arbitrary strings in. */
const outcomeOf = (err: unknown, known: Record<string, string>) =>
  err instanceof AppError ? (known[err.code] ?? 'error') : 'error';

export function authRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  for (const route of bothSlashes(registerRoute)) {
    app.openapi(route, async (c) => {
      const user = await registerUser(deps.identity, c.req.valid('json'), c.get('requestId'));
      c.get('log').info({ userId: user.id, orgId: user.orgId, role: user.role }, 'user registered');
      return c.json(toUserDto(user), 201);
    });
  }

  for (const route of bothSlashes(loginRoute)) {
    app.openapi(route, async (c) => {
      const body = c.req.valid('json');
      const ip = clientIp(c, deps.trustProxy);
      try {
        const tokens = await logIn(deps.identity, {
          login: body.username ?? body.email ?? '',
          password: body.password,
          ip,
        });
        deps.metrics.logins.inc({ outcome: 'success' });
        c.get('log').info({ userId: tokens.user.id, sid: tokens.sessionId }, 'logged in');
        return c.json({ ...pair(tokens), user: toUserDto(tokens.user) }, 200);
      } catch (err) {
        const outcome = outcomeOf(err, {
          AUTH_INVALID_CREDENTIALS: 'invalid',
          AUTH_THROTTLED: 'throttled',
          USER_INACTIVE: 'inactive',
        });
        deps.metrics.logins.inc({ outcome });
        c.get('log').info({ outcome, ip }, 'login refused');
        throw err;
      }
    });
  }

  for (const route of bothSlashes(refreshRoute)) {
    app.openapi(route, async (c) => {
      try {
        const tokens = await refreshSession(deps.identity, c.req.valid('json').refresh, c.get('requestId'));
        deps.metrics.refreshes.inc({ outcome: 'success' });
        return c.json(pair(tokens), 200);
      } catch (err) {
        const outcome = outcomeOf(err, { AUTH_REFRESH_INVALID: 'invalid', AUTH_REFRESH_REUSED: 'reused' });
        deps.metrics.refreshes.inc({ outcome });
        if (outcome === 'reused') c.get('log').warn('refresh token reused; session revoked');
        throw err;
      }
    });
  }

  for (const route of bothSlashes(logoutRoute)) {
    app.openapi({ ...route, middleware: [requireAuth(deps.verifier)] }, async (c) => {
      const principal = c.get('principal');
      await logOut(deps.identity, principal, c.get('requestId'));
      c.get('log').info({ userId: principal.sub, sid: principal.sid }, 'logged out');
      return c.json({ detail: 'Successfully logged out.' }, 200);
    });
  }
}
