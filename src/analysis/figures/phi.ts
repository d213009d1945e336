/**
 * The Φ-model along each iso-budget line: per (task, model), the fitted
 * response y = ln(1 − V/V*) against depth T at every logged budget C (one
 * line per C, from T = 1 to T = C), the observed mean y over seeds at each
 * logged split with its Student-t interval, and the fitted optimum T* marked
 * with its interval.
 */
import type { TopLevelSpec } from "vega-lite";
import { tInterval } from "../../util/interval.ts";
import type { Analysis } from "../analysis.ts";
import { type PhiFit, phiResponse } from "../phi.ts";
import type { Channel, FigureData } from "./figure.ts";
import {
  cellLabel,
  cellPanels,
  colorBy,
  faceted,
  figure,
  fittedLine,
  groupBy,
  intervalLayer,
  kindFilter,
  kindLayer,
  title,
} from "./figure.ts";

export interface PhiRow extends Record<string, unknown> {
  cell: string;
  kind: "fitted" | "observed" | "optimum";
  C: number;
  T: number;
  y: number;
  lo: number | null;
  hi: number | null;
  /** optimum: the interval of T*. */
  T_lo?: number | null;
  T_hi?: number | null;
  n?: number;
  regime?: string;
}

const STEPS_PER_DOUBLING = 8;

export function phiData(a: Analysis): FigureData<PhiRow> {
  const fits = a.phi.filter((p): p is PhiFit => p.fittable);
  if (fits.length === 0)
    return {
      skip:
        a.phi.length === 0
          ? "no greedy runs"
          : `no Φ-model could be fitted (${a.phi.map((p) => (p.fittable ? "" : `${p.task} / ${p.model}: ${p.reason}`)).join("; ")})`,
    };
  const rows: PhiRow[] = [];
  const notes: string[] = [];
  for (const f of fits) {
    const cell = cellLabel(f.task, f.model);
    const [b0, ca, cb, cc] = [f.coefficients.b0, f.coefficients.a, f.coefficients.b, f.coefficients.c].map(
      (k) => k.estimate,
    ) as [number, number, number, number];
    const yAt = (T: number, N: number) =>
      b0 + ca * Math.log(T) + cb * Math.log(N) + cc * Math.log(T) * Math.log(N);
    for (const C of f.budgets) {
      const steps = Math.round(Math.log2(C) * STEPS_PER_DOUBLING);
      for (let i = 0; i <= steps; i++) {
        const T = 2 ** (i / STEPS_PER_DOUBLING);
        rows.push({ cell, kind: "fitted", C, T, y: yAt(T, C / T), lo: null, hi: null });
      }
    }
    const outcomes = a.outcomes.filter((o) => o.task === f.task && o.model === f.model);
    for (const [, group] of groupBy(outcomes, (o) => `${o.C}x${o.T}`)) {
      const g0 = group[0]!;
      const t = tInterval(group.map((o) => phiResponse(o.fitness, f.ceiling, f.response).y));
      rows.push({ cell, kind: "observed", C: g0.C, T: g0.T, y: t.mean, lo: t.lo, hi: t.hi, n: t.n });
    }
    for (const o of f.optimum) {
      rows.push({
        cell,
        kind: "optimum",
        C: o.C,
        T: o.T_star,
        y: yAt(o.T_star, o.C / o.T_star),
        lo: null,
        hi: null,
        T_lo: o.T_star_ci95?.[0] ?? null,
        T_hi: o.T_star_ci95?.[1] ?? null,
        regime: o.regime,
      });
      notes.push(
        `${cell}, C = ${o.C}: T* = ${o.T_star.toFixed(1)}${o.T_star_ci95 ? ` [${o.T_star_ci95[0].toFixed(1)}, ${o.T_star_ci95[1].toFixed(1)}] (${o.T_star_ci95_method})` : ""}, ${o.regime}; c = ${cc.toFixed(4)} [${f.coefficients.c.lo.toFixed(4)}, ${f.coefficients.c.hi.toFixed(4)}]`,
      );
    }
  }
  return { rows, notes };
}

export function phiSpec(rows: PhiRow[]): TopLevelSpec {
  const x: Channel<"x"> = {
    field: "T",
    type: "quantitative",
    title: "depth T (generations; N = C/T), log scale",
    scale: { type: "log", base: 2, nice: false },
    axis: { values: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096], format: "d" },
  };
  const y: Channel<"y"> = {
    field: "y",
    type: "quantitative",
    title: "y = ln(1 − V/V*) (lower is better)",
    scale: { zero: false },
  };
  const color = colorBy("C", "budget C", "tableau10", "ordinal");
  return faceted({
    title: title("The Φ-model along each iso-budget line", [
      "Lines: fitted y = b0 + a·ln T + b·ln N + c·ln T·ln N at N = C/T. Dots: observed mean y over seeds with Student-t 95% intervals.",
      "Diamonds: the fitted optimum T* (minimum y), with its 95% interval as a horizontal bar.",
    ]),
    rows,
    ...cellPanels([
      fittedLine({ x, y, color, detail: { field: "C" } }),
      intervalLayer(
        "y",
        { x },
        color,
        { type: "rule", opacity: 0.7 },
        kindFilter("observed", "datum.lo !== null"),
      ),
      kindLayer("observed", {
        mark: { type: "point", filled: true, size: 28 },
        encoding: {
          x,
          y,
          color,
          tooltip: [
            { field: "C", type: "quantitative" },
            { field: "T", type: "quantitative" },
            { field: "y", type: "quantitative", format: ".4f", title: "mean y" },
            { field: "n", type: "quantitative", title: "seeds" },
          ],
        },
      }),
      kindLayer(
        "optimum",
        {
          mark: { type: "rule", strokeWidth: 2, opacity: 0.6 },
          encoding: { x: { ...x, field: "T_lo" }, x2: { field: "T_hi" }, y, color },
        },
        "datum.T_lo !== null",
      ),
      kindLayer("optimum", {
        mark: { type: "point", shape: "diamond", filled: true, size: 110, stroke: "black", strokeWidth: 1 },
        encoding: {
          x,
          y,
          color,
          tooltip: [
            { field: "C", type: "quantitative" },
            { field: "T", type: "quantitative", format: ".2f", title: "T*" },
            { field: "T_lo", type: "quantitative", format: ".2f", title: "95% lo" },
            { field: "T_hi", type: "quantitative", format: ".2f", title: "95% hi" },
            { field: "regime", type: "nominal" },
          ],
        },
      }),
    ]),
    independent: ["x", "y"],
  });
}

export const phiFigure = figure({
  name: "phi-model",
  title: "Φ-model along iso-budget lines",
  howToRead:
    "Each line is one budget C = T·N: moving right spends it on depth (more generations), left on breadth (more children per generation). y = ln(1 − V/V*) falls as fitness V rises, so the lowest point of a line is the best split, the diamond the fitted optimum T* with its interval (delta method on seed-clustered errors at an interior optimum, seed-cluster bootstrap at a corner). A line still falling at its right end puts the optimum at the all-depth corner; a bowl (negative c) gives an interior optimum. Dots are observed means with Student-t intervals; a fitted line beyond the dots is an extrapolation.",
  data: phiData,
  spec: phiSpec,
});
