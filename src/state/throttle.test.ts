import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createThrottledCommitter } from './throttle';

describe('throttled commits of a live gesture', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('commits at most 10 Hz while dragging at 72 Hz, then the final value on release', () => {
    const commits: Array<[number, number]> = [];
    const committer = createThrottledCommitter((v: number) => commits.push([Date.now(), v]), 10);
    let frame = 0;
    for (; frame < 72; frame++) {
      committer.push(frame);
      vi.advanceTimersByTime(1000 / 72);
    }
    // one second of frames: the first at once, then one per 100 ms
    expect(commits.length).toBeGreaterThanOrEqual(10);
    expect(commits.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < commits.length; i++) expect(commits[i][0] - commits[i - 1][0]).toBeGreaterThanOrEqual(100);
    expect(commits[0]).toEqual([0, 0]);
    committer.push(999);
    committer.flush(); // release
    expect(commits.at(-1)![1]).toBe(999);
    const count = commits.length;
    vi.advanceTimersByTime(500);
    committer.flush();
    expect(commits.length).toBe(count); // nothing pending, nothing more
  });

  it('commits the last value of a pause after the interval, and cancel drops it', () => {
    const values: number[] = [];
    const committer = createThrottledCommitter((v: number) => values.push(v));
    committer.push(1);
    committer.push(2);
    committer.push(3);
    expect(values).toEqual([1]);
    vi.advanceTimersByTime(100);
    expect(values).toEqual([1, 3]);
    committer.push(4);
    committer.cancel();
    vi.advanceTimersByTime(500);
    expect(values).toEqual([1, 3]);
  });
});
