/**
 * A token bucket: `capacity` tokens, refilled at `ratePerSecond`; `take(n)` spends n tokens or
 * refuses. Time is passed in (ms) so the kernel is pure and testable.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly ratePerSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  take(n: number, now: number): boolean {
    if (this.available(now) < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Tokens in the bucket at `now` (refills first). */
  available(now: number): number {
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1000) * this.ratePerSecond);
    return this.tokens;
  }

  /** Seconds until `n` tokens are available again (for Retry-After). */
  secondsUntil(n: number): number {
    return Math.max(0, (n - this.tokens) / this.ratePerSecond);
  }
}
