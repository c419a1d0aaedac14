import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TickBatcher } from './tick-batcher';

describe('TickBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const make = (tickMs = 20) => {
    const batches: Array<{ at: number; ids: number[] }> = [];
    const errors: unknown[] = [];
    const batcher = new TickBatcher(tickMs, (ids) => batches.push({ at: Date.now(), ids }), (e) => errors.push(e), () => Date.now());
    return { batcher, batches, errors };
  };

  it('sends the first change of a quiet room at once, then at most one batch per tick, each id once', () => {
    const { batcher, batches } = make(20);
    const t0 = Date.now();
    batcher.add([1]);
    vi.advanceTimersByTime(0);
    expect(batches).toEqual([{ at: t0, ids: [1] }]);
    // 5 ms later, three members change, one of them twice: held until the tick is over
    vi.advanceTimersByTime(5);
    batcher.add([2, 3]);
    batcher.add([2]);
    vi.advanceTimersByTime(14);
    expect(batches).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(batches[1]).toEqual({ at: t0 + 20, ids: [2, 3] });
    // a change after a quiet tick goes out at once again
    vi.advanceTimersByTime(100);
    batcher.add([4]);
    vi.advanceTimersByTime(0);
    expect(batches[2]).toEqual({ at: t0 + 120, ids: [4] });
  });

  it('at 50 members × 30 Hz delivers one batch per tick, not one per change', () => {
    const { batcher, batches } = make(20);
    // 1500 changes in one second, each member on its own phase
    for (let ms = 0; ms < 1000; ms++) {
      for (let m = 0; m < 50; m++) if ((ms + m) % 33 === 0) batcher.add([m]);
      vi.advanceTimersByTime(1);
    }
    expect(batches.length).toBeLessThanOrEqual(51);
    expect(batches.length).toBeGreaterThanOrEqual(45);
    for (let i = 1; i < batches.length; i++) expect(batches[i].at - batches[i - 1].at).toBeGreaterThanOrEqual(20);
    expect(new Set(batches.flatMap((b) => b.ids)).size).toBe(50);
  });

  it('clear() drops what is pending; a delivery that throws is reported, not thrown from the timer', () => {
    const { batcher, batches } = make(20);
    batcher.add([1]);
    batcher.clear();
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([]);

    const errors: unknown[] = [];
    const failing = new TickBatcher(20, () => {
      throw new Error('socket gone');
    }, (e) => errors.push(e));
    failing.add([7]);
    expect(() => vi.advanceTimersByTime(0)).not.toThrow();
    expect(errors).toHaveLength(1);
  });

  it('refuses a tick that is not in (0, 1000] ms', () => {
    for (const bad of [0, -5, Number.NaN, 5000]) expect(() => new TickBatcher(bad, () => undefined, () => undefined)).toThrow(/presence tick/);
  });
});
