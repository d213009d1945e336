import assert from "node:assert/strict";
import { test } from "node:test";
import { logGamma, tCdf, tCritical, tQuantile, tTwoSidedP } from "../src/util/student-t.ts";

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("Student t: CDF and quantile agree with jstat, with the closed forms for df = 1 and 2, and with each other", async () => {
  const { default: jStat } = await import("jstat");
  for (const df of [2, 3, 4, 5, 9, 19, 39, 99, 200, 2.5]) {
    for (const t of [-40, -6, -2.1, -0.3, 0, 0.7, 1.96, 3.5, 12]) {
      const ref = jStat.studentt.cdf(t, df);
      assert.ok(
        Math.abs(tCdf(t, df) - ref) < 1e-7, // jstat itself is off by up to ~1e-8
        `cdf(${t}, ${df}) ${tCdf(t, df)} vs ${ref}`,
      );
    }
    for (const p of [0.001, 0.025, 0.3, 0.5, 0.9, 0.975, 0.999]) {
      const q = tQuantile(p, df);
      assert.ok(Math.abs(tCdf(q, df) - p) < 1e-13, `cdf(q(${p}, ${df}))`);
      const ref = jStat.studentt.inv(p, df); // jstat's own quantile is good to ~1e-9 only
      assert.ok(Math.abs(q - ref) < 1e-6 * Math.max(1, Math.abs(ref)), `q(${p}, ${df})`);
      if (df === 2)
        close(q, (2 * p - 1) * Math.sqrt(2 / (4 * p * (1 - p))), 1e-12 * Math.max(1, Math.abs(q)));
    }
  }
  for (const t of [-5, -0.3, 0.2, 3]) close(tCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-14);
  close(logGamma(5), Math.log(24), 1e-13);
  close(tTwoSidedP(0, 5), 1);
  close(tTwoSidedP(2.570581835636314, 5), 0.05, 1e-10);
  assert.throws(
    () => tQuantile(1, 3),
    (e: Error) => e instanceof RangeError && /0 < p < 1/.test(e.message),
  );
  assert.throws(() => tQuantile(0.975, 0), RangeError);
  // the two-sided critical value: level 0.95 → p = 0.975
  assert.equal(tCritical(0.95, 9), tQuantile(0.975, 9));
  close(tCritical(0.95, 9), 2.262157162798205, 1e-12);
});
