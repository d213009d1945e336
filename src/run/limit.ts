/**
 * Bounded concurrency: at most `n` tasks of one limiter run at a time; the
 * rest wait in FIFO order. One limiter bounds LLM calls in flight
 * (`--parallel-llm`), another evaluations (`--parallel-eval`); the grid
 * runner shares them across runs in one process.
 */

export interface Limiter {
  /** Runs `fn` when a slot is free; the slot is released when it settles. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  readonly size: number;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly pending: number;
}

/**
 * A limiter with `n` slots.
 * @throws RangeError when n is not a positive integer.
 * @example await createLimiter(2).run(async () => 1) // => 1
 */
export function createLimiter(n: number): Limiter {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`limiter size must be a positive integer, got ${n}`);
  let active = 0;
  const queue: (() => void)[] = [];
  const release = (): void => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };
  return {
    size: n,
    get active() {
      return active;
    },
    get pending() {
      return queue.length;
    },
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (active < n) active++;
      else await new Promise<void>((resolve) => queue.push(resolve));
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}
