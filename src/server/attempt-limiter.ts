import { TokenBucket } from './token-bucket';

/** Beyond this many tracked addresses the oldest buckets are forgotten (memory stays bounded). */
const MAX_TRACKED = 10_000;

/**
 * Counts attempts per client address (wrong join codes, rooms opened): `attempts` per `windowMs`,
 * then refused until the bucket refills. Keeps an 8-character code out of reach of brute force.
 */
export class AttemptLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly attempts: number, private readonly windowMs: number) {}

  /** 0 when `key` may try now, else the seconds it must wait. */
  retryAfterSeconds(key: string, now: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket || bucket.available(now) >= 1) return 0;
    return Math.max(1, Math.ceil(bucket.secondsUntil(1)));
  }

  record(key: string, now: number): void {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= MAX_TRACKED) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = new TokenBucket(this.attempts, (this.attempts * 1000) / this.windowMs, now);
      this.buckets.set(key, bucket);
    }
    bucket.take(1, now);
  }
}
