// run/parse's pyStrip against python3's str.strip() (starts python; the rest of run/parse: run-units.test.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { it } from "node:test";
import { pyStrip } from "../src/run/parse.ts";

it("pyStrip strips what python3's str.strip() strips", () => {
  const text = " \u3000\u2028x\u00a0y\u001c\u0085\r\n";
  const py = spawnSync("python3", ["-c", "import sys;sys.stdout.write(sys.stdin.read().strip())"], {
    input: text,
    encoding: "utf8",
  });
  assert.equal(py.status, 0, py.stderr);
  assert.equal(pyStrip(text), py.stdout);
});
