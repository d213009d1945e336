import assert from "node:assert/strict";
import { test } from "node:test";
import {
  diff,
  enumerateInstances,
  intervalEstimates,
  jackknife,
  meanOf,
  normalised,
  pairedTest,
  pImprove,
  scoreTable,
  seedMean,
} from "../src/replay/index.ts";

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// K = 1: each instance is one seed, so every mean over instances is a mean over seeds
const inst = enumerateInstances(5, 1);
const ucb = Float64Array.from([0.5, 0.7, 0.4, 0.9, 0.6]);
const other = Float64Array.from([0.4, 0.7, 0.5, 0.6, 0.6]);
const refs = {
  uniform: Float64Array.from([0.45, 0.6, 0.45, 0.7, 0.5]),
  single: Float64Array.from([0.4, 0.5, 0.4, 0.6, 0.5]),
  oracle: Float64Array.from([0.6, 0.8, 0.5, 0.9, 0.7]),
};
const frozen = Array.from(ucb);
const table = scoreTable(inst, 5, [ucb, other], refs);
const ctx = { method: "jackknife-t" as const };

test("intervalEstimates of a mean over K = 1 instances is the Student-t interval of the per-seed values", () => {
  const est = intervalEstimates(table, meanOf(0), ctx);
  const t = jackknife(seedMean(ucb));
  close(est.point, 0.62);
  close(est.ci95![0], t.ci95![0]);
  close(est.ci95![1], t.ci95![1]);
  assert.deepEqual(Array.from(ucb), frozen);
  assert.equal(intervalEstimates(table, meanOf(0), null).ci95, null);
  close(intervalEstimates(table, meanOf("oracle"), ctx).point, 0.7);
});

test("metrics compose: a paired difference is the paired t test; P(improve) counts ties as ½; normalised is a ratio of gaps", () => {
  const d = intervalEstimates(table, diff(meanOf(0), meanOf(1)), ctx);
  const t = pairedTest(seedMean(ucb), seedMean(other));
  close(d.point, t.diff);
  close(d.ci95![0], t.ci95![0]);
  close(d.ci95![1], t.ci95![1]);
  // ucb vs uniform: 0.5>0.45, 0.7>0.6, 0.4<0.45, 0.9>0.7, 0.6>0.5 → 4/5
  close(intervalEstimates(table, pImprove(0, "uniform"), ctx).point, 0.8);
  // other vs single: 0.4=0.4 (½), 0.7>0.5, 0.5>0.4, 0.6=0.6 (½), 0.6>0.5 → 4/5
  close(intervalEstimates(table, pImprove(1, "single"), ctx).point, 0.8);
  // (0.62 − 0.54)/(0.7 − 0.54)
  close(intervalEstimates(table, normalised(0), ctx).point, 0.5);
});
