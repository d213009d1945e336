/**
 * Writing at the edge: atomic result files and the folders they go in (the
 * run journal is run/journal.ts). A reader never sees a half-written result
 * file: the bytes go to a temporary file in the same folder, are flushed,
 * then renamed over the target (atomic on POSIX file systems). JSON values
 * are written as a stream of pieces, never as one string, so a result larger
 * than V8's longest string (about 512 MB) is still written.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, statSync } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { stringifyPythonJson } from "./json.ts";
import { tmpName } from "./paths.ts";

/** A file-system error as one line: "ENOENT: /proc/nope (no such file or directory)". */
export function fsErrorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== "string") return err instanceof Error ? err.message : String(err);
  const why = /^[A-Z]+: ([^,]+)/.exec(e.message)?.[1];
  return `${e.code}${e.path ? `: ${e.path}` : ""}${why ? ` (${why})` : ""}`;
}

function notDir(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), {
    code: "ENOTDIR",
    path,
    syscall: "mkdir",
  });
}

/** The missing ancestors of `dir`, outermost first; throws when an ancestor is not a folder. */
function missingDirs(dir: string, exists: (p: string) => boolean | null): string[] {
  const missing: string[] = [];
  let d = resolve(dir);
  for (;;) {
    const isDir = exists(d);
    if (isDir === true) break;
    if (isDir === false) throw notDir(d);
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return missing.reverse();
}

/**
 * Creates `dir` and its missing parents, one level at a time. Unlike
 * `mkdir(…, { recursive: true })`, which spins forever under /proc on
 * Node 20, every failure (ENOENT under /proc or /sys, ENOTDIR inside a
 * file, EACCES, EROFS, ENOSPC) rejects at once.
 */
export async function ensureDir(dir: string): Promise<void> {
  const probe = new Map<string, boolean | null>();
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      probe.set(d, (await stat(d)).isDirectory());
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      probe.set(d, null);
      if (dirname(d) === d) break;
    }
  }
  for (const d of missingDirs(dir, (p) => probe.get(p) ?? null)) {
    try {
      await mkdir(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}

/** `ensureDir`, synchronously. */
export function ensureDirSync(dir: string): void {
  const exists = (p: string): boolean | null => {
    try {
      return statSync(p).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  };
  for (const d of missingDirs(dir, exists)) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}

/**
 * Writes the pieces of `chunks` to `path` atomically, creating parent
 * folders; gzips when `path` ends in `.gz`. The temporary file is removed
 * when anything fails.
 */
async function writeChunksAtomic(path: string, chunks: Iterable<string | Uint8Array>): Promise<void> {
  const dir = dirname(path);
  await ensureDir(dir);
  const tmp = join(dir, tmpName(path, process.pid, randomBytes(4).toString("hex")));
  try {
    const fh = await open(tmp, "w");
    try {
      const source = Readable.from(batched(chunks), { objectMode: false });
      const sink = async (bytes: AsyncIterable<Buffer>): Promise<void> => {
        for await (const b of bytes) await fh.write(b);
      };
      if (path.endsWith(".gz")) await pipeline(source, createGzip({ level: 6 }), sink);
      else await pipeline(source, sink);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Joins small pieces into buffers of about 1 MiB (one write each). */
function* batched(chunks: Iterable<string | Uint8Array>): Generator<Buffer> {
  let parts: Buffer[] = [];
  let size = 0;
  for (const c of chunks) {
    const b = typeof c === "string" ? Buffer.from(c, "utf8") : Buffer.from(c);
    parts.push(b);
    size += b.length;
    if (size >= 1 << 20) {
      yield Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(parts, size);
}

/**
 * Writes `data` (a string or bytes) to `path` atomically, creating parent
 * folders; gzips when `path` ends in `.gz`.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeChunksAtomic(path, [data]);
}

/**
 * Writes a value as JSON (non-finite numbers as Python writes them)
 * atomically, as a stream: the bytes equal `stringifyPythonJson(value,
 * indent)` plus a newline.
 */
export async function writeJsonAtomic(path: string, value: unknown, indent?: number): Promise<void> {
  await writeChunksAtomic(
    path,
    (function* () {
      yield* jsonChunks(value, indent ?? 0, "");
      yield "\n";
    })(),
  );
}

/**
 * The JSON text of `value` in pieces: objects and arrays are walked to
 * depth `STREAM_DEPTH`, deeper values are stringified whole. Matches
 * `JSON.stringify(value, null, indent)` (keys with undefined or function
 * values are left out, such array items become null).
 */
const STREAM_DEPTH = 6;
export function* jsonChunks(value: unknown, indent: number, pad: string, depth = 0): Generator<string> {
  const v = value;
  if (v === null || typeof v !== "object" || depth >= STREAM_DEPTH) {
    const text = stringifyPythonJson(v, indent || undefined) ?? "null";
    yield indent > 0 && pad !== "" ? text.replace(/\n/g, `\n${pad}`) : text;
    return;
  }
  const inner = indent > 0 ? pad + " ".repeat(indent) : "";
  const nl = indent > 0 ? `\n${inner}` : "";
  const close = indent > 0 ? `\n${pad}` : "";
  if (Array.isArray(v)) {
    if (v.length === 0) return void (yield "[]");
    yield "[";
    for (let i = 0; i < v.length; i++) {
      yield i === 0 ? nl : `,${nl}`;
      const item = v[i];
      if (item === undefined || typeof item === "function" || typeof item === "symbol") yield "null";
      else yield* jsonChunks(item, indent, inner, depth + 1);
    }
    yield `${close}]`;
    return;
  }
  const entries = Object.entries(v).filter(
    ([, x]) => x !== undefined && typeof x !== "function" && typeof x !== "symbol",
  );
  if (entries.length === 0) return void (yield "{}");
  yield "{";
  for (const [i, [k, x]] of entries.entries()) {
    yield `${i === 0 ? nl : `,${nl}`}${JSON.stringify(k)}:${indent > 0 ? " " : ""}`;
    yield* jsonChunks(x, indent, inner, depth + 1);
  }
  yield `${close}}`;
}
