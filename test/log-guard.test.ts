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

type Key = string | number;
type Container = Record<Key, unknown>;

/** The path (keys from the root) of every value inside a JSON value, in document order. */
function paths(v: unknown, at: Key[] = [], out: Key[][] = []): Key[][] {
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push([...at, i]);
      paths(x, [...at, i], out);
    });
  else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      out.push([...at, k]);
      paths(x, [...at, k], out);
    }
  return out;
}

const copyOf = (v: unknown): Container => (Array.isArray(v) ? [...v] : { ...(v as Container) }) as Container;

/**
 * `base` with the value at `path` replaced by a copy of `value` (`undefined` deletes an object's key).
 * Only the containers on the path are copied: the rest is shared with `base`, which neither the guards
 * nor zod modify, and a deep copy of a whole run per mutation was most of this test's time.
 */
function mutated(base: unknown, path: Key[], value: unknown): Container {
  const root = copyOf(base);
  let container = root;
  for (const key of path.slice(0, -1)) container = container[key] = copyOf(container[key]);
  const key = path[path.length - 1]!;
  if (value === undefined && !Array.isArray(container)) delete container[key];
  else container[key] = structuredClone(value);
  return root;
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
    const where = samples.map((s) => paths(s));
    for (let i = 0; i < 3000; i++) {
      const k = r.int(samples.length);
      const all = where[k]!;
      const path = all[r.int(all.length)]!;
      const key = path[path.length - 1];
      const value = REPLACEMENTS[r.int(REPLACEMENTS.length)];
      const copy = mutated(samples[k], path, value);
      const bandit = "arm_results" in copy;
      const guard = bandit ? isBanditRun(copy) : isGreedyRun(copy);
      const zod = (bandit ? BanditRunSchema : GreedyRunSchema).safeParse(copy).success;
      if (guard) assert.ok(zod, `guard accepted what zod rejects: ${String(key)} = ${String(value)}`);
      else rejectedByGuard++;
    }
    assert.ok(rejectedByGuard > 100, "the mutations exercise the guards");
  });
});
