/**
 * Live gestures change the shared document at a bounded rate: a drag at 72 Hz commits at most `hz`
 * times a second (the first value at once, then the latest one per interval), and `flush()` on release
 * commits the final value if it was not committed yet. The gesture itself shows every frame locally.
 */
export interface ThrottledCommitter<T> {
  push(value: T): void;
  /** Commits the value pushed last, if not committed yet (the gesture's release). */
  flush(): void;
  /** Drops what is pending without committing. */
  cancel(): void;
}

export function createThrottledCommitter<T>(commit: (value: T) => void, hz = 10): ThrottledCommitter<T> {
  if (!(hz > 0)) throw new Error(`throttle: ${hz} Hz is not a positive rate`);
  const interval = 1000 / hz;
  let last = -Infinity;
  let pending: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fire = () => {
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    last = Date.now();
    commit(value);
  };
  return {
    push(value) {
      pending = { value };
      if (timer) return;
      const wait = last + interval - Date.now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    flush() {
      if (timer) clearTimeout(timer);
      fire();
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
