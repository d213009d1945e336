/**
 * A figure is data → spec: `data(analysis)` returns plain rows (or why it is
 * skipped), `spec(rows)` returns a Vega-Lite spec with the rows inline. Both
 * are pure; rendering (SVG, PNG, HTML) lives in render.ts and html.ts.
 * "All decisions about how to draw are made without access to the files."
 */
import type { TopLevelSpec } from "vega-lite";
import type { Field } from "vega-lite/types_unstable/channeldef.js";
import type { Encoding } from "vega-lite/types_unstable/encoding.js";
import type { MarkDef } from "vega-lite/types_unstable/mark.js";
import type { LayerSpec, TopLevelFacetSpec } from "vega-lite/types_unstable/spec/index.js";
import type { Analysis } from "../analysis.ts";

export type Row = Record<string, unknown>;

/** Rows to draw, or the reason there is nothing to draw. */
export type FigureData<R extends Row = Row> =
  | { rows: R[]; notes?: string[]; meta?: Record<string, unknown> }
  | { skip: string };

export interface Figure<R extends Row = Row> {
  /** File name stem: reports/figures/NAME.svg. */
  name: string;
  title: string;
  /** A short paragraph: what is drawn and how to read it. */
  howToRead: string;
  /** True when the data step reads `analysis.replays` (drawn after the replays finish). */
  usesReplay?: boolean;
  data(a: Analysis): FigureData<R>;
  /** `meta`: figure-wide values the data step found (a label, a policy name), not rows. */
  spec(rows: R[], meta?: Record<string, unknown>): TopLevelSpec;
}

/** Builds a figure record with its row type checked. */
export function figure<R extends Row>(f: Figure<R>): Figure<Row> {
  return f as unknown as Figure<Row>;
}

/** Fonts: DejaVu Sans is what the PNG renderer has; browsers fall back to their sans-serif. */
const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";

/** The house look: readable fonts, left-aligned titles with a subtitle. */
export const CONFIG = {
  font: FONT,
  background: "white",
  padding: 12,
  title: { fontSize: 15, anchor: "start", subtitleFontSize: 11, subtitleColor: "#555", offset: 10 },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    grid: true,
    gridColor: "#eee",
    labelLimit: 260,
    // 0: no limit — a title is never cut to an ellipsis
    titleLimit: 0,
  },
  legend: {
    labelFontSize: 11,
    titleFontSize: 12,
    orient: "right",
    titleLimit: 0,
    labelLimit: 0,
    symbolOpacity: 1,
  },
  header: { labelFontSize: 12, titleFontSize: 12, labelLimit: 0, titleLimit: 0 },
  view: { stroke: "#ccc" },
} as const;

/** An encoding channel's definition, type-checked (`Channel<"x">`, `Channel<"color">`). */
export type Channel<K extends keyof Encoding<Field>> = NonNullable<Encoding<Field>[K]>;
/** One layer of a layered panel. */
export type Layer = LayerSpec<Field>["layer"][number];

/** What differs between the report's faceted figures; `faceted` adds the house frame. */
export interface Faceted {
  title: TopLevelFacetSpec["title"];
  /** The rows, inline (the spec carries its data). */
  rows: readonly object[];
  facet: TopLevelFacetSpec["facet"];
  columns?: number;
  /** The panel: size and mark/encoding or layers. */
  spec: TopLevelFacetSpec["spec"];
  /** Channels whose scale each panel sets for itself (`resolve`); shared across panels when absent. */
  independent?: readonly IndependentChannel[];
}

export type IndependentChannel = "x" | "y" | "color";

/**
 * A faceted Vega-Lite spec in the house frame: schema, title, inline data,
 * facet, panel, resolve and CONFIG, in that key order (the serialised JSON is
 * what the report writes).
 */
export function faceted(f: Faceted): TopLevelSpec {
  const scale: Partial<Record<IndependentChannel, "independent">> = {};
  for (const c of f.independent ?? []) scale[c] = "independent";
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: f.title,
    data: { values: f.rows as object[] },
    facet: f.facet,
    ...(f.columns === undefined ? {} : { columns: f.columns }),
    spec: f.spec,
    ...(f.independent === undefined ? {} : { resolve: { scale } }),
    config: CONFIG,
  };
}

/** A colour channel on `field` with a named scheme: `colorBy("policy", "policy", "category10")`. */
export function colorBy(
  field: string,
  legendTitle: string,
  scheme: "category10" | "tableau10" | "dark2" | "viridis",
  type: "nominal" | "ordinal" = "nominal",
): Channel<"color"> {
  return { field, type, title: legendTitle, scale: { scheme } };
}

/** The usual facet: one panel per (task, model) cell (`cellLabel`). */
export const CELL_FACET = { field: "cell", type: "nominal", title: "task / model" } as const;

/** The report's usual grid: one panel per (task, model) cell, three to a row. */
export const CELL_GRID = { facet: CELL_FACET, columns: 3 } as const;

/** The usual grid (`CELL_GRID`) of panels of the usual size, 280 × 220 pixels, each drawing `layer`. */
export function cellPanels(layer: Layer[]) {
  return { ...CELL_GRID, spec: { width: 280, height: 220, layer } } satisfies Partial<Faceted>;
}

