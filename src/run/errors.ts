/**
 * Why a run cannot go on for a cause outside evoalloc (the endpoint, the
 * task): the CLI prints the message as one line and exits 1, a grid
 * reports the run as failed. Any other error in a run is a bug.
 */
export class RunError extends Error {
  override name = "RunError";
}

/** The endpoint cannot serve the run: unreachable, 401/403, unknown model or route. */
export class EndpointError extends RunError {
  override name = "EndpointError";
}

/** `max` calls in a row got no answer (every attempt failed). */
export class TooManyFailuresError extends RunError {
  override name = "TooManyFailuresError";
}

/** No call of the run got an answer. */
export class NoSuccessError extends RunError {
  override name = "NoSuccessError";
}

/** The task's initial program does not evaluate (exception, timeout, no combined_score). */
export class InitialProgramError extends RunError {
  override name = "InitialProgramError";
  constructor(
    message: string,
    /** The evaluator's error text (the traceback). */
    readonly detail: string,
  ) {
    super(message);
  }
}
