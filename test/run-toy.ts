/**
 * Shared by the run CLI's end-to-end tests (the CLI itself is in ./cli.ts): a
 * tiny deterministic task (the program sets X; combined_score = X), the
 * loopback server's answers for it, and readers of its files.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parsePythonJson } from "../src/log/json.ts";
import { type ChatBody, promptProgram, type Reply } from "./run-llm-server.ts";

export const readRun = (path: string): unknown => parsePythonJson(readFileSync(path, "utf8"));

export async function waitFor(pred: () => boolean, what: string, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const journalCalls = (path: string): { key: string }[] =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l.startsWith('{"t":"call"'))
        .map((l) => JSON.parse(l) as { key: string })
    : [];

/**
 * A tiny deterministic task: the program sets X; combined_score = X. `tail`
 * replaces the evaluator's last line (the return), with x in scope.
 */
export function writeToyTask(
  root: string,
  key = "toy",
  tail: string[] = ["    return {'combined_score': x, 'x': x}"],
): string {
  const dir = join(root, "tasks", key);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "initial_program.py"), "X = 0.1\n\ndef score():\n    return X\n");
  writeFileSync(
    join(dir, "evaluator.py"),
    [
      "import importlib.util",
      "def evaluate(program_path):",
      "    spec = importlib.util.spec_from_file_location('candidate', program_path)",
      "    mod = importlib.util.module_from_spec(spec)",
      "    spec.loader.exec_module(mod)",
      "    x = float(mod.score())",
      ...tail,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "task.json"),
    JSON.stringify({ entry_function: "score", eval_timeout_s: 10, system_prompt: "Make X larger." }),
  );
  return join(root, "tasks");
}

/** Deterministic per request: X moves by a seed-dependent step (some children improve, some not). */
export function toyAnswer(body: ChatBody, delayMs = 0): Reply {
  const parent = promptProgram(body);
  const x = Number(/X = ([-\d.]+)/.exec(parent)?.[1] ?? 0);
  const step = (((body.seed ?? 0) % 9) - 4) / 100;
  return {
    kind: "ok",
    content: `Here:\n\`\`\`python\nX = ${(x + step).toFixed(4)}\n\ndef score():\n    return X\n\`\`\``,
    delayMs,
  };
}
