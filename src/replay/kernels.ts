/**
 * A private copy of the replay kernel (`runPolicy`, engine.ts) for each
 * policy of a threaded replay: the same code, so the same results, compiled
 * and optimised once per policy.
 *
 * Why: the kernel calls `policy.select()` and `policy.update()` every round.
 * V8 inlines them while the call site has seen one policy only; once a thread
 * runs a second policy through the same `runPolicy`, the site turns
 * megamorphic and every later policy runs without inlining. Measured
 * (bench:replay (a)'s pool, one thread, 50,000 instances, M policy-rounds per
 * CPU second, a policy run after another one vs its own copy): exp3p 5.8 vs
 * 10.5, thompson 5.0 vs 6.5, ucb 7.0 vs 9.0. An ES module is instantiated
 * once per URL, so engine.ts imported under a query that names the policy
 * (`engine.js?policy=ucb`) gives that policy functions, and type feedback, of
 * its own; the modules engine.ts imports stay shared.
 *
 * @example const [ucbKernel] = await policyKernels(["ucb"]); // ucbKernel(table, inst, opts) as runPolicy
 */
import { siblingUrl } from "../util/worker.ts";
import type { runPolicy } from "./engine.ts";

export type Kernel = typeof runPolicy;

/** Each policy's own kernel, in the order of `names` (one copy per distinct name, cached by the module map). */
export async function policyKernels(names: readonly string[]): Promise<Kernel[]> {
  return Promise.all(
    names.map(async (name) => {
      const url = siblingUrl("engine", import.meta.url);
      url.searchParams.set("policy", name);
      const mod = (await import(url.href)) as typeof import("./engine.ts");
      return mod.runPolicy;
    }),
  );
}
