export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSec: number;
}

/**
 * Fixed-window counters, one window for every key: a single Map holds the counts and is
 * dropped whole when the window ends, so a hit costs one lookup and one store and memory is
 * bounded by the keys seen within one window. The price is the classic fixed-window burst
 * (up to twice the limit across a boundary), which is fine for abuse protection. Counts live
 * in this process only: N gateway instances allow up to N times the limit.
 */
export class FixedWindowLimiter {
  readonly limit: number;
  readonly windowMs: number;
  /** `RateLimit-Policy` item (draft-ietf-httpapi-ratelimit-headers). */
  readonly policy: string;
  private counts = new Map<string, number>();
  private windowEnd = 0;
  private readonly now: () => number;

  constructor(opts: { limit: number; windowMs: number; name: string; now?: () => number }) {
    this.limit = opts.limit;
    this.windowMs = opts.windowMs;
    this.policy = `${opts.limit};w=${Math.ceil(opts.windowMs / 1000)};comment="${opts.name}"`;
    this.now = opts.now ?? Date.now;
  }

  hit(key: string): RateLimitDecision {
    const now = this.now();
    if (now >= this.windowEnd) {
      this.counts = new Map();
      this.windowEnd = now - (now % this.windowMs) + this.windowMs;
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return {
      allowed: count <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      resetSec: Math.ceil((this.windowEnd - now) / 1000),
    };
  }

  get keys(): number {
    return this.counts.size;
  }
}
