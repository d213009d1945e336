/**
 * The preflight's answers to network errors, with an injected fetch (no
 * server): a reset connection is asked once more, other errors are not.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EndpointError } from "../src/run/errors.ts";
import { preflight } from "../src/run/llm/preflight.ts";

const errno = (code: string): Error => Object.assign(new Error(`connect ${code}`), { code });
const listing = (): Response => new Response(JSON.stringify({ object: "list", data: [{ id: "m" }] }));

/** A fetch that throws the given errors in turn, then lists model "m"; counts its calls. */
function failing(...errors: Error[]): { fetch: typeof fetch; calls: () => number } {
  let n = 0;
  const f = async (): Promise<Response> => {
    const err = errors[n++];
    if (err !== undefined) throw err;
    return listing();
  };
  return { fetch: f as unknown as typeof fetch, calls: () => n };
}

const check = (f: typeof fetch) =>
  preflight({ model: "m", endpoints: [{ baseURL: "http://127.0.0.1:9/v1", apiKey: "" }], fetch: f });

describe("preflight over a flaky connection", () => {
  it("asks once more when the connection was reset (a kept-alive socket the server closed)", async () => {
    const f = failing(errno("ECONNRESET"));
    assert.deepEqual(await check(f.fetch), []);
    assert.equal(f.calls(), 2);
  });

  it("fails after a second reset, naming the URL and the cause", async () => {
    const f = failing(errno("ECONNRESET"), errno("ECONNRESET"));
    await assert.rejects(
      check(f.fetch),
      (err: Error) =>
        err instanceof EndpointError &&
        err.message === "http://127.0.0.1:9/v1/models: cannot connect: connection reset (ECONNRESET)",
    );
    assert.equal(f.calls(), 2);
  });

  it("does not ask again when the connection is refused", async () => {
    const f = failing(errno("ECONNREFUSED"));
    await assert.rejects(check(f.fetch), /cannot connect: connection refused \(ECONNREFUSED\)/);
    assert.equal(f.calls(), 1);
  });
});
