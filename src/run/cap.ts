/**
 * What one child may store: a candidate controls its evaluator's error text
 * and metrics, and 40 children returning 14 MB each once made a run
 * unwritable (a 560 MB journal, a result longer than V8's longest string).
 * Each is capped at `CAP_BYTES` (64 KiB) before it is journalled:
 *
 * - error text: its head and tail (a traceback's end says the most) around
 *   a marker `…[evoalloc: truncated, N bytes in all]…`;
 * - metrics: entries are kept in order while they fit, larger ones are
 *   dropped and named under `evoalloc_truncated: {original_bytes, dropped}`.
 */
import { stringifyPythonJson } from "../log/json.ts";
import type { EvalResult } from "./ports.ts";

export const CAP_BYTES = 64 * 1024;

const bytes = (s: string): number => Buffer.byteLength(s, "utf8");

/**
 * `text` when at most `cap` bytes, else its head and tail with a marker.
 * @example capText("x".repeat(10), 4).startsWith("x…[evoalloc: truncated, 10 bytes in all]…") // => true
 */
export function capText(text: string, cap = CAP_BYTES): string {
  const n = bytes(text);
  if (n <= cap) return text;
  const head = Math.floor(cap / 4);
  const tail = cap - head;
  // slice by bytes, dropping a split character at either cut
  const buf = Buffer.from(text, "utf8");
  const start = buf
    .subarray(0, head)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
  const end = buf
    .subarray(n - tail)
    .toString("utf8")
    .replace(/^\uFFFD/, "");
  return `${start}…[evoalloc: truncated, ${n} bytes in all]…${end}`;
}

/** `metrics` when its JSON is at most `cap` bytes, else the entries that fit and a note of the rest. */
export function capMetrics(
  metrics: Record<string, unknown> | null,
  cap = CAP_BYTES,
): Record<string, unknown> | null {
  if (metrics === null) return null;
  const sizes = Object.entries(metrics).map(
    ([k, v]) => [k, v, bytes(stringifyPythonJson({ [k]: v }))] as const,
  );
  const total = sizes.reduce((s, [, , n]) => s + n, 0);
  if (total <= cap) return metrics;
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  let used = 0;
  // room for the note: its keys are named at most 100 at a time
  const budget = cap - 8 * 1024;
  for (const [k, v, n] of sizes) {
    if (used + n <= budget) {
      kept[k] = v;
      used += n;
    } else dropped.push(k);
  }
  kept.evoalloc_truncated = {
    original_bytes: total,
    dropped: dropped.slice(0, 100).map((k) => capText(k, 64)),
    ...(dropped.length > 100 ? { dropped_count: dropped.length } : {}),
  };
  return kept;
}

/** An evaluation result with its error and metrics capped. */
export function capEvalResult(ev: EvalResult, cap = CAP_BYTES): EvalResult {
  const error = ev.error === null ? null : capText(ev.error, cap);
  const metrics = capMetrics(ev.metrics, cap);
  return error === ev.error && metrics === ev.metrics ? ev : { ...ev, error, metrics };
}
