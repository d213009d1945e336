/**
 * Ctrl-C for the `run` subcommands: the first SIGINT or SIGTERM says what
 * happens and stops the work through an AbortSignal (in-flight calls and
 * evaluations are cancelled, journals stay consistent); a second one gets
 * Node's default, exit at once.
 */

/** The signal a run watches, and the switch that listens for Ctrl-C. */
export interface Interrupt {
  signal: AbortSignal;
  /** Starts listening for SIGINT and SIGTERM (once the run has started). */
  listen(): void;
  /** Stops listening (always, when the run ends). */
  dispose(): void;
}

/**
 * An interrupt whose first signal writes `message` to stderr and aborts with `reason(sig)`.
 *
 * @example
 *   const stop = interruptOnSignal("stopping…", (sig) => new Error(`interrupted by ${sig}`));
 *   stop.listen(); try { await work(stop.signal); } finally { stop.dispose(); }
 */
export function interruptOnSignal(message: string, reason: (sig: NodeJS.Signals) => unknown): Interrupt {
  const ctl = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    process.stderr.write(`\nevoalloc: ${sig}: ${message}\n`);
    ctl.abort(reason(sig));
    // a second Ctrl-C gets Node's default: exit at once (the journal is consistent line by line)
    dispose();
  };
  const dispose = (): void => {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  };
  return {
    signal: ctl.signal,
    listen() {
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
    },
    dispose,
  };
}
