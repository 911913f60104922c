import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth, requireRole } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { callerOf } from '../use-cases/access.ts';
import {
  createPolicy,
  deletePolicy,
  getPolicy,
  listPolicies,
  updatePolicy,
} from '../use-cases/manage-policies.ts';
import type { ConfigRouteDeps } from './calendars.routes.ts';
import {
  ApplyToQuerySchema,
  CreatePolicyRequestSchema,
  mergePolicy,
  PolicyListSchema,
  PolicyResponseSchema,
  toPolicyInput,
  toPolicyResponse,
  UpdatePolicyRequestSchema,
} from './policy.dto.ts';

const tags = ['sla'];
const base = '/api/sla/policies/';
const Params = z.object({ id: z.string().min(1).max(64) });
const one = (description: string) => ({ description, ...json(PolicyResponseSchema) });
const MATCHING =
  'A ticket gets the first active policy, by position, whose conditions all hold; none: the default (System A’s rule).';

const listRoute = createRoute({
  method: 'get',
  path: base,
  tags,
  summary: 'The org’s SLA policies (agent, admin)',
  description: `In matching order: by position, then by creation. ${MATCHING}`,
  security: bearer,
  responses: { 200: { description: 'The policies', ...json(PolicyListSchema) }, ...problems(401, 403) },
});

const createPolicyRoute = createRoute({
  method: 'post',
  path: base,
  tags,
  summary: 'Add an SLA policy (admin)',
  description: `${MATCHING} Targets are business minutes per priority on the clock's calendar; each calendar_id must be one of the org's calendars.`,
  security: bearer,
  request: { body: { required: true, ...json(CreatePolicyRequestSchema) } },
  responses: { 201: one('Created'), ...problems(400, 401, 403, 422) },
});

const getRoute = createRoute({
  method: 'get',
  path: `${base}{id}/`,
  tags,
  summary: 'One SLA policy (agent, admin)',
  security: bearer,
  request: { params: Params },
  responses: { 200: one('The policy'), ...problems(401, 403, 404) },
});

const patchRoute = createRoute({
  method: 'patch',
  path: `${base}{id}/`,
  tags,
  summary: 'Change an SLA policy (admin)',
  description:
    'Fields left out keep their value; within `conditions` and `clocks`, so do the parts left out. `apply_to` says whether running tickets are retargeted.',
  security: bearer,
  request: { params: Params, body: { required: true, ...json(UpdatePolicyRequestSchema) } },
  responses: { 200: one('Updated'), ...problems(400, 401, 403, 404) },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: `${base}{id}/`,
  tags,
  summary: 'Delete an SLA policy (admin)',
  description: 'With `?apply_to=running_tickets` the open tickets resolve their policy again at once.',
  security: bearer,
  request: { params: Params, query: ApplyToQuerySchema },
  responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404) },
});

export function policiesRoutes(app: OpenAPIHono<AppEnv>, deps: ConfigRouteDeps): void {
  const auth = requireAuth(deps.verifier);
  const staff = [auth, requireRole('agent', 'admin')];
  const admin = [auth, requireRole('admin')];
  const uc = deps.slaConfig;

  for (const route of bothSlashes(listRoute)) {
    app.openapi({ ...route, middleware: staff }, async (c) => {
      const all = await listPolicies(uc, callerOf(c.get('principal')));
      return c.json({ results: all.map(toPolicyResponse) }, 200);
    });
  }

  for (const route of bothSlashes(createPolicyRoute)) {
    app.openapi({ ...route, middleware: [...admin, deps.idempotency] }, async (c) => {
      const body = c.req.valid('json');
      const created = await createPolicy(
        uc,
        callerOf(c.get('principal')),
        toPolicyInput(body),
        body.apply_to,
      );
      c.header('location', `${base}${created.id}/`);
      return c.json(toPolicyResponse(created), 201);
    });
  }

  for (const route of bothSlashes(getRoute)) {
    app.openapi({ ...route, middleware: staff }, async (c) => {
      const found = await getPolicy(uc, callerOf(c.get('principal')), c.req.valid('param').id);
      return c.json(toPolicyResponse(found), 200);
    });
  }

  for (const route of bothSlashes(patchRoute)) {
    app.openapi({ ...route, middleware: admin }, async (c) => {
      const body = c.req.valid('json');
      const updated = await updatePolicy(
        uc,
        callerOf(c.get('principal')),
        c.req.valid('param').id,
        mergePolicy(body),
        body.apply_to,
      );
      return c.json(toPolicyResponse(updated), 200);
    });
  }

  for (const route of bothSlashes(deleteRoute)) {
    app.openapi({ ...route, middleware: admin }, async (c) => {
      const { apply_to } = c.req.valid('query');
      await deletePolicy(uc, callerOf(c.get('principal')), c.req.valid('param').id, apply_to);
      return c.body(null, 204);
    });
  }
}
