// The test sets (test/sets.ts): every test file in exactly one, the scripts that run them, the fast set's guard.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { ROOT, SHARD, SLOW, shares, TEST, testSets } from "./sets.ts";

/**
 * Every file under test/ (fixtures aside) that declares tests, wherever it is and however it is named;
 * the fast set's process entry (SHARD) imports node:test to group the files it runs, it declares none.
 */
function filesWithTests(): string[] {
  return readdirSync(join(ROOT, "test"), { recursive: true, encoding: "utf8" })
    .filter((f) => !f.startsWith("fixtures") && /\.[cm]?[jt]s$/.test(f))
    .filter((f) =>
      /from "node:test"|require\("node:test"\)/.test(readFileSync(join(ROOT, "test", f), "utf8")),
    )
    .map((f) => relative(ROOT, join(ROOT, "test", f)))
    .filter((f) => f !== SHARD)
    .sort();
}

describe("test sets", () => {
  it("every test file is in exactly one set, and every file of a set is a test file", () => {
    const { fast, slow } = testSets();
    assert.ok(fast.length >= 20 && slow.length >= 10, `${fast.length} fast, ${slow.length} slow`);
    for (const f of fast) assert.ok(!slow.includes(f), `${f} in both sets`);
    for (const f of fast) assert.ok(TEST.test(f) && !SLOW.test(f), f);
    for (const f of slow) assert.ok(SLOW.test(f), f);
    const tests = filesWithTests();
    // a file declaring tests under another name or in a subfolder would be run by neither set
    assert.deepEqual(tests, [...fast, ...slow].sort());
    assert.ok(tests.includes("test/sets.test.ts") && tests.includes("test/run-cli.slow.test.ts"));
  });

  it("the fast set's shares: each file once, the longest first onto the least loaded share", () => {
    assert.deepEqual(shares(["a", "b", "c"], { a: 5, b: 3, c: 3 }, 2), [["a"], ["b", "c"]]);
    assert.deepEqual(shares(["a", "b", "c", "d"], { a: 4, b: 3, c: 2, d: 1 }, 2), [
      ["a", "d"],
      ["b", "c"],
    ]);
    // an unknown file costs the median; no empty share; one share when asked for none
    assert.deepEqual(shares(["a", "new"], { a: 1 }, 3), [["a"], ["new"]]);
    assert.deepEqual(shares(["b", "a"], { a: 1, b: 1 }, 0), [["a", "b"]]);
    assert.deepEqual(shares([], {}, 2), []);
    // without any time, by size: every real file lands once
    const { fast } = testSets();
    const parts = shares(fast, {}, 2);
    assert.equal(parts.length, 2);
    assert.deepEqual(parts.flat().sort(), fast);
  });

  it("npm test runs both sets after the type-check, lint and build; test:fast runs the fast set", () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    assert.match(
      scripts.test!,
      /^npm run typecheck && npm run lint && npm run build && .*test\/sets\.ts all$/,
    );
    assert.match(scripts["test:fast"]!, /test\/sets\.ts fast$/);
  });

  it("npm test type-checks and lints every folder holding TypeScript (scripts/ and bench/ too)", () => {
    const folders = readdirSync(ROOT, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !["node_modules", "dist", ".git"].includes(d.name))
      .filter((d) => !d.name.startsWith(".test-js-")) // a test run's transpiled src/ (sets.ts)
      .map((d) => d.name)
      .filter((d) =>
        readdirSync(join(ROOT, d), { recursive: true, encoding: "utf8" }).some((f) => f.endsWith(".ts")),
      );
    assert.ok(folders.includes("scripts") && folders.includes("src"), folders.join(" "));
    const tsconfig = JSON.parse(readFileSync(join(ROOT, "tsconfig.json"), "utf8")) as { include: string[] };
    const biome = JSON.parse(readFileSync(join(ROOT, "biome.json"), "utf8")) as {
      files: { includes: string[] };
    };
    for (const d of folders) {
      assert.ok(tsconfig.include.includes(d), `tsconfig.json does not include ${d}/`);
      assert.ok(biome.files.includes.includes(`${d}/**`), `biome.json does not include ${d}/**`);
    }
  });

  it("in the fast set, starting a process or listening on a port throws, naming the way out", {
    skip: process.env.EVOALLOC_TEST_SET !== "fast" && "only under test/sets.ts fast",
  }, () => {
    const way = /test:fast: .*\*\.slow\.test\.ts/;
    assert.throws(() => spawnSync("python3", ["-c", "pass"]), way);
    assert.throws(() => createServer().listen(0, "127.0.0.1"), way);
  });
});
