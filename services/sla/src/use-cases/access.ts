import type { Role } from '@helpdesk/contracts';
import type { Principal } from '@helpdesk/kit';
import type { TicketView } from './ports.ts';

/** Who sees which ticket's SLA: whoever may see the ticket (DESIGN.md section 3). */
export interface Caller {
  id: string;
  orgId: string;
  role: Role;
}

export const callerOf = (p: Principal): Caller => ({ id: p.sub, orgId: p.org, role: p.role });

export function canSee(caller: Caller, t: TicketView): boolean {
  if (t.orgId !== caller.orgId) return false;
  if (caller.role === 'admin') return true;
  if (caller.role === 'agent') return t.assigneeId === null || t.assigneeId === caller.id;
  return t.requesterId === caller.id;
}
