import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isBanditRun, isGreedyRun } from "../src/log/guard.ts";
import { parsePythonJson } from "../src/log/json.ts";
import { BanditRunSchema, GreedyRunSchema } from "../src/log/schema.ts";
import { rng } from "../src/util/rng.ts";

const SAMPLES = new URL("./fixtures/reference/", import.meta.url).pathname;
const samples = readdirSync(SAMPLES, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith(".json"))
  .map((e) => parsePythonJson(readFileSync(join(e.parentPath, e.name), "utf8")) as Record<string, unknown>);

/** Every (container, key) pair inside a JSON value, to mutate one at random. */
function slots(v: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []) {
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push([v, i]);
      slots(x, out);
    });
  else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      out.push([v as Record<string, unknown>, k]);
      slots(x, out);
    }
  return out;
}

const REPLACEMENTS: unknown[] = [
  null,
  undefined,
  "x",
  -1,
  1.5,
  0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 60,
  true,
  [],
  {},
  [1],
];

describe("fast guards are never looser than the zod schemas", () => {
  it("accept every reference sample", () => {
    assert.equal(samples.length, 5, "the reference samples in test/fixtures/reference");
    for (const s of samples) assert.ok("arm_results" in s ? isBanditRun(s) : isGreedyRun(s));
  });

  it("whatever a guard accepts after a random mutation, zod accepts too", () => {
    const r = rng(20261126);
    let rejectedByGuard = 0;
    for (let i = 0; i < 3000; i++) {
      const base = samples[r.int(samples.length)]!;
      const copy = structuredClone(base);
      const all = slots(copy);
      const [container, key] = all[r.int(all.length)]!;
      const value = REPLACEMENTS[r.int(REPLACEMENTS.length)];
      if (value === undefined && !Array.isArray(container))
        delete (container as Record<string, unknown>)[key as string];
      else (container as Record<string | number, unknown>)[key] = structuredClone(value);
      const bandit = "arm_results" in copy;
      const guard = bandit ? isBanditRun(copy) : isGreedyRun(copy);
      const zod = (bandit ? BanditRunSchema : GreedyRunSchema).safeParse(copy).success;
      if (guard) assert.ok(zod, `guard accepted what zod rejects: ${String(key)} = ${String(value)}`);
      else rejectedByGuard++;
    }
    assert.ok(rejectedByGuard > 100, "the mutations exercise the guards");
  });
});
