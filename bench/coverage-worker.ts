/** Worker of `npm run bench:coverage`: one job (a truth, or a chunk of pools of one cell) per message. */
import { parentPort } from "node:worker_threads";
import { type IntervalMethod, replay } from "../src/replay/index.ts";
import { drawPool, type ModelName, truthOf } from "./coverage-models.ts";

export type Job =
  | {
      kind: "truth";
      id: string;
      model: ModelName;
      K: number;
      G: number;
      policies: string[];
      m: number;
      seed: number;
    }
  | {
      kind: "pools";
      id: string;
      model: ModelName;
      S: number;
      K: number;
      G: number;
      policies: string[];
      from: number;
      to: number;
      maxInstances: number;
      method: IntervalMethod;
      /** Draw the pools the constants were tuned on (no salt). */
      tuning: boolean;
    };

/** Added to every pool's seed: fresh pools, not the ones the interval method was tuned on. */
export const POOL_SALT = 0x5eed_0000;

/** Per statistic key: point estimate, lo, hi (NaN where no interval) per pool. */
export type PoolRows = Record<string, { point: number[]; lo: number[]; hi: number[] }>;

function runPools(job: Extract<Job, { kind: "pools" }>): PoolRows {
  const rows: PoolRows = {};
  const put = (key: string, point: number | null, ci: [number, number] | null) => {
    const r = (rows[key] ??= { point: [], lo: [], hi: [] });
    r.point.push(point ?? Number.NaN);
    r.lo.push(ci?.[0] ?? Number.NaN);
    r.hi.push(ci?.[1] ?? Number.NaN);
  };
  for (let i = job.from; i < job.to; i++) {
    // the pool's seed names the model, cell and index, so cells draw independent pools; POOL_SALT keeps them
    // apart from the pools jackknife-pseudo's constants were chosen on (the same formula without the salt)
    const seed =
      1_000_003 * i +
      7919 * job.S +
      101 * job.K +
      job.G +
      (job.model === "steady" ? 0 : 500_000) +
      (job.tuning ? 0 : POOL_SALT);
    const pool = drawPool(job.model, job.S, 64, seed);
    const res = replay(pool, {
      K: job.K,
      rounds: job.G,
      policies: job.policies,
      bootstrap: 1,
      seed: i,
      maxInstances: job.maxInstances,
      intervalMethod: job.method,
    });
    for (const [name, p] of Object.entries(res.policies)) {
      put(`${name}.mean`, p.mean, p.ci95);
      put(`${name}.p_improve_vs_uniform`, p.p_improve_vs_uniform, p.p_improve_vs_uniform_ci95);
      put(`${name}.p_improve_vs_single`, p.p_improve_vs_single, p.p_improve_vs_single_ci95);
      put(`${name}.normalized_mean`, p.normalized_mean, p.normalized_ci95);
    }
    for (const [name, d] of Object.entries(res.references)) put(`${name}.mean`, d.mean, d.ci95);
    for (const c of res.comparisons) put(`${c.a}-${c.b}.diff`, c.mean_diff, c.ci95);
  }
  return rows;
}

parentPort!.on("message", (job: Job) => {
  try {
    const result =
      job.kind === "truth" ? truthOf(job.model, job.K, job.G, job.policies, job.m, job.seed) : runPools(job);
    parentPort!.postMessage({ id: job.id, result });
  } catch (err) {
    parentPort!.postMessage({
      id: job.id,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  }
});
