/** Online bandit runs: running best per round by algorithm, and which arm each run pulled when. */
import type { TopLevelSpec } from "vega-lite";
import { mean } from "../../util/stats.ts";
import type { Analysis } from "../analysis.ts";
import { banditReferences } from "../bandit-references.ts";
import { type RoundRow, roundRows } from "../tables.ts";
import type { Channel, FigureData } from "./figure.ts";
import { colorBy, FITNESS, faceted, figure, groupBy, title } from "./figure.ts";

const setting = (r: Pick<RoundRow, "task" | "model" | "C" | "N" | "n_arms">) =>
  `${r.task} / ${r.model} (C=${r.C}, N=${r.N}, K=${r.n_arms})`;

const rounds = (a: Analysis): RoundRow[] => roundRows(a.tables);

export interface BanditBestRow extends Record<string, unknown> {
  setting: string;
  algo: string;
  round: number;
  mean: number;
  lo: number;
  hi: number;
  runs: number;
}

/** The same arm set's single, uniform and oracle values at the runs' G (mean over the setting's runs). */
export interface BanditReferenceMark extends Record<string, unknown> {
  setting: string;
  reference: "single" | "uniform" | "oracle";
  value: number;
  label: string;
}

export function banditRunningBestData(a: Analysis): FigureData<BanditBestRow | BanditReferenceMark> {
  const rs = rounds(a).filter((r) => r.running_best !== null && Number.isFinite(r.running_best));
  if (rs.length === 0) return { skip: "no online bandit runs in the results" };
  const rows: BanditBestRow[] = [];
  for (const [, list] of groupBy(rs, (r) => `${setting(r)}\u0000${r.algo}\u0000${r.round}`)) {
    const v = list.map((r) => r.running_best!);
    const r0 = list[0]!;
    rows.push({
      setting: setting(r0),
      algo: r0.algo,
      round: r0.round,
      mean: mean(v),
      lo: Math.min(...v),
      hi: Math.max(...v),
      runs: v.length,
    });
  }
  const refs = banditReferences(a.tables);
  const marks: BanditReferenceMark[] = [];
  for (const [s, list] of groupBy(refs.rows, (r) => setting(r))) {
    for (const reference of ["oracle", "uniform", "single"] as const) {
      const value = list.reduce((acc, r) => acc + r[reference], 0) / list.length;
      marks.push({ setting: s, reference, value, label: `${reference} ${value.toFixed(3)}` });
    }
  }
  return { rows: [...rows, ...marks], ...(refs.notes.length > 0 ? { notes: refs.notes } : {}) };
}

export function banditRunningBestSpec(rows: (BanditBestRow | BanditReferenceMark)[]): TopLevelSpec {
  const curves = { filter: "datum.reference == null" };
  const marks = { filter: "datum.reference != null" };
  const x: Channel<"x"> = {
    field: "round",
    type: "quantitative",
    title: "round (one generation of N calls)",
    axis: { tickMinStep: 1, format: "d" },
  };
  const color: Channel<"color"> = { field: "algo", type: "nominal", title: "online policy" };
  return faceted({
    title: title("Online bandit runs: running best per round", [
      "Line: mean over bandit seeds of the best fitness found so far; band: min–max over those runs.",
      "Dashed: the same arms given the same rounds as one run each (single, mean), in equal shares (uniform), or all to the best (oracle).",
    ]),
    rows,
    facet: {
      field: "setting",
      type: "nominal",
      title: "task / model (budget, breadth, arms)",
      header: { labelLimit: 0 },
    },
    columns: 3,
    spec: {
      width: 300,
      height: 220,
      layer: [
        {
          transform: [curves],
          mark: { type: "area", opacity: 0.15 },
          encoding: {
            x,
            y: { field: "lo", type: "quantitative", scale: { zero: false } },
            y2: { field: "hi" },
            color,
          },
        },
        {
          transform: [curves],
          mark: { type: "line", strokeWidth: 2 },
          encoding: {
            x,
            y: {
              field: "mean",
              type: "quantitative",
              title: `running best ${FITNESS}`,
              scale: { zero: false },
            },
            color,
            tooltip: [
              { field: "algo" },
              { field: "round" },
              { field: "mean", format: ".4f" },
              { field: "runs" },
            ],
          },
        },
        {
          transform: [marks],
          mark: { type: "rule", strokeDash: [5, 3], color: "#555", strokeWidth: 1 },
          encoding: {
            y: { field: "value", type: "quantitative" },
            tooltip: [{ field: "reference" }, { field: "value", format: ".4f" }],
          },
        },
        {
          transform: [marks],
          mark: {
            type: "text",
            align: "left",
            baseline: "bottom",
            dx: 2,
            dy: -1,
            fontSize: 9,
            color: "#555",
          },
          encoding: {
            x: { value: 0 },
            y: { field: "value", type: "quantitative" },
            text: { field: "label" },
          },
        },
      ],
    },
    independent: ["x", "y"],
  });
}

export const banditRunningBest = figure({
  name: "bandit-running-best",
  title: "Online bandit runs: running best",
  howToRead:
    "Logged online runs of the bandit policies (each round one arm runs one more generation). The line is the mean best-so-far over the runs of one policy, the band their range; with few seeds per policy, read differences as indicative and check the replay figures, which average over many instances.",
  data: banditRunningBestData,
  spec: banditRunningBestSpec,
});

export interface SelectionRow extends Record<string, unknown> {
  setting: string;
  run: string;
  round: number;
  arm: number;
}

export function banditSelectionsData(a: Analysis): FigureData<SelectionRow> {
  const rs = rounds(a);
  if (rs.length === 0) return { skip: "no online bandit runs in the results" };
  return {
    rows: rs.map((r) => ({
      setting: setting(r),
      run: `${r.algo} #${r.bandit_seed}`,
      round: r.round,
      arm: r.arm,
    })),
  };
}

export function banditSelectionsSpec(rows: SelectionRow[]): TopLevelSpec {
  return faceted({
    title: title("Online bandit runs: arm selected in each round", [
      "One row per logged run (policy #bandit seed); colour: the arm pulled.",
    ]),
    rows,
    facet: { field: "setting", type: "nominal", title: null, header: { labelLimit: 0 } },
    columns: 1,
    spec: {
      width: 520,
      height: { step: 14 },
      mark: { type: "rect" },
      encoding: {
        x: { field: "round", type: "ordinal", title: "round", axis: { labelOverlap: true } },
        y: { field: "run", type: "nominal", title: "run (policy #seed)" },
        color: colorBy("arm", "arm (index)", "category10"),
        tooltip: [{ field: "run" }, { field: "round" }, { field: "arm" }],
      },
    },
    independent: ["x", "y"],
  });
}

export const banditSelections = figure({
  name: "bandit-selections",
  title: "Online bandit runs: selections",
  howToRead:
    "Each row is one online run; each cell the arm it pulled in that round. Long runs of one colour mean the policy committed to an arm; a mosaic means it kept exploring.",
  data: banditSelectionsData,
  spec: banditSelectionsSpec,
});
