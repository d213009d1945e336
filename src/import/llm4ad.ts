/**
 * LLM4AD run folders: `<run>/samples/samples_{a}~{b}.json`, each a JSON array
 * of `{sample_order, function, score, …}` (200 samples per file; `score: null`
 * for a sample that failed). One sample = one LLM call, numbered by
 * `sample_order` from 1; no lineage, tokens, seed or initial-program score.
 * `samples_best.json` repeats the best samples and is not read.
 */
import type { Dirent } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ImportError, type Observation } from "./assemble.ts";
import type { SourceProblem } from "./openevolve.ts";

const SAMPLE_FILE = /^samples_(\d+)~(\d+)\.json$/;

/** True when `dir` holds a `samples/` folder with sample files. */
export async function isLlm4adDir(dir: string): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(join(dir, "samples"));
  } catch {
    return false;
  }
  return names.some((n) => SAMPLE_FILE.test(n));
}

/**
 * The samples of one file as observations. Multi-objective scores (a list)
 * are not a fitness evoalloc can rank.
 *
 * @throws ImportError on a multi-objective score.
 */
export function parseSamples(value: unknown, file: string, problems: SourceProblem[]): Observation[] {
  if (!Array.isArray(value)) {
    problems.push({ file, message: "not a JSON array of samples" });
    return [];
  }
  const out: Observation[] = [];
  let bad = 0;
  for (const s of value) {
    const order =
      typeof s === "object" && s !== null ? (s as Record<string, unknown>).sample_order : undefined;
    if (typeof order !== "number" || !Number.isInteger(order) || order < 1) {
      bad++;
      continue;
    }
    const score = (s as Record<string, unknown>).score;
    if (Array.isArray(score))
      throw new ImportError(`${file}: multi-objective scores (a list) are not supported`);
    const fitness = typeof score === "number" ? score : null;
    out.push({ call: order, source: "samples", fitness, valid: fitness !== null });
  }
  if (bad > 0)
    problems.push({ file, message: `${bad} sample(s) without a positive integer sample_order; skipped` });
  return out;
}

export interface Llm4adRead {
  observations: Observation[];
  lastCall: number;
  files: string[];
  problems: SourceProblem[];
}

/** Reads every sample file of one LLM4AD run folder. @throws ImportError when none can be read. */
export async function readLlm4ad(dir: string): Promise<Llm4adRead> {
  const samplesDir = join(dir, "samples");
  let ents: Dirent[];
  try {
    ents = await readdir(samplesDir, { withFileTypes: true });
  } catch {
    throw new ImportError("no samples/ folder: not an LLM4AD run folder");
  }
  const files = ents
    .filter((e) => e.isFile() && SAMPLE_FILE.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => Number(SAMPLE_FILE.exec(a)![1]) - Number(SAMPLE_FILE.exec(b)![1]));
  const res: Llm4adRead = { observations: [], lastCall: 0, files: [], problems: [] };
  for (const name of files) {
    const file = join(samplesDir, name);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, "utf8"));
    } catch {
      res.problems.push({ file, message: "not valid JSON; its samples are missing" });
      continue;
    }
    res.observations.push(...parseSamples(value, file, res.problems));
    res.files.push(`samples/${name}`);
  }
  if (res.files.length === 0) throw new ImportError("no readable samples/samples_{a}~{b}.json file");
  for (const o of res.observations) res.lastCall = Math.max(res.lastCall, o.call);
  return res;
}
