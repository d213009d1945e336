/**
 * The queue's address: `redis://[[user]:password@]host[:port][/db]` (or
 * `rediss://` for TLS). The password is a secret: everything evoalloc prints
 * or stores names the queue by `redactQueueUrl`, and error texts that might
 * carry it pass through `scrub`.
 *
 * @example parseQueueUrl("redis://:s3cret@10.0.0.5:6380/2").display
 * // => "redis://***@10.0.0.5:6380/2"
 */

export interface QueueAddress {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL without its password: safe to print. */
  display: string;
}

/** A queue URL that cannot be used: the message never holds the password. */
export class QueueUrlError extends Error {
  override name = "QueueUrlError";
}

/**
 * Parses a queue URL.
 * @throws QueueUrlError "not a redis:// URL", "db must be an integer in [0, 15]"…
 */
export function parseQueueUrl(text: string): QueueAddress {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new QueueUrlError("not a URL (expected redis://[:password@]host[:port][/db])");
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new QueueUrlError(`${u.protocol}// is not a redis:// or rediss:// URL`);
  if (u.hostname === "") throw new QueueUrlError("the URL names no host");
  const port = u.port === "" ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\/+/, "");
  const db = path === "" ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0 || db > 15 || !/^\d*$/.test(path))
    throw new QueueUrlError("the database (the URL's path) must be an integer in [0, 15]");
  const username = u.username === "" ? undefined : decodeURIComponent(u.username);
  const password = u.password === "" ? undefined : decodeURIComponent(u.password);
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  const auth =
    username !== undefined || password !== undefined
      ? `${username ?? ""}${password !== undefined ? ":***" : ""}@`
      : "";
  return {
    host,
    port,
    db,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    tls: u.protocol === "rediss:",
    display: `${u.protocol}//${auth}${u.host}${db !== 0 ? `/${db}` : ""}`,
  };
}

/** The URL with its password replaced by `***` (unparsable text: `(queue URL)`). */
export function redactQueueUrl(text: string): string {
  try {
    return parseQueueUrl(text).display;
  } catch {
    return "(queue URL)";
  }
}

/** `text` with every occurrence of the address's password (raw and URL-encoded) replaced by `***`. */
export function scrub(text: string, addr: Pick<QueueAddress, "password">): string {
  const pw = addr.password;
  if (pw === undefined || pw === "") return text;
  let out = text;
  for (const form of new Set([pw, encodeURIComponent(pw)])) out = out.split(form).join("***");
  return out;
}
