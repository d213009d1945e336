/**
 * `serve` over plain HTTP: malformed requests get OpenAI-style JSON errors
 * with the right status codes; the CLI listens on loopback, prints its URL
 * with --json, stops on SIGTERM, and rejects bad flags with exit code 2.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { type RunningServer, startServer } from "../src/serve/index.ts";
import { runCli } from "./cli.ts";

let s: RunningServer;
before(async () => {
  s = await startServer({ port: 0 });
});
after(async () => {
  await s.close();
});

async function post(body: string, path = "/chat/completions", method = "POST") {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(method === "GET" ? {} : { body }),
  });
  return { status: res.status, json: (await res.json()) as { error?: Record<string, unknown> } };
}

describe("serve: malformed requests", () => {
  it("listens on loopback by default", () => {
    assert.equal(s.host, "127.0.0.1");
  });

  const cases: [string, string, number, string | null][] = [
    ["malformed JSON", "{bad", 400, null],
    ["a JSON array", "[1, 2]", 400, null],
    ["no messages", '{"model": "m"}', 400, "messages"],
    ["messages not an array", '{"messages": "hi"}', 400, "messages"],
    ["empty messages", '{"messages": []}', 400, "messages"],
    ["a message without a role", '{"messages": [{"content": "hi"}]}', 400, "messages[0].role"],
    [
      "content of the wrong type",
      '{"messages": [{"role": "user", "content": 5}]}',
      400,
      "messages[0].content",
    ],
    ["a non-integer seed", '{"messages": [{"role": "user", "content": "x"}], "seed": 1.5}', 400, "seed"],
    ["max_tokens 0", '{"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}', 400, "max_tokens"],
  ];
  for (const [name, body, status, param] of cases) {
    it(`${name} → ${status} invalid_request_error`, async () => {
      const r = await post(body);
      assert.equal(r.status, status);
      assert.equal(r.json.error?.type, "invalid_request_error");
      assert.equal(typeof r.json.error?.message, "string");
      assert.equal(r.json.error?.param, param);
    });
  }

  it("unknown URL → 404, wrong method → 405, both as JSON errors", async () => {
    const a = await post("{}", "/nope");
    assert.equal(a.status, 404);
    assert.equal(a.json.error?.code, "unknown_url");
    const b = await post("", "/chat/completions", "GET");
    assert.equal(b.status, 405);
    assert.equal(b.json.error?.type, "invalid_request_error");
  });

  it("answers a request without seed or model, and content given as parts", async () => {
    const r = await post(
      JSON.stringify({
        messages: [{ role: "user", content: [{ type: "text", text: "```python\nx = 0.5\n```" }] }],
      }),
    );
    assert.equal(r.status, 200);
    const body = r.json as unknown as { model: string; choices: { message: { content: string } }[] };
    assert.equal(body.model, "mutator");
    assert.match(body.choices[0]!.message.content, /^```python\nx = /);
  });
});

describe("evoalloc serve (CLI)", () => {
  it("prints its URL with --json, serves, and stops cleanly on SIGTERM", async () => {
    const child = spawn("node", ["bin/evoalloc.js", "serve", "--port", "0", "--json"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes("\n")) resolve((JSON.parse(out) as { url: string }).url);
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
    assert.equal(models.data[0]!.id, "mutator");
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", (c) => resolve(c));
      child.kill("SIGTERM");
    });
    assert.equal(code, 0);
  });

  it("rejects bad flags with exit code 2 naming the flag", async () => {
    const a = await runCli(["serve", "--fail-rate", "2"]);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /--fail-rate/);
    const b = await runCli(["serve", "--fail-rate", "0.6", "--timeout-rate", "0.6"]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /sum to at most 1/);
  });
});
