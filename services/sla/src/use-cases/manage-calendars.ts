import type { Calendar } from '../domain/business-time.ts';
import type { Caller } from './access.ts';
import type { SlaCalendar, SlaConfigDeps } from './config-ports.ts';
import { CalendarNotFoundError } from './sla-config.errors.ts';

/*
 * `/api/sla/calendars/`: admins write, staff read (the routes check roles); every call is scoped
 * to the caller's org, so another org's calendar is a 404. The calendar arrives validated
 * (domain/calendar.ts). A change reaches running tickets only when their policy is resolved
 * again: their resolved policy holds a copy of the calendar.
 */

type Deps = Pick<SlaConfigDeps, 'calendars'>;

export const listCalendars = (deps: Deps, caller: Caller): Promise<SlaCalendar[]> =>
  deps.calendars.list(caller.orgId);

export async function getCalendar(deps: Deps, caller: Caller, id: string): Promise<SlaCalendar> {
  const found = await deps.calendars.get(caller.orgId, id);
  if (!found) throw new CalendarNotFoundError(id);
  return found;
}

export const createCalendar = (
  deps: Deps,
  caller: Caller,
  input: { name: string; calendar: Calendar },
): Promise<SlaCalendar> => deps.calendars.create({ orgId: caller.orgId, ...input });

/** `change` merges the given fields over the stored calendar and validates the whole. */
export async function updateCalendar(
  deps: Deps,
  caller: Caller,
  id: string,
  change: (current: SlaCalendar) => { name: string; calendar: Calendar },
): Promise<SlaCalendar> {
  const current = await getCalendar(deps, caller, id);
  const updated = await deps.calendars.update(caller.orgId, id, change(current));
  if (!updated) throw new CalendarNotFoundError(id);
  return updated;
}
