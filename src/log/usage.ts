/**
 * What a usage object must be before its tokens count (DESIGN.md attempt
 * shape): the token counts an endpoint reports are non-negative safe
 * integers, and the cached prompt tokens are at most the prompt tokens.
 * Anything else (negative, fractional, a string, 1e308, cached > prompt)
 * would make FLOPs negative, inflated or unwritable, so the runner records
 * such an attempt as `error:InvalidUsage` (the raw usage under `raw_usage`,
 * `usage` null) and `validate` rejects it in files.
 */

const COUNTS = ["prompt_tokens", "completion_tokens", "total_tokens"] as const;

const isCount = (x: unknown): boolean => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;

/**
 * The first problem of a usage object as "prompt_tokens: is -5, not a
 * non-negative integer", or null when it is usable. null/undefined usage
 * (the server sent none) is usable: it counts no tokens.
 *
 * @example usageProblem({ prompt_tokens: 10, completion_tokens: 2 }) // => null
 * @example usageProblem({ prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 11 } })
 * // => "prompt_tokens_details.cached_tokens: is 11, more than prompt_tokens (10)"
 */
export function usageProblem(usage: unknown): string | null {
  if (usage === null || usage === undefined) return null;
  if (typeof usage !== "object" || Array.isArray(usage)) return `is ${show(usage)}, not an object`;
  const u = usage as Record<string, unknown>;
  for (const k of COUNTS) {
    const v = u[k];
    if (v !== null && v !== undefined && !isCount(v))
      return `${k}: is ${show(v)}, not a non-negative integer`;
  }
  const details = u.prompt_tokens_details;
  if (details === null || details === undefined) return null;
  if (typeof details !== "object" || Array.isArray(details))
    return `prompt_tokens_details: is ${show(details)}, not an object`;
  const cached = (details as Record<string, unknown>).cached_tokens;
  if (cached === null || cached === undefined) return null;
  if (!isCount(cached))
    return `prompt_tokens_details.cached_tokens: is ${show(cached)}, not a non-negative integer`;
  const prompt = u.prompt_tokens;
  if (typeof prompt === "number" && (cached as number) > prompt)
    return `prompt_tokens_details.cached_tokens: is ${cached}, more than prompt_tokens (${prompt})`;
  return null;
}

const show = (v: unknown): string => {
  const s = typeof v === "string" ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
};
