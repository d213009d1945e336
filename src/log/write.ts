/**
 * Writing at the edge: atomic result files and append-only JSON-lines
 * journals. A reader never sees a half-written result file: the bytes go to
 * a temporary file in the same folder, are flushed, then renamed over the
 * target (atomic on POSIX file systems).
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { parsePythonJson, stringifyPythonJson } from "./json.ts";

const gzipAsync = promisify(gzip);

/**
 * Writes `data` (a string or bytes) to `path` atomically, creating parent
 * folders; gzips when `path` ends in `.gz`.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  let bytes: Uint8Array = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  if (path.endsWith(".gz")) bytes = await gzipAsync(bytes, { level: 6 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Writes a value as JSON (non-finite numbers as Python writes them) atomically. */
export async function writeJsonAtomic(path: string, value: unknown, indent?: number): Promise<void> {
  await writeFileAtomic(path, `${stringifyPythonJson(value, indent)}\n`);
}

/**
 * An append-only JSON-lines journal. Each `append` writes one complete line
 * and, with `sync`, flushes it, so a crash loses at most the line in flight.
 */
export interface Journal {
  append(entry: unknown): Promise<void>;
  close(): Promise<void>;
}

export async function openJournal(path: string, opts: { sync?: boolean } = {}): Promise<Journal> {
  await mkdir(dirname(path), { recursive: true });
  const fh = await open(path, "a");
  let chain: Promise<void> = Promise.resolve();
  return {
    append(entry: unknown): Promise<void> {
      const line = `${stringifyPythonJson(entry)}\n`;
      chain = chain.then(async () => {
        await fh.appendFile(line, "utf8");
        if (opts.sync) await fh.datasync();
      });
      return chain;
    },
    async close(): Promise<void> {
      await chain;
      await fh.close();
    },
  };
}

/**
 * Reads a journal's complete lines. A torn last line (the process died while
 * writing it) is dropped; a missing journal reads as empty.
 */
export async function readJournal(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const out: unknown[] = [];
  const lines = text.split("\n");
  // the last piece after the final newline is "" or a torn line: never a complete entry
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    try {
      out.push(parsePythonJson(line));
    } catch {
      // a line garbled by a crash mid-write: the entry it held is redone on resume
    }
  }
  return out;
}