/** A facet on `field` whose panels keep the rows' first-seen order (not alphabetical), labels uncut. */
export function orderedFacet(field: string, facetTitle: string, rows: readonly Record<string, unknown>[]) {
  return {
    field,
    type: "nominal",
    title: facetTitle,
    sort: [...new Set(rows.map((r) => String(r[field])))],
    header: { labelLimit: 0 },
  } as const satisfies TopLevelFacetSpec["facet"];
}

/** Tooltip lines of a row's 95% interval. */
export const CI_TOOLTIP = [
  { field: "lo", format: ".4f", title: "95% lo" },
  { field: "hi", format: ".4f", title: "95% hi" },
];

/** The dashed zero line across `axis` (where a difference changes sign). */
export function zeroRule(axis: "x" | "y"): Layer {
  return {
    mark: { type: "rule", color: "#999", strokeDash: [3, 3] },
    encoding: { [axis]: { datum: 0, type: "quantitative" } },
  };
}

/**
 * The filter that keeps the rows whose `kind` is `kind`, and `and` when given
 * (figures that keep fitted lines, observed points and markers in one table
 * tell them apart by the `kind` column).
 */
export function kindFilter(kind: string, and?: string): string {
  return `datum.kind === '${kind}'${and === undefined ? "" : ` && ${and}`}`;
}

/** A layer of the rows `kindFilter(kind, and)` keeps. */
export function kindLayer(
  kind: string,
  layer: { mark: MarkDef; encoding: Encoding<Field> },
  and?: string,
): Layer {
  return { transform: [{ filter: kindFilter(kind, and) }], ...layer };
}

/** A panel's fitted curves: a line through the rows of kind `fitted`. */
export function fittedLine(encoding: Encoding<Field>): Layer {
  return kindLayer("fitted", { mark: { type: "line", strokeWidth: 1.5 }, encoding });
}

/**
 * The rows' intervals [lo, hi] along `axis` (a rule, or an area band), placed
 * by the `at` channels and coloured by `color`; `filter` keeps some rows.
 */
export function intervalLayer(
  axis: "x" | "y",
  at: Encoding<Field>,
  color: Channel<"color">,
  mark: MarkDef = { type: "rule" },
  filter?: string,
): Layer {
  return {
    ...(filter === undefined ? {} : { transform: [{ filter }] }),
    mark,
    encoding: { ...at, [axis]: { field: "lo", type: "quantitative" }, [`${axis}2`]: { field: "hi" }, color },
  };
}

/** What a forest plot draws (`forestLayers`): where, which value, in which colour, with which marks. */
export interface Forest {
  axis: "x" | "y";
  at: Encoding<Field>;
  value: Channel<"x"> | Channel<"y">;
  color: Channel<"color">;
  rule: MarkDef;
  point: MarkDef;
  tooltip: Channel<"tooltip">;
}

/**
 * A forest plot's layers: the zero line, each row's interval along `axis`
 * and its point estimate `value`, placed by `at`.
 */
export function forestLayers(o: Forest): Layer[] {
  return [
    zeroRule(o.axis),
    intervalLayer(o.axis, o.at, o.color, o.rule),
    { mark: o.point, encoding: { ...o.at, [o.axis]: o.value, color: o.color, tooltip: o.tooltip } },
  ];
}

/** A colour channel's look: its scale and legend. */
type ColorLook = Pick<Extract<Channel<"color">, { scale?: unknown }>, "scale" | "legend">;

/**
 * The layers of a forest of paired differences in final fitness (rows'
 * `diff`, `lo`, `hi`) along x: one band per policy, split into one sub-band
 * per value of `by` (in `order`) and coloured by it (`look`).
 */
export function differenceForest(
  o: Pick<Forest, "rule" | "point" | "tooltip"> & {
    by: string;
    legendTitle: string;
    order: string[];
    look: ColorLook;
  },
): Layer[] {
  const { by: field, legendTitle, order, look, ...marks } = o;
  return forestLayers({
    axis: "x",
    at: {
      y: { field: "policy", type: "nominal", title: null },
      yOffset: { field, type: "nominal", sort: order },
    },
    value: { field: "diff", type: "quantitative", title: "difference in final fitness" },
    color: { field, type: "nominal", title: legendTitle, sort: order, ...look },
    ...marks,
  });
}

export function title(text: string, subtitle?: string | string[]) {
  return subtitle ? { text, subtitle } : { text };
}

/** "task / model" label of a (task, model) cell, the usual facet. */
export const cellLabel = (task: string, model: string) => `${task} / ${model}`;

export { groupBy } from "../../util/group-by.ts";

/** Fitness is the task's combined_score (unitless, higher is better); axis titles stay short so they fit the panel. */
export const FITNESS = "fitness (score)";

/** The y channel of mean best-so-far fitness (envelope, learning curves). */
export const MEAN_BEST_Y: Channel<"y"> = {
  field: "y",
  type: "quantitative",
  title: `mean best ${FITNESS}`,
  scale: { zero: false },
};
