/** A presence tick must be a positive number of ms, at most 1 s (members would look frozen beyond). */
export function assertTickMs(tickMs: number): void {
  if (!(tickMs > 0 && tickMs <= 1000)) throw new RangeError(`presence tick must be in (0, 1000] ms, got ${tickMs}`);
}

/**
 * Collects awareness client ids and hands them over at most once per tick: after a quiet tick the
 * first id goes out on the next turn of the event loop (no added wait when a room is calm), while
 * a busy room gets one batch per tick, each id once however often it changed.
 */
export class TickBatcher {
  private readonly ids = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlushAt = -Infinity;

  constructor(
    private readonly tickMs: number,
    private readonly deliver: (ids: number[]) => void,
    /** A throw in a timer would end the process: what `deliver` throws goes here. */
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    assertTickMs(tickMs);
  }

  add(ids: Iterable<number>): void {
    for (const id of ids) this.ids.add(id);
    if (this.ids.size === 0 || this.timer !== undefined) return;
    this.timer = setTimeout(this.flush, Math.max(0, this.lastFlushAt + this.tickMs - this.now()));
  }

  /** Drops what is pending; nothing more is delivered until the next `add`. */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.ids.clear();
  }

  private readonly flush = () => {
    this.timer = undefined;
    this.lastFlushAt = this.now();
    const ids = [...this.ids];
    this.ids.clear();
    if (ids.length === 0) return;
    try {
      this.deliver(ids);
    } catch (error) {
      this.onError(error);
    }
  };
}
