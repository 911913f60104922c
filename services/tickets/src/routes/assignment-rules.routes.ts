import { type AppEnv, bearer, bothSlashes, json, problems, requireAuth } from '@helpdesk/kit';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { callerOf } from '../domain/access.ts';
import { createAssignmentRule } from '../use-cases/create-assignment-rule.ts';
import { deleteAssignmentRule } from '../use-cases/delete-assignment-rule.ts';
import { dryRunAssignment } from '../use-cases/dry-run-assignment.ts';
import { getAssignmentRule } from '../use-cases/get-assignment-rule.ts';
import { listAssignmentRules } from '../use-cases/list-assignment-rule.ts';
import { updateAssignmentRule } from '../use-cases/update-assignment-rule.ts';
import {
  AssignmentRuleDtoSchema,
  AssignmentRuleListQuerySchema,
  AssignmentRulePageSchema,
  CreateAssignmentRuleRequestSchema,
  DryRunRequestSchema,
  DryRunResultSchema,
  toAssignmentRuleDto,
  toConditions,
  toDryRunDto,
  toStrategy,
  UpdateAssignmentRuleRequestSchema,
} from './assignment-rule.dto.ts';
import type { RouteDeps } from './deps.ts';

const tags = ['assignment rules'];
const base = '/api/assignment-rules/';
const RuleParams = z.object({ id: z.string().min(1).max(64) });
const ruleJson = (description: string) => ({ description, ...json(AssignmentRuleDtoSchema) });

const listRoute = createRoute({
  method: 'get',
  path: base,
  tags,
  summary: 'List the assignment rules (agent, admin)',
  description:
    'In evaluation order: by position, then by creation. `limit` is clamped to 100; pass `next` as `cursor`.',
  security: bearer,
  request: { query: AssignmentRuleListQuerySchema },
  responses: {
    200: { description: 'A page of rules', ...json(AssignmentRulePageSchema) },
    ...problems(400, 401, 403),
  },
});

const createRuleRoute = createRoute({
  method: 'post',
  path: base,
  tags,
  summary: 'Add an assignment rule (admin)',
  description:
    'Rules run in order on ticket creation; the first whose conditions all hold and that finds an active agent assigns the ticket. The agents must be active agents or admins of your org.',
  security: bearer,
  request: { body: { required: true, ...json(CreateAssignmentRuleRequestSchema) } },
  responses: { 201: ruleJson('Created'), ...problems(400, 401, 403, 409, 422) },
});

const dryRunRoute = createRoute({
  method: 'post',
  path: `${base}dry-run/`,
  tags,
  summary: 'Which rule and agent a ticket would get, and why (agent, admin)',
  description:
    'Takes the body of `POST /api/tickets/` and evaluates every rule without creating anything; a round-robin rule reports who is next without taking the turn.',
  security: bearer,
  request: { body: { required: true, ...json(DryRunRequestSchema) } },
  responses: {
    200: { description: 'The verdict', ...json(DryRunResultSchema) },
    ...problems(400, 401, 403, 404),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: `${base}{id}/`,
  tags,
  summary: 'One assignment rule (agent, admin)',
  security: bearer,
  request: { params: RuleParams },
  responses: { 200: ruleJson('The rule'), ...problems(401, 403, 404) },
});

const patchRoute = createRoute({
  method: 'patch',
  path: `${base}{id}/`,
  tags,
  summary: 'Change an assignment rule (admin)',
  description: 'Fields left out keep their value; within `conditions`, so do the conditions left out.',
  security: bearer,
  request: { params: RuleParams, body: { required: true, ...json(UpdateAssignmentRuleRequestSchema) } },
  responses: { 200: ruleJson('Updated'), ...problems(400, 401, 403, 404) },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: `${base}{id}/`,
  tags,
  summary: 'Delete an assignment rule (admin)',
  description: 'Tickets it assigned keep their assignee.',
  security: bearer,
  request: { params: RuleParams },
  responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404) },
});

export function assignmentRulesRoutes(app: OpenAPIHono<AppEnv>, deps: RouteDeps): void {
  const auth = requireAuth(deps.verifier);
  const uc = deps.tickets;

  for (const route of bothSlashes(listRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const page = await listAssignmentRules(uc, callerOf(c.get('principal')), { limit, cursor });
      return c.json({ results: page.results.map(toAssignmentRuleDto), next: page.next }, 200);
    });
  }

  for (const route of bothSlashes(createRuleRoute)) {
    app.openapi({ ...route, middleware: [auth, deps.idempotency] }, async (c) => {
      const b = c.req.valid('json');
      const rule = await createAssignmentRule(uc, callerOf(c.get('principal')), {
        name: b.name,
        position: b.position,
        active: b.active,
        conditions: toConditions(b.conditions),
        strategy: toStrategy(b.strategy),
      });
      c.header('location', `${base}${rule.id}/`);
      return c.json(toAssignmentRuleDto(rule), 201);
    });
  }

  // Before `{id}`, so that `dry-run` is never taken for a rule id.
  for (const route of bothSlashes(dryRunRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const b = c.req.valid('json');
      const result = await dryRunAssignment(uc, callerOf(c.get('principal')), {
        title: b.title,
        description: b.description,
        priority: b.priority,
        categoryId: b.category ?? null,
        tags: b.tags,
        requesterId: b.created_by,
      });
      return c.json(toDryRunDto(result), 200);
    });
  }

  for (const route of bothSlashes(getRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const rule = await getAssignmentRule(uc, callerOf(c.get('principal')), c.req.valid('param').id);
      return c.json(toAssignmentRuleDto(rule), 200);
    });
  }

  for (const route of bothSlashes(patchRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      const b = c.req.valid('json');
      const rule = await updateAssignmentRule(uc, callerOf(c.get('principal')), c.req.valid('param').id, {
        name: b.name,
        position: b.position,
        active: b.active,
        conditions: b.conditions && toConditions(b.conditions),
        strategy: b.strategy && toStrategy(b.strategy),
      });
      return c.json(toAssignmentRuleDto(rule), 200);
    });
  }

  for (const route of bothSlashes(deleteRoute)) {
    app.openapi({ ...route, middleware: auth }, async (c) => {
      await deleteAssignmentRule(uc, callerOf(c.get('principal')), c.req.valid('param').id);
      return c.body(null, 204);
    });
  }
}
