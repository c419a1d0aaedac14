import { describe, expect, it } from 'vitest';
import { AttemptLimiter } from './attempt-limiter';

describe('AttemptLimiter', () => {
  it('lets an address fail N times per window, then makes it wait until one failure has drained', () => {
    const limiter = new AttemptLimiter(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('10.0.0.1', 0)).toBe(0);
      limiter.record('10.0.0.1', 0);
    }
    // 3 per minute: one failure drains every 20 s.
    expect(limiter.retryAfterSeconds('10.0.0.1', 0)).toBe(20);
    expect(limiter.retryAfterSeconds('10.0.0.1', 15_000)).toBe(5);
    expect(limiter.retryAfterSeconds('10.0.0.1', 20_000)).toBe(0);
    expect(limiter.retryAfterSeconds('10.0.0.2', 0)).toBe(0);
  });
});
