/**
 * Errors the CLI entry point maps to exit codes: a `UsageError` (bad flag,
 * unknown task/model/policy, invalid value or input) exits 2 with its one-line
 * message; `Failure` exits 1 (the command ran and found problems). Anything
 * else is a bug: exit 1 with the stack.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

export class Failure extends Error {
  override name = "Failure";
}
