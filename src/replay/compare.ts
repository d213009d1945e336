/**
 * Paired comparisons of statistics over the same seeds, Holm's step-down
 * adjustment, and the choice of a best candidate that says when there is
 * no clear winner.
 *
 *   SeedStat per candidate ─> order by point ─> best − each other (paired jackknife t)
 *                          ─> Holm over those m − 1 p-values ─> clear winner | tied set
 *
 * Works for any statistics carried as SeedStat: replay's policy means
 * (U-statistics over instances), or means over seeds (`seedMean`), where the
 * paired jackknife t test is exactly the paired Student t test.
 *
 * For a replay, `replayComparisons` compares every pair of policies and each
 * policy with the references, paired over the instances and by a Wilcoxon
 * signed-rank test on disjoint instances.
 */
import type { PolicyParams, PolicySpec } from "../policies/policy.ts";
import type { RngKind } from "../policies/stream.ts";
import { tTwoSidedP } from "../util/student-t.ts";
import { type CurveTable, references, runPolicy } from "./engine.ts";
import { ReplayError } from "./errors.ts";
import { disjointInstances, shuffleArms } from "./instances.ts";
import { type Allocation, meanOf, REFERENCE_NAMES, type ScoreTable } from "./intervals.ts";
import { difference, type Interval, type JackknifeOptions, jackknife, type SeedStat } from "./jackknife.ts";
import { type WilcoxonResult, wilcoxonSignedRank } from "./wilcoxon.ts";

export interface PairedTest {
  /** point(a) − point(b). */
  diff: number;
  se: number;
  df: number;
  /** Jackknife-t interval of the difference; null when undefined. */
  ci95: Interval;
  /** Two-sided p-value of diff = 0 (t on df); null when undefined. */
  p_value: number | null;
}

export interface PairedOptions extends JackknifeOptions {
  /** The interval of the difference (default: its jackknife interval by `level` and `skew`). */
  interval?: (diff: SeedStat) => Interval;
  /** Its two-sided p-value of 0 (default: the jackknife t test's); null = undefined. */
  pValue?: (diff: SeedStat) => number | null;
}

/**
 * Paired jackknife t test of a − b (same seeds).
 * A zero standard error gives p = 1 for a zero difference and 0 otherwise.
 */
export function pairedTest(a: SeedStat, b: SeedStat, opts: PairedOptions | number = {}): PairedTest {
  const diff = difference(a, b);
  const d = jackknife(diff, opts);
  let p: number | null = null;
  if (typeof opts !== "number" && opts.pValue) p = opts.pValue(diff);
  else if (!Number.isNaN(d.se) && !Number.isNaN(d.point) && d.df >= 1)
    p = d.se > 0 ? tTwoSidedP(d.point / d.se, d.df) : d.point === 0 ? 1 : 0;
  const ci95 = typeof opts !== "number" && opts.interval ? opts.interval(diff) : d.ci95;
  return { diff: d.point, se: d.se, df: d.df, ci95, p_value: p };
}

/**
 * Holm's step-down adjusted p-values (Holm 1979), in the input's order:
 * p̃_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)) over ascending p. A null
 * (undefined) p-value stays null and does not count in m. O(m log m).
 * @example holm([0.01, 0.04, 0.03]) // => [0.03, 0.06, 0.06]
 */
export function holm(pValues: readonly (number | null)[]): (number | null)[] {
  const idx = pValues.map((p, i) => [p, i] as const).filter(([p]) => p !== null) as [number, number][];
  idx.sort((x, y) => x[0] - y[0]);
  const m = idx.length;
  const out: (number | null)[] = pValues.map(() => null);
  let running = 0;
  idx.forEach(([p, i], j) => {
    running = Math.max(running, Math.min(1, (m - j) * p));
    out[i] = running;
  });
  return out;
}

export interface BestVersus extends PairedTest {
  other: string;
  /** Holm-adjusted over the comparisons of the best with every other candidate. */
  p_holm: number | null;
}

export interface BestPick {
  /** Highest point value (lowest with `lowerIsBetter`); ties to the earlier candidate. */
  best: string;
  /** Second by point value; null with one candidate. */
  runner_up: string | null;
  /** The best against each other candidate, in order of point value. */
  versus: BestVersus[];
  /** True when every comparison rejects equality at Holm-adjusted level 1 − level. */
  clear: boolean;
  /** The candidates not told apart from the best (Holm-adjusted p ≥ 1 − level, or undefined). */
  tied: string[];
  /** "ucb" or "no clear winner: ucb, thompson (…)", for a headline. */
  statement: string;
}

export interface PickBestOptions extends PairedOptions {
  lowerIsBetter?: boolean;
}

/**
 * Names the best of `candidates` only where the data tell it apart: it is
 * compared with every other by a paired jackknife t test, the p-values are
 * Holm-adjusted over that set, and the winner is clear when all of them are
 * below 1 − level; otherwise the statement is "no clear winner" with the
 * tied candidates. The runner-up's entry in `versus` holds the paired
 * interval of best − runner-up. O(m·S + m log m).
 * @throws ReplayError when there is no candidate.
 * @example pickBest({ a: seedMean([1, 2, 3]), b: seedMean([1.1, 2.1, 3.1]) }).statement // => "no clear winner: b, a"
 */
