import type { BucketStore, FactStore, RawEventStore, SettingsStore } from './ports.ts';

export interface ReportingDeps {
  rawEvents: RawEventStore;
  facts: FactStore;
  buckets: BucketStore;
  settings: SettingsStore;
  clock: () => Date;
  /** How long a process may take to apply one op before another may take it over (default 15 s). */
  leaseMs?: number;
  /** Test seam: runs after the fact documents are written, before the buckets are. */
  faults?: { afterFactWrite?: () => void | Promise<void> };
}
