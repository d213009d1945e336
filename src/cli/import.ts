/**
 * `evoalloc import openevolve|shinkaevolve|llm4ad DIR... --task KEY --model KEY
 * --seed-from config|name|N --out DIR`: other systems' run folders → imported
 * run files of the log contract. `--check` prints what each run holds and
 * writes nothing. One line per problem; a folder that yields no run writes
 * nothing and the others still import.
 */
import { access } from "node:fs/promises";
import type { Command } from "commander";
import { z } from "zod";
import {
  findRunDirs,
  type ImportedFolder,
  importedPath,
  importRuns,
  parseSeedFrom,
} from "../import/index.ts";
import { IMPORT_SYSTEMS, type ImportSystem } from "../log/imported.ts";
import { loadModels, ModelFileError, type ModelSpec } from "../log/models.ts";
import { writeFileAtomic } from "../log/write.ts";
import { Failure, UsageError } from "./errors.ts";
import { parseOptions, printJson } from "./options.ts";

const Options = z.object({
  task: z.string().min(1).optional(),
  model: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only")
    .optional(),
  seedFrom: z.string().min(1),
  out: z.string().min(1).optional(),
  models: z.string().min(1).optional(),
  check: z.boolean().optional(),
  force: z.boolean().optional(),
  json: z.boolean().optional(),
});

const isSystem = (s: string | undefined): s is ImportSystem => IMPORT_SYSTEMS.includes(s as ImportSystem);

/** The system of a folder when none is named: the first whose run folders it holds. */
async function detect(dir: string): Promise<ImportSystem | null> {
  for (const s of IMPORT_SYSTEMS) if ((await findRunDirs(s, dir)).length > 0) return s;
  return null;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function describe(f: ImportedFolder, file?: string): string {
  const c = f.check;
  const src = Object.entries(c.sources)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return `${c.dir}: ${c.system} seed ${c.seed}, ${c.calls} calls, recovered ${pct(c.recovered_share)} (${src}), ${
    c.disagreements
  } disagreement(s), best ${c.best}${file ? ` -> ${file}` : ""}`;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

export function register(program: Command): void {
  program
    .command("import")
    .description(
      "Import OpenEvolve, ShinkaEvolve or LLM4AD run folders as imported runs (replay, sweep, report read them).",
    )
    .argument("<system-or-dir>", `one of ${IMPORT_SYSTEMS.join(", ")} (may be omitted with --check)`)
    .argument("[dirs...]", "run folders, or folders holding run folders")
    .option("--task <key>", "task key the runs belong to")
    .option("--model <key>", "model key (a known model's params_active turns tokens into FLOPs)")
    .option(
      "--seed-from <how>",
      "config (random_seed in config.yaml), name (last number of the folder), or an integer N (N, N+1, …)",
      "config",
    )
    .option(
      "--out <dir>",
      "output folder (files go to <out>/<task>/<model>/<system>_C<calls>_seed<seed>.json)",
    )
    .option("--models <file>", "JSON file of extra models")
    .option("--check", "print what each run holds; write nothing")
    .option("--force", "overwrite existing output files")
    .option("--json", "print the result as JSON")
    .action(async (first: string, rest: string[], raw: unknown) => {
      const opts = parseOptions(Options, raw);
      const seedFrom = parseSeedFrom(opts.seedFrom);
      if (!seedFrom)
        throw new UsageError(`--seed-from: expected config, name or an integer, got "${opts.seedFrom}"`);
      const named = isSystem(first);
      const dirs = named ? rest : [first, ...rest];
      if (dirs.length === 0) throw new UsageError("no folder given");
      if (!named && !opts.check)
        throw new UsageError(
          `unknown system "${first}": expected ${IMPORT_SYSTEMS.join(", ")} (or --check DIR)`,
        );
      if (!opts.check) {
        if (!opts.task) throw new UsageError("--task: required (unless --check)");
        if (!opts.model) throw new UsageError("--model: required (unless --check)");
        if (!opts.out) throw new UsageError("--out: required (unless --check)");
      }
      let models: Record<string, ModelSpec>;
      try {
        models = await loadModels(opts.models);
      } catch (err) {
        if (err instanceof ModelFileError) throw new UsageError(err.message);
        throw err;
      }
      const model = opts.model ?? "unknown";
      const spec = models[model] ?? null;
      if (!spec && opts.model && !opts.check)
        process.stderr.write(`evoalloc: model "${model}" is not known (--models FILE adds it): no FLOPs\n`);

      const written: { dir: string; file: string }[] = [];
      const problems: { path: string; message: string }[] = [];
      const found: ImportedFolder[] = [];
      const taken = new Map<string, string>();
      const lines = !opts.json;
      const groups: [ImportSystem, string[]][] = [];
      for (const d of dirs) {
        const system = named ? first : await detect(d);
        if (!system) {
          problems.push({ path: d, message: `no ${IMPORT_SYSTEMS.join(", ")} run found here or below` });
          continue;
        }
        const g = groups.find(([s]) => s === system);
        if (g) g[1].push(d);
        else groups.push([system, [d]]);
      }
      for (const [system, group] of groups) {
        const res = await importRuns(
          group,
          {
            system,
            task: opts.task ?? "unknown",
            model,
            modelSpec: spec,
            seedFrom,
            lenientSeed: opts.check === true,
          },
          async (f) => {
            found.push(f);
            if (opts.check) {
              if (lines) process.stdout.write(`${describe(f)}\n`);
              return;
            }
            const file = importedPath(opts.out!, f.run);
            const prior = taken.get(file);
            if (prior) {
              problems.push({
                path: f.dir,
                message: `seed ${f.run.seed} already imported from ${prior} (see --seed-from)`,
              });
              return;
            }
            if (!opts.force && (await exists(file))) {
              problems.push({ path: f.dir, message: `${file} exists (--force overwrites)` });
              return;
            }
            taken.set(file, f.dir);
            await writeFileAtomic(file, `${JSON.stringify(f.run)}\n`);
            written.push({ dir: f.dir, file });
            if (lines) process.stdout.write(`${describe(f, file)}\n`);
          },
        );
        problems.push(...res.problems);
      }
      for (const p of problems) process.stderr.write(`${p.path}: ${p.message}\n`);
      if (opts.json)
        printJson({
          runs: found.map((f) => ({ ...f.check, file: written.find((w) => w.dir === f.dir)?.file ?? null })),
          problems,
        });
      else
        process.stderr.write(
          `${found.length} run(s) found${opts.check ? "" : `, ${written.length} written`}, ${problems.length} problem(s)\n`,
        );
      if (found.length === 0) throw new Failure(`no run imported from ${dirs.join(", ")}`);
      if (problems.length > 0) process.exitCode = 1;
    });
}
