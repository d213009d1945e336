// The CLI entry point: a lean top-level help that matches the command modules, every command's own
// --help, exit codes from main() in-process.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { baseProgram, buildProgram, commands } from "../src/cli/main.ts";
import { runCli } from "./cli.ts";

/** The program with every command module registered (what the help showed before it was lean). */
async function fullProgram() {
  const program = baseProgram();
  for (const c of commands) (await c.load()).register(program);
  return program;
}

describe("evoalloc --help", () => {
  it("lists every command without loading any command module", async () => {
    const lean = await buildProgram(["node", "evoalloc", "--help"]);
    assert.deepEqual(
      lean.commands.map((c) => c.name()),
      commands.map((c) => c.name),
    );
    // a registered module declares options or subcommands; the list's entries have none
    for (const c of lean.commands) assert.equal(c.options.length + c.commands.length, 0, c.name());
  });

  it("shows the same text as the program with every module registered (usage terms and descriptions)", async () => {
    const lean = await buildProgram(["node", "evoalloc"]);
    assert.equal(lean.helpInformation(), (await fullProgram()).helpInformation());
    const r = await runCli(["--help"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, lean.helpInformation());
  });

  it("each command's --help (and `help <command>`) is its module's full help", async () => {
    const full = await fullProgram();
    for (const c of commands) {
      const want = full.commands.find((x) => x.name() === c.name)!.helpInformation();
      assert.match(want, /Options:/);
      for (const args of [
        [c.name, "--help"],
        ["help", c.name],
      ]) {
        const r = await runCli(args);
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
        // the module's help, then any text it adds after the options (examples)
        assert.ok(r.stdout.startsWith(want), `${args.join(" ")}:\n${r.stdout}`);
      }
    }
    const run = await runCli(["run", "--help"]);
    for (const sub of ["greedy", "bandit", "grid"]) assert.match(run.stdout, new RegExp(`\\n  ${sub} `));
  });

  it("an unknown command exits 2 with a suggestion; --version prints the version", async () => {
    const r = await runCli(["valdate"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'valdate'/);
    assert.match(r.stderr, /Did you mean validate\?/);
    const v = await runCli(["--version"]);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});

describe("main() in-process", () => {
  it("returns a command's exit code and leaves process.exitCode as it found it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "evoalloc-main-"));
    try {
      const bad = join(dir, "run.json");
      writeFileSync(bad, JSON.stringify({ trajectory: "no" }));
      const before = process.exitCode;
      const r = await runCli(["validate", bad, "--json"]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(JSON.parse(r.stdout).invalid, 1);
      assert.equal(process.exitCode, before);
      const ok = await runCli(["models", "--json"]);
      assert.equal(ok.code, 0, ok.stderr);
      const usage = await runCli(["validate", "--nope"]);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /unknown option '--nope'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
