/**
 * Option validation shared by every command: commander parses, zod
 * validates, and the first issue becomes one `UsageError` line naming the
 * flag (`--rounds: must be a positive integer`).
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { delimiter, join } from "node:path";
import type { Command } from "commander";
import type { z } from "zod";
import type { ModelSpec } from "../log/models.ts";
import { ensureDir, fsErrorText } from "../log/write.ts";
import { UsageError } from "./errors.ts";

/** camelCase option key → the flag a user typed (`nArms` → `--n-arms`). */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Validates commander's option object with `schema`. The flag an issue names
 * is the command's own spelling when `cmd` is given (`TCapPerArm` →
 * `--T-cap-per-arm`), else `flagName` of the key.
 * @throws UsageError naming the first offending flag.
 */
export function parseOptions<S extends z.ZodType>(schema: S, opts: unknown, cmd?: Command): z.infer<S> {
  const result = schema.safeParse(opts);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path.length > 0 ? String(issue.path[0]) : undefined;
  const flag =
    key === undefined
      ? "options"
      : (cmd?.options.find((o) => o.attributeName() === key)?.long ?? flagName(key));
  throw new UsageError(`${flag}: ${issue.message}`);
}

/**
 * Integer-valued flag as commander hands it (a string) → number, for
 * `z.coerce`-free schemas. Beyond ±(2^53 − 1) a number is rounded, so such
 * values are refused rather than silently changed (`--seed 99999999999999999999`).
 * @throws UsageError naming the flag.
 */
export function intArg(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n))
      throw new UsageError(`${flag}: expected an integer, got "${value}"`);
    if (!Number.isSafeInteger(n))
      throw new UsageError(
        `${flag}: ${value} is beyond ±${Number.MAX_SAFE_INTEGER}, the integers a number holds exactly`,
      );
    return n;
  };
}

/** A positive-integer flag (checked here: zod paths cannot name flags like --N). */
export function posIntArg(flag: string) {
  const parse = intArg(flag);
  return (value: string): number => {
    const n = parse(value);
    if (n < 1) throw new UsageError(`${flag}: must be a positive integer, got ${n}`);
    return n;
  };
}

/** Number-valued flag → number. */
export function numberArg(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n))
      throw new UsageError(`${flag}: expected a number, got "${value}"`);
    return n;
  };
}

/** Prints a value as the only JSON on stdout (the `--json` contract). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The most worker threads a command starts: 4 per core (each costs tens of MB; more only waits). */
export const maxThreads = (cores: number = availableParallelism()): number => 4 * cores;

/**
 * A `--threads` value: undefined keeps the default, negative or more than
 * 4 × cores is bad usage.
 * @throws UsageError for n < 0 or n > maxThreads().
 */
export function threadCount(n: number | undefined): number | undefined {
  if (n !== undefined && n < 0) throw new UsageError(`--threads: must be 0 or more, got ${n}`);
  if (n !== undefined && n > maxThreads())
    throw new UsageError(
      `--threads: at most ${maxThreads()} (4 × ${availableParallelism()} cores), got ${n}`,
    );
  return n;
}

/**
 * A command that scans result files (validate, summarize): `<paths...>`,
 * `--json` (what it prints, `jsonHelp`) and `--threads`, in that order.
 */
export function scanCommand(program: Command, name: string, description: string, jsonHelp: string): Command {
  return program
    .command(name)
    .description(description)
    .argument("<paths...>", "result files or folders (searched recursively for .json and .json.gz)")
    .option("--json", jsonHelp)
    .option("--threads <n>", "worker threads parsing files (0: the main thread only)", intArg("--threads"));
}

/**
 * Creates the folder an output flag writes into, before any work.
 * @throws UsageError "--out: cannot create /proc/nope: ENOENT: …" (one line).
 */
export async function ensureOutputDir(flag: string, dir: string): Promise<void> {
  try {
    await ensureDir(dir);
  } catch (err) {
    throw new UsageError(`${flag}: cannot create ${dir}: ${fsErrorText(err)}`);
  }
}

/**
 * A comma-separated list of numbers (`--tau 0.5,0.7`).
 * @throws UsageError naming the flag on an empty or non-numeric entry.
 */
export function numberListArg(flag: string) {
  return (value: string): number[] =>
    value.split(",").map((part) => {
      const n = Number(part);
      if (part.trim() === "" || !Number.isFinite(n))
        throw new UsageError(`${flag}: expected numbers separated by commas, got "${value}"`);
      return n;
    });
}

/**
 * How a user reaches this CLI in a printed command: `evoalloc` when it is
 * on PATH (a global install), else `npx evoalloc` (after the Quick start's
 * `npm install` the binary is only in node_modules/.bin).
 */
export function commandName(env: Record<string, string | undefined> = process.env): string {
  for (const dir of (env.PATH ?? "").split(delimiter))
    if (dir !== "" && existsSync(join(dir, "evoalloc"))) return "evoalloc";
  return "npx evoalloc";
}

/**
 * The models a command knows: the built-in ones and those of `--models FILE`.
 * @throws UsageError "--models: …" naming the file and field of a bad model file.
 */
export async function modelsOption(file: string | undefined): Promise<Record<string, ModelSpec>> {
  // imported here: the registry validates its built-in models with zod when it loads (commands without models skip it)
  const { loadModels, ModelFileError } = await import("../log/models.ts");
  try {
    return await loadModels(file);
  } catch (err) {
    if (err instanceof ModelFileError) throw new UsageError(`--models: ${err.message}`);
    throw err;
  }
}
