/**
 * The report's replay stage: every (task, model, N) pool with at least three
 * seeds, replayed with K = min(5, S − 1) arms over G = the depth every seed
 * of the pool reaches (so the replay is exact), for every registered policy
 * beside the uniform, single and oracle references.
 *
 *   run records ─> buildPools ─> (S ≥ 3) ─> replay(pool, K, G, all policies) ─> PoolReplay[]
 */
import type { RunRecord } from "../log/read.ts";
import { buildPools, type ReplayResult, replay } from "../replay/index.ts";
import { siblingUrl, startWorker } from "../util/worker.ts";
import { mergeStudies, poolStudies, type Studies, type Taus } from "./studies.ts";

export type PoolReplay = ReplayResult;

export interface ReplayStageOptions {
  /** Bootstrap resamples of the seed pool behind every interval. Default 200. */
  bootstrap?: number;
  /** Instances per pool: every K-subset up to this many, else a seeded sample. Default 20,000. */
  maxInstances?: number;
  seed?: number;
  /** Threshold-reaching (τ per task) and the K ablation of every replayed pool; absent: neither. */
  studies?: { taus: Taus; reachReplicates: number };
  /** Called before each pool is replayed (progress): "task / model / N=n", its index, the pool count. */
  onPool?: (label: string, index: number, total: number) => void;
}

/** Fewest seeds a pool needs to be replayed (K ≥ 2 arms out of S − 1). */
export const MIN_POOL_SEEDS = 3;

/** Replays every eligible pool; pools left out get a note saying why. */
export function replayPools(runs: readonly RunRecord[], opts: ReplayStageOptions = {}): StageResult {
  const pools = buildPools(runs);
  const replays: PoolReplay[] = [];
  const notes: string[] = [];
  const studies: Studies[] = [];
  pools.forEach((pool, i) => {
    const S = pool.seeds.length;
    const name = `${pool.task} / ${pool.model} / N=${pool.N}`;
    if (S < MIN_POOL_SEEDS) {
      notes.push(`${name}: ${S} seed${S === 1 ? "" : "s"}; replay needs at least ${MIN_POOL_SEEDS}`);
      return;
    }
    const G = Math.min(...pool.depths);
    if (G < 1) {
      notes.push(`${name}: a seed has no generation logged; nothing to replay`);
      return;
    }
    opts.onPool?.(name, i, pools.length);
    const common = {
      bootstrap: opts.bootstrap ?? 200,
      maxInstances: opts.maxInstances ?? 20_000,
      seed: opts.seed ?? 0,
    };
    const main = replay(pool, { K: Math.min(5, S - 1), rounds: G, ...common });
    replays.push(main);
    if (opts.studies) studies.push(poolStudies(pool, main, { ...common, ...opts.studies }));
  });
  return { replays, notes, studies: mergeStudies(studies) };
}

export interface StageResult {
  replays: PoolReplay[];
  notes: string[];
  /** Threshold-reaching of the replayed policies and the K ablation (empty without `studies`). */
  studies: Studies;
}

type WorkerMessage =
  | { kind: "pool"; label: string; index: number; total: number }
  | { kind: "done"; result: StageResult }
  | { kind: "error"; message: string };

const workerUrl = siblingUrl("replay-worker", import.meta.url);

/**
 * `replayPools` on a worker thread, so the replays run beside the main
 * thread's figure layout. `onPool` still reports each pool as it starts.
 */
export function replayPoolsOnWorker(
  runs: readonly RunRecord[],
  opts: ReplayStageOptions = {},
): Promise<StageResult> {
  const { onPool, ...plain } = opts;
  return new Promise((resolve, reject) => {
    const worker = startWorker(workerUrl);
    const finish = (fn: () => void) => {
      void worker.terminate();
      fn();
    };
    worker.on("message", (m: WorkerMessage) => {
      if (m.kind === "pool") onPool?.(m.label, m.index, m.total);
      else if (m.kind === "done") finish(() => resolve(m.result));
      else finish(() => reject(new Error(`replay worker: ${m.message}`)));
    });
    worker.on("error", (err) => finish(() => reject(err)));
    worker.postMessage({ runs, opts: plain });
  });
}
