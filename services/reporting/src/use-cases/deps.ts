import type { BucketStore, FactStore, RawEventStore, SettingsStore } from './ports.ts';

export interface ReportingDeps {
  rawEvents: RawEventStore;
  facts: FactStore;
  buckets: BucketStore;
  settings: SettingsStore;
  clock: () => Date;
  /** How long a process may take to apply one op before another may take it over (default 15 s). */
  leaseMs?: number;
  /** Test seams. */
  faults?: {
    /** Runs after the fact documents are written, before the buckets are. */
    afterFactWrite?: () => void | Promise<void>;
    /** Runs after each bucket document write that took effect. */
    afterBucketWrite?: () => void | Promise<void>;
    /** Runs in a rebuild after the log replay, before the new generation goes live. */
    beforeFinishBuild?: (orgId: string) => void | Promise<void>;
  };
  /**
   * Set by the runtime: `stopping` aborts running rebuilds on shutdown (they abandon their
   * generation cleanly instead of leaving it half built); `running` lets shutdown wait for that.
   */
  lifecycle?: { stopping: AbortSignal; running: Set<Promise<unknown>> };
}
