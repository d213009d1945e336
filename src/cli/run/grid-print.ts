/**
 * How `run grid` prints: the progress line on stderr (local or followed on
 * the queue), the summaries (mean final fitness per split and per bandit
 * policy) and the `--dry-run` plan as text. The `--json` forms are the core's
 * objects as they are.
 */
import type { QueueGridSummary } from "../../run/grid/enqueue.ts";
import type { GridProgress } from "../../run/grid/grid.ts";
import type { GridPlan } from "../../run/grid/plan.ts";
import type { FollowProgress } from "../../run/grid/queue-status.ts";
import type { GridSummary } from "../../run/grid/summary.ts";

/** A duration in seconds as `1h05m` or `3m07s`. @example fmtDuration(187) // => "3m07s" */
export const fmtDuration = (s: number): string => {
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(t % 60).padStart(2, "0")}s`;
};

/** The local grid's progress line. */
export const gridLine = (p: GridProgress): string =>
  `grid: runs ${p.runsDone}/${p.runsTotal} (${p.runsSkipped} skipped, ${p.runsActive} active, ${p.runsFailed} failed)` +
  ` | calls ${p.callsDone}/${p.callsTotal} (${p.callsPerS.toFixed(1)}/s)` +
  ` | evals ${p.evaluated} (+${p.evalReused} reused) | ETA ${p.etaS === null ? "?" : fmtDuration(p.etaS)}`;

/**
 * One progress line on stderr: rewritten in place on a terminal, else a plain
 * line every 10 s and at the end (`finished`). `log` prints FAILED and warning lines above it.
 */
export function progressPrinter<P>(
  line: (p: P) => string,
  finished: (p: P) => boolean,
): { update(p: P): void; log(line: string): void; stop(): void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (tty) {
        process.stderr.write(`\r\x1b[2K${line(p)}`);
        shown = true;
      } else if (now - last >= 10_000 || finished(p)) {
        last = now;
        process.stderr.write(`${line(p)}\n`);
      }
    },
    log(text) {
      if (!text.startsWith("FAILED") && !text.startsWith("warning:")) return;
      process.stderr.write(`${tty && shown ? "\r\x1b[2K" : ""}${text}\n`);
    },
    stop() {
      if (tty && shown) process.stderr.write("\n");
    },
  };
}

/** The summary as text: totals, then mean final fitness per split and per bandit policy. */
export function formatSummary(s: GridSummary): string {
  const out: string[] = [];
  out.push(
    `grid ${s.root}: ${s.runs.total} runs (${s.runs.run} run, ${s.runs.resumed} resumed, ${s.runs.skipped} skipped, ${s.runs.failed} failed)` +
      ` in ${fmtDuration(s.wall_time_s)}; ${s.calls.done} calls (${s.calls.replayed} replayed from journals);` +
      ` ${s.evaluations.run} evaluations (+${s.evaluations.reused} reused)`,
  );
  out.push(...formatRows(s));
  for (const f of s.failures) out.push(`FAILED ${f.path}: ${f.error}`);
  return `${out.join("\n")}\n`;
}

/** The mean final fitness per split and per bandit policy, as text lines (a blank line before each table). */
export function formatRows(s: Pick<GridSummary, "greedy" | "bandit">): string[] {
  const out: string[] = [];
  if (s.greedy.length > 0) {
    out.push("", "task  model       C     T     N   runs  mean      sd        min       max");
    for (const r of s.greedy)
      out.push(
        `${r.task.padEnd(5)} ${r.model.padEnd(10)} ${String(r.C).padStart(4)} ${String(r.T).padStart(5)} ${String(r.N).padStart(5)} ${String(r.n).padStart(6)}  ${r.mean.toFixed(6)}  ${r.sd.toFixed(6)}  ${r.min.toFixed(6)}  ${r.max.toFixed(6)}`,
      );
  }
  if (s.bandit.length > 0) {
    out.push("", "task  model      algo        C     K   runs  mean      sd");
    for (const r of s.bandit)
      out.push(
        `${r.task.padEnd(5)} ${r.model.padEnd(10)} ${r.algo.padEnd(10)} ${String(r.C).padStart(4)} ${String(r.K).padStart(5)} ${String(r.n).padStart(6)}  ${r.mean.toFixed(6)}  ${r.sd.toFixed(6)}`,
      );
  }
  return out;
}

/** The plan as text: a header line, then one line per run. */
export function formatPlan(p: GridPlan): string {
  const lines = [
    `grid ${p.root}: ${p.runs} runs, ${p.calls} calls; to run: ${p.to_run} runs, ${p.calls_to_run} calls` +
      ` (${p.states.done} done, ${p.states.partial} partial, ${p.states.todo} todo)`,
  ];
  for (const r of p.plan)
    lines.push(
      `${r.state.padEnd(7)} ${r.task} ${r.model} ` +
        (r.kind === "greedy"
          ? `greedy T=${r.T} N=${r.N} seed=${r.seed}`
          : `${r.algo} K=${r.K} T=${r.T} N=${r.N} seed=${r.bandit_seed}`) +
        ` ${r.output}`,
    );
  return `${lines.join("\n")}\n`;
}

/** The progress line of a grid followed on the queue. */
export const followLine = (p: FollowProgress): string =>
  `grid: runs ${p.runsDone}/${p.runsTotal} done (${p.runsRunning} running, ${p.runsWaiting} waiting, ${p.runsFailed} failed)` +
  ` | calls ${p.callsDone}/${p.callsTotal} (${p.callsPerS.toFixed(1)}/s) | ETA ${p.etaS === null ? "?" : fmtDuration(p.etaS)}`;

/** The summary as text: totals, failures, then mean final fitness per split and per bandit policy. */
export function formatQueueSummary(s: QueueGridSummary): string {
  const out = [
    `grid ${s.grid} (${s.root}) on ${s.queue}: ${s.runs.total} runs (${s.runs.skipped} done before, ${s.runs.done} done by workers,` +
      ` ${s.runs.failed} failed) in ${fmtDuration(s.wall_time_s)}; ${s.calls.asked} calls asked by workers` +
      `; jobs: ${s.jobs.added} added, ${s.jobs.present} already queued, ${s.jobs.retried} retried, ${s.jobs.requeued} re-added`,
  ];
  out.push(...formatRows(s));
  for (const f of s.failures) out.push(`FAILED ${f.path} (${f.attempts} tries): ${f.error}`);
  return `${out.join("\n")}\n`;
}
