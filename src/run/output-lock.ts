/**
 * One writer per result file: a lock file beside the output
 * (`<output>.lock`, log/paths.ts) holding the writer's pid and host. A
 * second process that wants the same output is refused with the holder's
 * name; a lock left by a process that died (same host, pid gone) is stale
 * and taken over.
 *
 * A queue worker tags its lock with the job's id: a worker that holds the
 * queue's lease of the same job (the first one's lease expired: it died)
 * takes over a lock left on another host, where no pid can be checked.
 *
 * The lock appears whole or not at all: its content is written to a
 * temporary file that is then hard-linked to the lock's name (link fails
 * with EEXIST when the lock exists, atomically).
 */
import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { lockPath, tmpName } from "../log/paths.ts";

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** The queue job that took it (queue workers only). */
  tag?: string;
}

/** The output is being written by another live process. */
export class OutputLockedError extends Error {
  override name = "OutputLockedError";
  constructor(
    readonly path: string,
    readonly holder: LockHolder | null,
  ) {
    super(
      holder === null
        ? `${path} is locked by another process (unreadable lock file)`
        : `${path} is being written by pid ${holder.pid} on ${holder.host} since ${holder.since}` +
            ` (remove ${lockPath(path)} if that process is gone)`,
    );
  }
}

export interface OutputLock {
  readonly path: string;
  release(): void;
}

/** Whether process `pid` exists on this host (EPERM: exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    if (typeof h.pid === "number" && typeof h.host === "string")
      return {
        pid: h.pid,
        host: h.host,
        since: String(h.since ?? "?"),
        ...(typeof h.tag === "string" ? { tag: h.tag } : {}),
      };
  } catch {
    // unreadable or garbled: treated as held (never taken over blindly)
  }
  return null;
}

/**
 * Takes the lock of `output` (its folder must exist). With `tag`, a lock
 * with the same tag held on another host is taken over (module comment).
 * @throws OutputLockedError when a live process (or one on another host) holds it;
 *   file-system errors (EACCES, EROFS, ENOSPC…) as they come.
 */
export function lockOutput(output: string, tag?: string): OutputLock {
  const path = lockPath(output);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...(tag !== undefined ? { tag } : {}),
  };
  const tmp = join(dirname(path), tmpName(path, process.pid, randomBytes(4).toString("hex")));
  writeFileSync(tmp, `${JSON.stringify(me)}\n`, { flag: "wx" });
  try {
    for (let tries = 0; ; tries++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const holder = readHolder(path);
      const stale =
        holder !== null &&
        (holder.host === me.host
          ? holder.pid === process.pid || !pidAlive(holder.pid)
          : tag !== undefined && holder.tag === tag);
      if (!stale || tries > 0) throw new OutputLockedError(output, holder);
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      try {
        // only our own lock: a lock we no longer hold is not ours to remove
        if (readHolder(path)?.pid === me.pid) unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}
