/**
 * The grid config of `evoalloc run grid` (JSON, validated with zod) and its
 * expansion into a list of runs. Pure: no file system, no process.
 *
 *   config ─parse─> GridConfig ─expand─> GridRun[] (one per result file, deduplicated by path)
 *
 * Example (the shipped data set is results/grid.json):
 *
 *   { "tasks": ["cp"], "models": ["mutator"],
 *     "greedy": [ { "C": [64, 256], "min_N": 4, "seeds": { "start": 40, "count": 10 } },
 *                 { "T": 64, "N": 4, "seeds": { "start": 40, "count": 20 } } ],
 *     "bandit": [ { "algos": ["ucb", "random"], "n_arms": 5, "C": 256, "N": 4, "bandit_seeds": [0, 1, 2] } ] }
 *
 * A `greedy` entry is either every power-of-two split of each budget C
 * (T = 1, 2, 4, … with N = C/T between min_N and max_N) or one split (T, N).
 */

import { z } from "zod";
import {
  type BanditRunName,
  banditResultPath,
  type GreedyRunName,
  greedyResultPath,
  type ResultExt,
} from "../../log/paths.ts";
import { RNG_KINDS, type RngKind } from "../../policies/stream.ts";

const posInt = z.number().int("must be an integer").positive("must be a positive integer");
const nonNegInt = z.number().int("must be an integer").nonnegative("must be a non-negative integer");

/** A list of seeds, or a range `{start, count}`. */
const SeedsSchema = z.union(
  [
    z.array(nonNegInt).min(1, "must list at least one seed"),
    z.strictObject({ start: nonNegInt, count: posInt }),
  ],
  { error: 'must be a list of seeds or {"start": S, "count": K}' },
);

const GreedyEntrySchema = z
  .strictObject({
    /** Budgets: every power-of-two split of each. */
    C: z.union([posInt, z.array(posInt).min(1)]).optional(),
    min_N: posInt.default(1),
    max_N: posInt.optional(),
    /** One split. */
    T: posInt.optional(),
    N: posInt.optional(),
    seeds: SeedsSchema,
  })
  .superRefine((e, ctx) => {
    const split = e.T !== undefined || e.N !== undefined;
    if (e.C !== undefined && split)
      ctx.addIssue({
        code: "custom",
        path: ["C"],
        message: "give either C (every split) or T and N, not both",
      });
    else if (e.C === undefined && !split)
      ctx.addIssue({ code: "custom", path: ["C"], message: "give C (every split) or T and N" });
    else if (split && (e.T === undefined || e.N === undefined))
      ctx.addIssue({ code: "custom", path: [e.T === undefined ? "T" : "N"], message: "T and N go together" });
    for (const [k, C] of (Array.isArray(e.C) ? e.C : e.C === undefined ? [] : [e.C]).entries())
      if ((C & (C - 1)) !== 0)
        ctx.addIssue({
          code: "custom",
          path: Array.isArray(e.C) ? ["C", k] : ["C"],
          message: "must be a power of two",
        });
  });

const BanditEntrySchema = z
  .strictObject({
    algos: z.array(z.string().min(1)).min(1, "must name at least one policy"),
    n_arms: posInt,
    /** Budget in calls; T_total = C / N rounds. */
    C: posInt,
    N: posInt,
    bandit_seeds: SeedsSchema,
    /** Arm i has seed arm_seed_base + i (the reference's default is 40). */
    arm_seed_base: nonNegInt.default(40),
    T_cap_per_arm: posInt.optional(),
    /** Policy parameters by policy name: `{ "ucb": { "c": 1 } }`. */
    params: z.record(z.string(), z.record(z.string(), z.number())).default({}),
  })
  .refine((e) => e.C % e.N === 0, { path: ["C"], message: "must be a multiple of N" });

const MutatorParamsSchema = z
  .strictObject({
    scale_min: z.number().positive(),
    scale_max: z.number().positive(),
    abs_floor: z.number().nonnegative(),
  })
  .partial()
  .refine((m) => m.scale_min === undefined || m.scale_max === undefined || m.scale_min <= m.scale_max, {
    path: ["scale_max"],
    message: "must be >= scale_min",
  });

export const GridConfigSchema = z.strictObject({
  description: z.string().optional(),
  /** Root of the result tree, relative to the config file's folder. */
  output: z.string().min(1).default("."),
  tasks: z.array(z.string().min(1)).min(1, "must name at least one task"),
  models: z.array(z.string().min(1)).min(1, "must name at least one model"),
  greedy: z.array(GreedyEntrySchema).default([]),
  bandit: z.array(BanditEntrySchema).default([]),
  /** LLM calls in flight, over all runs. */
  parallel_llm: posInt.default(16),
  /** Evaluations in flight, over all runs (default: the number of cores). */
  parallel_eval: posInt.optional(),
  /** Runs in progress at once. */
  parallel_runs: posInt.default(8),
  /** Write `.json.gz` files. */
  gzip: z.boolean().default(true),
  /** Reuse the evaluation of identical code across runs (evaluation is a function of the code). */
  eval_cache: z.boolean().default(true),
  /** Extra models (relative to the config file's folder), as `--models`. */
  models_file: z.string().optional(),
  /** Folder of task folders (relative to the config file's folder), as `--tasks-dir`. */
  tasks_dir: z.string().optional(),
  /** Step sizes of the built-in mutator (models with provider "mutator"). */
  mutator: MutatorParamsSchema.optional(),
  /** Request overrides, as `run`'s flags. */
  max_tokens: posInt.optional(),
  timeout_s: z.number().positive().optional(),
  retries: nonNegInt.default(2),
  /** A run stops after this many calls in a row got no answer (0: never), as `--max-consecutive-failures`. */
  max_consecutive_failures: nonNegInt.default(10),
  /** "evoalloc" (default) or "reference" (every failure retried after a fixed 5 s, 3 tries), as `--retry-policy`. */
  retry_policy: z.enum(["evoalloc", "reference"]).default("evoalloc"),
  /** The bandit policies' random stream, "evoalloc" (when absent) or "python", as `run bandit --rng`. */
  rng: z.enum(RNG_KINDS, { error: `must be one of ${RNG_KINDS.join(", ")}` }).optional(),
});
export type GridConfig = z.infer<typeof GridConfigSchema>;

