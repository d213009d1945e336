/**
 * One-off, kept for the record: brings the shipped results/ to the programs
 * being stored stripped of surrounding whitespace (as the reference stores
 * them; issue 12, item 2), without re-running 61,000 evaluations.
 *
 * Why this is exact: the mutator's answer is "```python\n" + program + "```"
 * and every shipped program ends in exactly one "\n", so the stripped program
 * differs from the old one by that newline only. The prompt re-adds it, so
 * every prompt, every mutation, every usage and every fitness stays the same;
 * only `code_sha256`, `parent_sha256` and `final_program` change.
 *
 * What it checks, for every child of every run (greedy files and bandit
 * arms): the mutator, replayed from the stored parent and seed, gives an
 * answer whose old-style program hashes to the stored `code_sha256`, with the
 * stored usage and finish_reason; the replayed parents hash to the stored
 * `parent_sha256`; the old final program is the stored one. Any mismatch
 * stops it before anything is written.
 *
 *   npx tsx scripts/migrate-stripped-programs.ts results [--write]
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { BanditRun, GreedyRun } from "../src/log/schema.ts";
import { writeJsonAtomic } from "../src/log/write.ts";
import { MutatorClient } from "../src/mutator/mutator-client.ts";
import { parseProgram } from "../src/run/parse.ts";
import { buildMessages } from "../src/run/prompt.ts";
import { loadTask } from "../src/run/tasks.ts";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const PY = /```[ \t]*(?:python|py)3?[ \t]*\r?\n([\s\S]*?)```/i;
/** The program as the old parser kept it (the block, unstripped). */
const oldProgram = (content: string): string | null => PY.exec(content)?.[1] ?? null;

function fail(where: string, what: string): never {
  throw new Error(`${where}: ${what}`);
}

async function migrateRun(run: GreedyRun, where: string): Promise<void> {
  const task = loadTask(run.task);
  const client = new MutatorClient();
  const maxTokens = Number((run.config as { max_tokens?: number } | undefined)?.max_tokens ?? 16000);
  let oldParent = task.initialProgram;
  let newParent = task.initialProgram;
  let fitness = run.trajectory[0]!.best_fitness;
  for (const gen of run.trajectory.slice(1)) {
    if (gen.parent_sha256 !== sha(oldParent)) fail(where, `g${gen.generation}: parent_sha256 differs`);
    if (gen.parent_fitness !== fitness) fail(where, `g${gen.generation}: parent_fitness differs`);
    const messages = buildMessages(task.systemPrompt, newParent, fitness);
    if (buildMessages(task.systemPrompt, oldParent, fitness)[1]!.content !== messages[1]!.content)
      fail(where, `g${gen.generation}: the prompt changes`);
    const codes = new Map<number, { old: string; new: string }>();
    for (const child of gen.children) {
      const r = await client.complete({
        messages,
        seed: child.seed,
        maxTokens,
        temperature: 0.4,
        topP: 0.95,
        timeoutS: 1,
      });
      const a = r.attempts[0]!;
      const stored = child.attempts[0]!;
      if (
        JSON.stringify(a.usage) !== JSON.stringify(stored.usage) ||
        a.finish_reason !== stored.finish_reason
      )
        fail(where, `g${gen.generation} c${child.idx}: usage differs`);
      const o = oldProgram(r.content!);
      const n = parseProgram(r.content);
      if ((o === null ? null : sha(o)) !== (child.code_sha256 ?? null))
        fail(where, `g${gen.generation} c${child.idx}: code differs`);
      if (o !== null && n !== null) {
        if (`${n}\n` !== o)
          fail(where, `g${gen.generation} c${child.idx}: more than a final newline is stripped`);
        codes.set(child.idx, { old: o, new: n });
        child.code_sha256 = sha(n);
      }
    }
    gen.parent_sha256 = sha(newParent);
    // the runner's rule: the best child strictly better than the parent, lowest idx among equals
    let best: (typeof gen.children)[number] | null = null;
    for (const c of gen.children)
      if (c.fitness !== null && c.fitness > fitness && (best === null || c.fitness > best.fitness!)) best = c;
    if (best !== null) {
      oldParent = codes.get(best.idx)!.old;
      newParent = codes.get(best.idx)!.new;
      fitness = best.fitness!;
    }
    if (gen.best_fitness !== fitness) fail(where, `g${gen.generation}: best_fitness differs`);
  }
  if (run.final_program !== oldParent) fail(where, "final_program differs");
  run.final_program = newParent;
}

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.name.endsWith(".json.gz")) yield p;
  }
}

const [root = "results", flag] = process.argv.slice(2);
const changed: [string, unknown][] = [];
for (const file of files(root)) {
  const run = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as GreedyRun & BanditRun;
  if (Array.isArray(run.arm_results))
    for (const [i, arm] of run.arm_results.entries()) await migrateRun(arm, `${file} arm ${i}`);
  else await migrateRun(run, file);
  changed.push([file, run]);
}
process.stderr.write(`${changed.length} files checked\n`);
if (flag === "--write") {
  for (const [file, run] of changed) await writeJsonAtomic(file, run);
  process.stderr.write(`${changed.length} files written\n`);
}
