import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findFloatLiterals } from "../src/mutator/literals.ts";
import {
  estimateTokens,
  extractProgram,
  mutateProgram,
  mutatorReply,
  promptTokens,
} from "../src/mutator/mutator.ts";
import { MutatorClient } from "../src/mutator/mutator-client.ts";
import type { ChatMessage } from "../src/run/ports.ts";

const PROGRAM = "import numpy as np\nPOINTS = [(0.1, 0.2), (0.3, 0.4), (0.5, 0.6)]\nEPS = 1e-3\nK = 3\n";
const chat = (program: string): ChatMessage[] => [
  { role: "system", content: "You improve programs." },
  {
    role: "user",
    content: `Current score: 0.5\n\`\`\`python\n${program}\`\`\`\nReturn the improved program.`,
  },
];

describe("mutateProgram", () => {
  it("is a function of (program, seed): same seed, same child; frozen input", () => {
    const input = Object.freeze(PROGRAM);
    const a = mutateProgram(input, 12345);
    const b = mutateProgram(input, 12345);
    assert.deepEqual(a, b);
    assert.notEqual(a.code, PROGRAM);
  });

  it("different seeds give different children", () => {
    const codes = new Set(Array.from({ length: 50 }, (_, s) => mutateProgram(PROGRAM, s).code));
    assert.equal(codes.size, 50);
  });

  it("changes only float literals, a subset of them, and records the scale", () => {
    for (let seed = 0; seed < 100; seed++) {
      const m = mutateProgram(PROGRAM, seed);
      assert.equal(m.literals, 7);
      assert.ok(m.mutated >= 1 && m.mutated <= 7);
      assert.ok(m.scale >= 1e-4 && m.scale <= 0.3);
      // structure is unchanged: the same code once numbers are masked
      const mask = (s: string) => s.replace(/\(?-?[0-9.]+(e-?[0-9]+)?\)?/g, "#");
      assert.equal(mask(m.code), mask(PROGRAM));
      const before = findFloatLiterals(PROGRAM).map((l) => l.value);
      const after = findFloatLiterals(m.code).map((l) => l.value);
      assert.equal(after.length, 7);
      assert.equal(after.filter((v, k) => v !== before[k]).length <= m.mutated, true);
      assert.ok(m.code.includes("K = 3"));
    }
  });

  it("returns a program without float literals unchanged", () => {
    const m = mutateProgram("K = 3\nprint('1.5')\n", 9);
    assert.equal(m.code, "K = 3\nprint('1.5')\n");
    assert.equal(m.mutated, 0);
  });

  it("rejects invalid step parameters", () => {
    assert.throws(() => mutateProgram(PROGRAM, 1, { scaleMin: 0, scaleMax: 1, absFloor: 0 }), RangeError);
    assert.throws(() => mutateProgram(PROGRAM, 1, { scaleMin: 1, scaleMax: 0.5, absFloor: 0 }), RangeError);
    assert.throws(
      () => mutateProgram(PROGRAM, 1, { scaleMin: 0.1, scaleMax: 0.5, absFloor: -1 }),
      RangeError,
    );
  });
});

describe("extractProgram / mutatorReply", () => {
  it("reads the block under a 'Current Program' heading of the last user message, else its last block", () => {
    const msgs: ChatMessage[] = [
      { role: "user", content: "```python\nold = 1.0\n```" },
      { role: "assistant", content: "```python\nmine = 2.0\n```" },
      { role: "user", content: "text\n```python\nx = 0.5\n```\nmore ```python\ny = 1.0\n```" },
    ];
    assert.equal(extractProgram(msgs), "y = 1.0\n");
    // OpenEvolve's layout: other programs first, the current one under its heading, inspirations after
    const openevolve =
      "## Previous Attempts\n```python\na = 1.0\n```\n# Current Program\n```python\nb = 2.0\n```\n" +
      "## Inspiration Programs\n```python\nc = 3.0\n```\n```text\nnot code\n```";
    assert.equal(extractProgram([{ role: "user", content: openevolve }]), "b = 2.0\n");
    assert.equal(
      extractProgram([{ role: "user", content: "### The current program (score 0.5)\n```\nd = 4.0\n```" }]),
      "d = 4.0\n",
    );
    // a python block wins over a later untagged one when there is no heading
    assert.equal(
      extractProgram([{ role: "user", content: "```python\ne = 5.0\n```\n```\nplain\n```" }]),
      "e = 5.0\n",
    );
    assert.equal(extractProgram([{ role: "user", content: "```\nz = 1.5\n```" }]), "z = 1.5\n");
    assert.equal(extractProgram([{ role: "user", content: "no code" }]), null);
    assert.equal(extractProgram([]), null);
  });

  it("answers with the full program in one ```python block and counts tokens", () => {
    const r = mutatorReply(chat(PROGRAM), 7);
    assert.match(r.content, /^```python\n[\s\S]*\n```$/);
    assert.equal(r.content, `\`\`\`python\n${mutateProgram(PROGRAM, 7).code}\`\`\``);
    assert.equal(r.completionTokens, estimateTokens(r.content) + 1);
    const none = mutatorReply([{ role: "user", content: "hello" }], 7);
    assert.equal(none.mutation, null);
    assert.doesNotMatch(none.content, /```/);
  });

  it("estimates tokens at 4 characters each", () => {
    assert.equal(estimateTokens(""), 0);
    assert.equal(estimateTokens("abcd"), 1);
    assert.equal(estimateTokens("abcde"), 2);
    assert.equal(promptTokens([{ role: "user", content: "abcd" }]), 3 + 1 + 4);
  });
});

describe("MutatorClient", () => {
  const req = (maxTokens = 16000) => ({
    messages: chat(PROGRAM),
    seed: 42,
    maxTokens,
    temperature: 0.4,
    topP: 0.95,
    timeoutS: 900,
  });

  it("records one ok attempt with a usage object, deterministically", async () => {
    const client = new MutatorClient();
    const a = await client.complete(req());
    const b = await client.complete(req());
    assert.equal(a.content, b.content);
    assert.equal(a.attempts.length, 1);
    const at = a.attempts[0]!;
    assert.equal(at.status, "ok");
    assert.equal(at.finish_reason, "stop");
    assert.equal(at.timed_out, false);
    assert.ok(at.latency_s >= 0);
    const prompt = promptTokens(chat(PROGRAM));
    assert.deepEqual(at.usage, {
      prompt_tokens: prompt,
      completion_tokens: estimateTokens(a.content!) + 1,
      total_tokens: prompt + estimateTokens(a.content!) + 1,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('cuts the answer at max_tokens with finish_reason "length"', async () => {
    const r = await new MutatorClient().complete(req(5));
    assert.equal(r.content!.length, 20);
    assert.equal(r.attempts[0]!.finish_reason, "length");
    assert.equal(r.attempts[0]!.usage!.completion_tokens, 5);
  });

  it("rejects when already aborted", async () => {
    const ac = new AbortController();
    ac.abort(new Error("stop"));
    await assert.rejects(new MutatorClient().complete({ ...req(), signal: ac.signal }), /stop/);
  });
});
