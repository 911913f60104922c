import type { CategoryViews, EffectLog, SlaWorkflows, TicketViews } from './ports.ts';

export interface SlaDeps {
  tickets: TicketViews;
  categories: CategoryViews;
  effects: EffectLog;
  workflows: SlaWorkflows;
  clock: () => Date;
}
