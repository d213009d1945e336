/**
 * Naming the result files a command could not use (unreadable, not JSON,
 * invalid), one line each on stderr, as `report` lists them in its page, so
 * that a number is never computed silently from fewer files than the user
 * gave. At most 20 files are named; the rest are counted.
 */
import type { Problem } from "../log/read.ts";

const MAX_NAMED = 20;

/** The files of `problems`, each with its first problem ("path: message"), in order. */
export function leftOutFiles(problems: readonly Problem[]): { file: string; problem: string }[] {
  const first = new Map<string, string>();
  for (const p of problems)
    if (!first.has(p.file)) first.set(p.file, p.path ? `${p.path}: ${p.message}` : p.message);
  return [...first].map(([file, problem]) => ({ file, problem }));
}

/** Writes the left-out files of `dir` to stderr (nothing when there are none); returns them. */
export function reportLeftOut(
  problems: readonly Problem[],
  dir: string,
): { file: string; problem: string }[] {
  const files = leftOutFiles(problems);
  if (files.length === 0) return files;
  const lines = files.slice(0, MAX_NAMED).map((f) => `  ${f.file}: ${f.problem}\n`);
  if (files.length > MAX_NAMED) lines.push(`  … and ${files.length - MAX_NAMED} more\n`);
  process.stderr.write(
    `evoalloc: ${files.length} file(s) under ${dir} could not be used and were left out (details: evoalloc validate ${dir}):\n${lines.join("")}`,
  );
  return files;
}
