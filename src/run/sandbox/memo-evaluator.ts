/**
 * An `Evaluator` that evaluates each distinct program once. Evaluation is a
 * function of the code (the tasks' evaluators are deterministic), so the grid
 * shares one per task across runs: a shallow run that is a prefix of a deeper
 * one with the same N and seed (DESIGN.md "T × N sweep"), or a bandit arm
 * that is a logged greedy seed, costs no evaluation.
 *
 * Concurrent requests for the same code share one evaluation. Timeouts and
 * rejections (cancellation) are not kept: they depend on the moment, not on
 * the code.
 */
import { createHash } from "node:crypto";
import type { EvalResult, Evaluator } from "../ports.ts";

export interface MemoStats {
  /** Evaluations actually run. */
  evaluated: number;
  /** Answers taken from the memo (or from an evaluation in flight). */
  reused: number;
}

export class MemoEvaluator implements Evaluator {
  private readonly memo = new Map<string, Promise<EvalResult>>();
  readonly stats: MemoStats = { evaluated: 0, reused: 0 };

  constructor(private readonly inner: Evaluator) {}

  evaluate(code: string, signal?: AbortSignal): Promise<EvalResult> {
    const key = createHash("sha256").update(code).digest("hex");
    const hit = this.memo.get(key);
    if (hit !== undefined) {
      this.stats.reused++;
      return hit;
    }
    this.stats.evaluated++;
    const p = this.inner.evaluate(code, signal).then(
      (r) => {
        if (r.status === "timeout") this.memo.delete(key);
        return r;
      },
      (err: unknown) => {
        this.memo.delete(key);
        throw err;
      },
    );
    this.memo.set(key, p);
    return p;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