/** A bad config: one line naming the file and the field. */
export class GridConfigError extends Error {
  override name = "GridConfigError";
}

/**
 * Validates a parsed config.
 * @throws GridConfigError "FILE: greedy[1].seeds: must be …"
 */
export function parseGridConfig(json: unknown, file: string): GridConfig {
  const r = GridConfigSchema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new GridConfigError(`${file}: ${fieldPath(issue.path) || "(root)"}: ${issue.message}`);
}

/** `["greedy", 1, "seeds"]` → `greedy[1].seeds` */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

export function seedList(seeds: z.infer<typeof SeedsSchema>): number[] {
  return Array.isArray(seeds) ? seeds : Array.from({ length: seeds.count }, (_, k) => seeds.start + k);
}

export interface GreedyGridRun extends GreedyRunName {
  kind: "greedy";
  /** Result file, relative to the output root. */
  path: string;
  calls: number;
}

export interface BanditGridRun extends BanditRunName {
  kind: "bandit";
  armSeedBase: number;
  T_cap_per_arm: number;
  params: Record<string, number>;
  /** The policy's random stream, from the config's `rng` (evoalloc's own when absent). */
  rng?: RngKind;
  /** Result file, relative to the output root. */
  path: string;
  calls: number;
}

export type GridRun = GreedyGridRun | BanditGridRun;

/** The (T, N) splits of budget C: T = 1, 2, 4, … with minN ≤ N = C/T ≤ maxN. */
export function powerOfTwoSplits(C: number, minN = 1, maxN = C): { T: number; N: number }[] {
  const out: { T: number; N: number }[] = [];
  for (let T = 1; T <= C; T *= 2) {
    const N = C / T;
    if (Number.isInteger(N) && N >= minN && N <= maxN) out.push({ T, N });
  }
  return out;
}

/**
 * Every run of the grid, one per result file (duplicates — a deep run that
 * is also a split's run — appear once). Order: greedy runs by decreasing
 * budget (a shallower run with the same N is a prefix of a deeper one, so
 * with the evaluation cache it costs no evaluation), then bandit runs.
 * Paths follow DESIGN.md; `ext` is ".json" or ".json.gz".
 *
 * @example expandGrid(parseGridConfig({ tasks: ["cp"], models: ["m"], greedy: [{ T: 2, N: 4, seeds: [1] }] }, "g"), ".json")[0].path
 * // => "cp/m/greedy_C8_T2_N4_seed1.json"
 */
export function expandGrid(cfg: GridConfig, ext: ResultExt): GridRun[] {
  const greedy: GreedyGridRun[] = [];
  const bandit: BanditGridRun[] = [];
  const seen = new Set<string>();
  for (const task of cfg.tasks)
    for (const model of cfg.models) {
      for (const e of cfg.greedy) {
        const splits =
          e.C === undefined
            ? [{ T: e.T!, N: e.N! }]
            : (Array.isArray(e.C) ? e.C : [e.C]).flatMap((C) => powerOfTwoSplits(C, e.min_N, e.max_N ?? C));
        for (const { T, N } of splits)
          for (const seed of seedList(e.seeds)) {
            const path = greedyResultPath({ task, model, T, N, seed }, ext);
            if (seen.has(path)) continue;
            seen.add(path);
            greedy.push({ kind: "greedy", task, model, T, N, seed, path, calls: T * N });
          }
      }
      for (const e of cfg.bandit) {
        const T_total = e.C / e.N;
        const cap = e.T_cap_per_arm ?? T_total;
        for (const algo of e.algos)
          for (const banditSeed of seedList(e.bandit_seeds)) {
            const path = banditResultPath(
              { task, model, algo, T_total, N: e.N, nArms: e.n_arms, banditSeed },
              ext,
            );
            if (seen.has(path)) continue;
            seen.add(path);
            bandit.push({
              kind: "bandit",
              task,
              model,
              algo,
              T_total,
              N: e.N,
              nArms: e.n_arms,
              armSeedBase: e.arm_seed_base,
              banditSeed,
              T_cap_per_arm: cap,
              params: e.params[algo] ?? {},
              ...(cfg.rng !== undefined ? { rng: cfg.rng } : {}),
              path,
              calls: Math.min(T_total, e.n_arms * cap) * e.N,
            });
          }
      }
    }
  // stable: config order within one budget
  greedy.sort((a, b) => b.T * b.N - a.T * a.N);
  return [...greedy, ...bandit];
}
