/**
 * The `--queue` option of `run grid`, `worker` and `grid status`: the
 * Redis URL (flag, else $EVOALLOC_QUEUE), parsed without ever printing its
 * password, and a first connection that fails in seconds with one line.
 */
import { Option } from "commander";
import { z } from "zod";
import { checkQueue, GridQueue, QueueError } from "../run/grid/queue.ts";
import { parseQueueUrl, type QueueAddress, QueueUrlError } from "../run/grid/queue-url.ts";
import { Failure, UsageError } from "./errors.ts";

/** `--queue` where a command reads a queue (`worker`, `grid status`); `run grid --queue` says what it enqueues. */
export const queueOption = () =>
  new Option("--queue <url>", "redis://[:password@]host[:port][/db] (default $EVOALLOC_QUEUE)");

/** The `--queue` value as commander hands it (checked by `requiredQueue`). */
export const QueueFlagSchema = z.string().min(1).optional();

/** Parses `--queue` (or $EVOALLOC_QUEUE). @throws UsageError without the password. */
export function queueAddress(text: string, flag = "--queue"): QueueAddress {
  try {
    return parseQueueUrl(text);
  } catch (err) {
    if (err instanceof QueueUrlError) throw new UsageError(`${flag}: ${err.message}`);
    throw err;
  }
}

/** The queue of `--queue`, else $EVOALLOC_QUEUE. @throws UsageError when neither is set or the URL is bad. */
export function requiredQueue(flag: string | undefined, env = process.env): QueueAddress {
  const url = flag ?? (env.EVOALLOC_QUEUE || undefined);
  if (url === undefined) throw new UsageError("--queue: is required (or set EVOALLOC_QUEUE)");
  return queueAddress(url);
}

/** Connects (fails in seconds with one line when Redis cannot be reached). @throws Failure */
export async function openQueue(addr: QueueAddress): Promise<GridQueue> {
  try {
    await checkQueue(addr);
  } catch (err) {
    if (err instanceof QueueError) throw new Failure(err.message);
    throw err;
  }
  return new GridQueue(addr);
}
