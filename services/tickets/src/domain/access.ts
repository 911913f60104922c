import { isStaff, type Role } from '@helpdesk/contracts';
import type { Principal } from '@helpdesk/kit';
import type { Ticket } from './ticket.ts';

/**
 * Who sees and does what (DESIGN.md section 3). Every rule about roles lives here; the
 * repositories get the visibility as a filter, so a list never fetches what it may not show.
 */

export interface Caller {
  id: string;
  orgId: string;
  role: Role;
}

export const callerOf = (p: Principal): Caller => ({ id: p.sub, orgId: p.org, role: p.role });

/** The filter added to every ticket query for this caller. */
export function visibilityFilter(caller: Caller): Record<string, unknown> {
  if (caller.role === 'admin') return { orgId: caller.orgId };
  if (caller.role === 'agent') return { orgId: caller.orgId, assigneeId: { $in: [caller.id, null] } };
  return { orgId: caller.orgId, requesterId: caller.id };
}

export function canSee(caller: Caller, t: Ticket): boolean {
  if (t.orgId !== caller.orgId) return false;
  if (caller.role === 'admin') return true;
  if (caller.role === 'agent') return t.assigneeId === null || t.assigneeId === caller.id;
  return t.requesterId === caller.id;
}

/** Title, description, category, tags (priority: staff only). A customer only while the ticket is open. */
export const canEditFields = (caller: Caller, t: Ticket): boolean =>
  isStaff(caller.role) || (t.requesterId === caller.id && t.status === 'open');

export const canChangeStatus = (caller: Caller): boolean => isStaff(caller.role);
export const canAssign = (caller: Caller): boolean => caller.role === 'admin';
export const canWriteInternal = (caller: Caller): boolean => isStaff(caller.role);
export const canSeeInternal = (caller: Caller): boolean => isStaff(caller.role);
