import assert from "node:assert/strict";
import { test } from "node:test";
import { mean, sd } from "../src/util/stats.ts";

test("mean and sd: worked cases, the empty and one-value cases, NaN, frozen input, same bits as a reduce", () => {
  const xs = Object.freeze([1, 2, 6]);
  assert.equal(mean(xs), 3);
  assert.equal(sd(Object.freeze([1, 2, 3])), 1);
  assert.ok(Number.isNaN(mean([])));
  assert.ok(Number.isNaN(sd([])));
  assert.equal(mean([0.3]), 0.3);
  assert.ok(Number.isNaN(sd([0.3])));
  assert.ok(Number.isNaN(mean([1, Number.NaN])));
  assert.equal(sd([2, 2, 2]), 0);
  // run/grid/summary.ts and the analysis tables used reduce-based means: these must keep their bits
  const v = [0.1, 0.2, 0.7, 1e-17, 0.3333333333333333];
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  assert.equal(mean(v), m);
  assert.equal(sd(Float64Array.from(v)), Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)));
});
