import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows the burst, then exactly the refill rate', () => {
    const bucket = new TokenBucket(3, 2, 0);
    expect([1, 2, 3, 4].map(() => bucket.take(1, 0))).toEqual([true, true, true, false]);
    // 2 tokens per second: after 500 ms one token is back, not two.
    expect(bucket.take(1, 500)).toBe(true);
    expect(bucket.take(1, 500)).toBe(false);
    expect(bucket.secondsUntil(1)).toBeCloseTo(0.5, 6);
  });

  it('never holds more than its capacity, and a clock going back refills nothing', () => {
    const bucket = new TokenBucket(2, 100, 1000);
    expect(bucket.available(1_000_000)).toBe(2);
    expect(bucket.take(2, 1_000_000)).toBe(true);
    expect(bucket.available(999_000)).toBe(0);
  });
});
