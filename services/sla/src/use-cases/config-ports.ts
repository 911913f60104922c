import type { Calendar } from '../domain/business-time.ts';
import type { SlaPolicy } from '../domain/policy-config.ts';

/** A named business calendar of an org (`/api/sla/calendars/`). */
export interface SlaCalendar {
  id: string;
  orgId: string;
  name: string;
  calendar: Calendar;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface CalendarStore {
  create(c: Pick<SlaCalendar, 'orgId' | 'name' | 'calendar'>): Promise<SlaCalendar>;
  list(orgId: string): Promise<SlaCalendar[]>;
  get(orgId: string, id: string): Promise<SlaCalendar | null>;
  /** The org's calendars of these ids that exist. */
  getMany(orgId: string, ids: string[]): Promise<SlaCalendar[]>;
  /** Bumps `version`; null when the org has no such calendar. */
  update(
    orgId: string,
    id: string,
    change: Pick<SlaCalendar, 'name' | 'calendar'>,
  ): Promise<SlaCalendar | null>;
}

export type PolicyFieldsInput = Omit<SlaPolicy, 'id' | 'orgId' | 'version' | 'createdAt' | 'updatedAt'>;

export interface PolicyStore {
  create(orgId: string, p: PolicyFieldsInput): Promise<SlaPolicy>;
  /** By position, then creation. */
  list(orgId: string): Promise<SlaPolicy[]>;
  get(orgId: string, id: string): Promise<SlaPolicy | null>;
  /** Replaces the fields (the use case merged the change); bumps `version`. */
  update(orgId: string, id: string, p: PolicyFieldsInput): Promise<SlaPolicy | null>;
  delete(orgId: string, id: string): Promise<boolean>;
}

/** The tickets the sla service knows of, as the policies need them. */
export interface OpenTickets {
  /** Ids of the org's tickets that are not closed or cancelled. */
  openIds(orgId: string): Promise<string[]>;
  /** The ticket's fields as policy conditions read them; null when unknown. */
  fields(orgId: string, ticketId: string): Promise<Record<string, unknown> | null>;
}

export interface PolicySignals {
  /** `policyChanged` to the ticket's running workflow; `not_running` when it has none. */
  policyChanged(ticketId: string, at: string): Promise<'signalled' | 'not_running'>;
}

export interface SlaConfigDeps {
  calendars: CalendarStore;
  policies: PolicyStore;
  openTickets: OpenTickets;
  signals: PolicySignals;
  clock: () => Date;
  /** Signals in flight at once when retargeting running tickets. */
  retargetConcurrency?: number;
  onRetargetError?: (ticketId: string, err: unknown) => void;
}
