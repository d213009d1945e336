/**
 * No legend with a single entry: a legend that lists one value (one model,
 * one budget, one policy) says nothing the title does not, so it is dropped.
 * Pure; works on any spec whose data are inline (`data.values`).
 */
import type { TopLevelSpec } from "vega-lite";

/** Channels that draw a legend of discrete entries. */
const LEGEND_CHANNELS = ["color", "fill", "stroke", "shape", "strokeDash", "size", "opacity", "fillOpacity"];

type Node = Record<string, unknown>;

/**
 * Returns a copy of `spec` in which every nominal or ordinal legend channel
 * whose field takes at most one distinct value in the spec's inline rows has
 * `legend: null`. A layer's filter can only remove values, so a field with
 * one value in all rows has at most one in any layer. O(spec size + rows ×
 * legend channels).
 * @example dropSingleEntryLegends({data: {values: [{m: "a"}]}, mark: "point", encoding: {color: {field: "m", type: "nominal"}}}).encoding.color.legend // => null
 */
export function dropSingleEntryLegends(spec: TopLevelSpec): TopLevelSpec {
  const rows = ((spec as unknown as Node).data as { values?: Node[] } | undefined)?.values;
  if (!Array.isArray(rows)) return spec;
  const distinct = new Map<string, number>();
  const count = (field: string) => {
    let n = distinct.get(field);
    if (n === undefined) {
      n = new Set(rows.map((r) => JSON.stringify(r[field] ?? null))).size;
      distinct.set(field, n);
    }
    return n;
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== "object") return node;
    const out: Node = {};
    for (const [k, v] of Object.entries(node as Node)) {
      if (k === "data") out[k] = v;
      else if (k === "encoding" && v && typeof v === "object") {
        const enc: Node = {};
        for (const [ch, def] of Object.entries(v as Node)) {
          const d = def as Node | null;
          const single =
            LEGEND_CHANNELS.includes(ch) &&
            d &&
            typeof d.field === "string" &&
            (d.type === "nominal" || d.type === "ordinal") &&
            d.legend !== null &&
            count(d.field) <= 1;
          enc[ch] = single ? { ...d, legend: null } : walk(def);
        }
        out[k] = enc;
      } else out[k] = walk(v);
    }
    return out;
  };
  return walk(spec) as TopLevelSpec;
}
