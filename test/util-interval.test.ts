import assert from "node:assert/strict";
import { test } from "node:test";
import { sweep } from "../src/replay/sweep.ts";
import { syntheticRecord } from "../src/replay/synthetic.ts";
import { meanCi, ONE_VALUE_NOTE, tInterval } from "../src/util/interval.ts";
import { tCritical } from "../src/util/student-t.ts";

test("tInterval: Student-t with n − 1 df; one value gives no interval and says so", () => {
  const t = tInterval([1, 2, 3]);
  assert.equal(t.mean, 2);
  assert.equal(t.sd, 1);
  // t(0.975, 2) = (scipy.stats.t.ppf) 4.302652729749462
  assert.ok(Math.abs(t.hi! - (2 + 4.302652729749462 / Math.sqrt(3))) < 1e-12);
  assert.ok(Math.abs(t.lo! - (2 - 4.302652729749462 / Math.sqrt(3))) < 1e-12);
  assert.ok(Math.abs(tCritical(0.95, 9) - 2.262157162798205) < 1e-12);
  const one = tInterval([0.4]);
  assert.equal(one.lo, null);
  assert.equal(one.hi, null);
  assert.equal(one.note, ONE_VALUE_NOTE);
  assert.throws(() => tInterval([]), RangeError);
});

test("figure means use t, not 1.96: 10 seeds give a 15% wider half-width than the normal one", () => {
  const values = [0.1, 0.2, 0.15, 0.3, 0.25, 0.22, 0.18, 0.12, 0.28, 0.2];
  const m = meanCi(values);
  const sd = tInterval(values).sd!;
  const half = (m.hi! - m.lo!) / 2;
  assert.ok(Math.abs(half / ((1.96 * sd) / Math.sqrt(10)) - 2.262157162798205 / 1.96) < 1e-12);
  assert.equal(meanCi([0.3]).lo, null);
});

test("sweep: each split's mean carries a t interval; one seed has none", () => {
  const runs = [0.3, 0.5, 0.4].map((f, seed) =>
    syntheticRecord({ task: "t", model: "m", N: 2, seed, curve: [0.1, 0.2, f] }),
  );
  runs.push(syntheticRecord({ task: "t", model: "m", N: 4, seed: 0, curve: [0.1, 0.35] }));
  const res = sweep(runs, { task: "t", model: "m", C: 4 });
  const s2 = res.splits.find((s) => s.T === 2)!;
  const ti = tInterval([0.3, 0.5, 0.4]);
  assert.deepEqual(s2.ci95, [ti.lo, ti.hi]);
  assert.equal(res.splits.find((s) => s.T === 1)!.ci95, null);
});
