import { ValidationError } from '@helpdesk/kit';
import { CLOCKS } from '../domain/policy.ts';
import type { SlaPolicy } from '../domain/policy-config.ts';
import type { Caller } from './access.ts';
import type { PolicyFieldsInput, SlaConfigDeps } from './config-ports.ts';
import { retargetRunningTickets } from './retarget-running-tickets.ts';
import { PolicyNotFoundError } from './sla-config.errors.ts';

/*
 * `/api/sla/policies/`: admins write, staff read (the routes check roles), scoped to the caller's
 * org. `applyTo: 'running_tickets'` retargets the org's open tickets after the write; with
 * `new_tickets` running workflows keep the policy they resolved until their own priority or
 * category changes (then they resolve again, and see the change).
 */

export type ApplyTo = 'new_tickets' | 'running_tickets';
type Deps = Omit<SlaConfigDeps, 'onRetargetError'> & Pick<SlaConfigDeps, 'onRetargetError'>;

export const listPolicies = (deps: Pick<Deps, 'policies'>, caller: Caller): Promise<SlaPolicy[]> =>
  deps.policies.list(caller.orgId);

export async function getPolicy(
  deps: Pick<Deps, 'policies'>,
  caller: Caller,
  id: string,
): Promise<SlaPolicy> {
  const found = await deps.policies.get(caller.orgId, id);
  if (!found) throw new PolicyNotFoundError(id);
  return found;
}

/** Every calendar named must be one of the org's; the error names the field in the API's terms. */
async function checkCalendars(deps: Pick<Deps, 'calendars'>, orgId: string, p: PolicyFieldsInput) {
  const wanted = CLOCKS.flatMap((clock) => {
    const id = p.clocks[clock].calendarId;
    return id === null ? [] : [{ clock, id }];
  });
  const found = new Set(
    (
      await deps.calendars.getMany(
        orgId,
        wanted.map((w) => w.id),
      )
    ).map((c) => c.id),
  );
  const missing = wanted.filter((w) => !found.has(w.id));
  if (missing.length > 0) {
    const fields = missing.map((m) => ({
      path: `clocks.${m.clock}.calendar_id`,
      message: `no calendar ${m.id} in your org`,
    }));
    throw new ValidationError(fields, fields.map((f) => `${f.path}: ${f.message}`).join('; '));
  }
}

async function applied<T>(deps: Deps, orgId: string, applyTo: ApplyTo, value: T): Promise<T> {
  if (applyTo === 'running_tickets') await retargetRunningTickets(deps, orgId);
  return value;
}

export async function createPolicy(
  deps: Deps,
  caller: Caller,
  input: Omit<PolicyFieldsInput, 'position'> & { position: number | undefined },
  applyTo: ApplyTo,
): Promise<SlaPolicy> {
  const position =
    input.position ?? Math.max(-1, ...(await deps.policies.list(caller.orgId)).map((p) => p.position)) + 1;
  const fields = { ...input, position };
  await checkCalendars(deps, caller.orgId, fields);
  return applied(deps, caller.orgId, applyTo, await deps.policies.create(caller.orgId, fields));
}

/** `change` merges the given fields over the stored policy. */
export async function updatePolicy(
  deps: Deps,
  caller: Caller,
  id: string,
  change: (current: SlaPolicy) => PolicyFieldsInput,
  applyTo: ApplyTo,
): Promise<SlaPolicy> {
  const current = await getPolicy(deps, caller, id);
  const fields = change(current);
  await checkCalendars(deps, caller.orgId, fields);
  const updated = await deps.policies.update(caller.orgId, id, fields);
  if (!updated) throw new PolicyNotFoundError(id);
  return applied(deps, caller.orgId, applyTo, updated);
}

export async function deletePolicy(deps: Deps, caller: Caller, id: string, applyTo: ApplyTo): Promise<void> {
  if (!(await deps.policies.delete(caller.orgId, id))) throw new PolicyNotFoundError(id);
  await applied(deps, caller.orgId, applyTo, null);
}