export function pickBest(candidates: Record<string, SeedStat>, opts: PickBestOptions = {}): BestPick {
  const level = opts.level ?? 0.95;
  const sign = opts.lowerIsBetter ? -1 : 1;
  const names = Object.keys(candidates).filter((n) => !Number.isNaN(candidates[n]!.point));
  if (names.length === 0) throw new ReplayError("pickBest: no candidate with a value");
  const order = names
    .map((n, i) => [n, i] as const)
    .sort((x, y) => sign * (candidates[y[0]]!.point - candidates[x[0]]!.point) || x[1] - y[1])
    .map(([n]) => n);
  const best = order[0]!;
  const tests = order.slice(1).map((other) =>
    pairedTest(candidates[best]!, candidates[other]!, {
      level,
      skew: opts.skew,
      interval: opts.interval,
      pValue: opts.pValue,
    }),
  );
  const adjusted = holm(tests.map((t) => t.p_value));
  const alpha = 1 - level;
  const versus: BestVersus[] = tests.map((t, i) => ({ other: order[i + 1]!, ...t, p_holm: adjusted[i]! }));
  const tied = versus.filter((v) => v.p_holm === null || v.p_holm >= alpha).map((v) => v.other);
  const clear = tied.length === 0;
  return {
    best,
    runner_up: order[1] ?? null,
    versus,
    clear,
    tied,
    statement: clear ? best : `no clear winner: ${[best, ...tied].join(", ")}`,
  };
}

export interface Comparison {
  a: string;
  b: string;
  /** Mean over instances of Y_a − Y_b, with its paired interval and two-sided p-value. */
  mean_diff: number;
  ci95: Interval;
  p_value: number | null;
  /** Wilcoxon signed-rank on the disjoint instances (seeds in ascending order, groups of K, arms shuffled). */
  wilcoxon: WilcoxonResult;
}

/** The policies of a replay and the data they ran on, as the comparisons need them. */
export interface ComparisonInput {
  names: string[];
  specs: PolicySpec[];
  params: PolicyParams[];
  table: CurveTable;
  nSeeds: number;
  k: number;
  rounds: number;
  seed: number;
  rng?: RngKind;
  scores: ScoreTable;
  /** The paired interval and test options, or null when intervals are off. */
  paired: PairedOptions | null;
  /** No disjoint instances (a single --subset instance). */
  single: boolean;
}

/** The arms' order on the disjoint instances. */
const STREAM_DISJOINT_ORDER = 0x7fff0005;
/** Policy streams of the disjoint instances start here (stream 0x40000000 of the evoalloc generator). */
const DISJOINT_INSTANCE = 0x3fffffff;

/**
 * Every pair of policies, then each policy against uniform, single and oracle: the mean difference
 * over the instances with its paired interval and p-value (same instances, common random numbers),
 * and a Wilcoxon signed-rank test on ⌊S/K⌋ disjoint instances (replayed here: they share no seed,
 * so their outcomes are independent). Returns the notes it has (too few disjoint instances).
 * O(P²·S + P·⌊S/K⌋·G·K).
 */
export function replayComparisons(input: ComparisonInput): { comparisons: Comparison[]; notes: string[] } {
  const { names, k, scores } = input;
  const notes: string[] = [];
  const disjoint = disjointOutcomes(input);
  if (disjoint && disjoint.count < 6)
    notes.push(
      `only ${disjoint.count} disjoint instance(s) of K = ${k} in ${input.nSeeds} seeds: the Wilcoxon tests have little power`,
    );
  const allocations: Allocation[] = [...names.map((_, p) => p), ...REFERENCE_NAMES];
  const label = (a: Allocation) => (typeof a === "number" ? names[a]! : a);
  const stats = allocations.map((a) => meanOf(a)(scores));
  const comparisons: Comparison[] = [];
  const compare = (a: number, b: number) => {
    const test = input.paired ? pairedTest(stats[a]!, stats[b]!, input.paired) : null;
    const da = disjoint?.outcomes[a];
    const db = disjoint?.outcomes[b];
    const dd = new Float64Array(da?.length ?? 0);
    for (let i = 0; i < dd.length; i++) dd[i] = da![i]! - db![i]!;
    comparisons.push({
      a: label(allocations[a]!),
      b: label(allocations[b]!),
      mean_diff: stats[a]!.point - stats[b]!.point,
      ci95: test?.ci95 ?? null,
      p_value: test?.p_value ?? null,
      wilcoxon: wilcoxonSignedRank(dd),
    });
  };
  const P = names.length;
  for (let p = 0; p < P; p++) {
    for (let q = p + 1; q < P; q++) compare(p, q);
    for (let j = 0; j < REFERENCE_NAMES.length; j++) compare(p, P + j);
  }
  return { comparisons, notes };
}

/** Outcomes of every policy and reference on the disjoint instances, in allocation order; null for a subset. */
function disjointOutcomes(input: ComparisonInput): { count: number; outcomes: Float64Array[] } | null {
  if (input.single) return null;
  const { table, rounds, seed } = input;
  const inst = shuffleArms(disjointInstances(input.nSeeds, input.k), seed, STREAM_DISJOINT_ORDER);
  const runs = input.specs.map(
    (spec, p) =>
      runPolicy(table, inst, {
        spec,
        params: input.params[p]!,
        rounds,
        seed,
        firstInstance: DISJOINT_INSTANCE,
        rng: input.rng,
      }).outcomes,
  );
  const refs = references(table, inst, rounds);
  return { count: inst.count, outcomes: [...runs, refs.uniform, refs.single, refs.oracle] };
}
