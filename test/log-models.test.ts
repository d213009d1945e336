import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BUILTIN_MODELS, loadModels, ModelFileError, parseModelFile } from "../src/log/models.ts";

describe("model registry", () => {
  it("has the built-in models with their parameter counts and defaults", () => {
    assert.equal(BUILTIN_MODELS["qwen3-8b"]!.params_active, 8_190_726_144);
    assert.equal(BUILTIN_MODELS["qwen3-14b"]!.name, "Qwen/Qwen3-14B");
    const llama = BUILTIN_MODELS["llama-8b"]!;
    assert.equal(llama.params_active, 8_030_261_248);
    assert.equal(llama.api_base_env, "LLM_API_BASE");
    assert.equal(llama.api_key_env, "LLM_API_KEY");
    assert.equal(llama.temperature, 0.4);
    assert.equal(llama.top_p, 0.95);
    assert.equal(llama.max_tokens, 16000);
    assert.equal(llama.timeout_s, 900);
    assert.equal(BUILTIN_MODELS.mutator!.params_active, 0);
  });

  it("adds and overrides models from a user file, with defaults filled in", async () => {
    const dir = await mkdtemp(join(tmpdir(), "evoalloc-models-"));
    try {
      const file = join(dir, "models.json");
      await writeFile(
        file,
        JSON.stringify({
          models: [
            {
              key: "my-moe",
              name: "org/MoE-30B-A3B",
              params_active: 3.3e9,
              params_total: 30.5e9,
              max_tokens: 8000,
            },
            { key: "qwen3-8b", name: "Qwen/Qwen3-8B-AWQ", params_active: 8_190_726_144 },
          ],
        }),
      );
      const models = await loadModels(file);
      assert.equal(models["my-moe"]!.max_tokens, 8000);
      assert.equal(models["my-moe"]!.temperature, 0.4);
      assert.equal(models["qwen3-8b"]!.name, "Qwen/Qwen3-8B-AWQ");
      assert.ok(models["llama-8b"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("names the file and the field of a bad model", () => {
    assert.throws(
      () => parseModelFile(JSON.stringify([{ key: "m", name: "x", params_active: -1 }]), "m.json"),
      (e: Error) => e instanceof ModelFileError && /^m\.json: 0\.params_active: /.test(e.message),
    );
    assert.throws(() => parseModelFile("{", "m.json"), /^ModelFileError|m\.json: not valid JSON/);
    assert.throws(
      () => parseModelFile(JSON.stringify([{ name: "x", params_active: 1 }]), "m.json"),
      /m\.json: 0\.key: /,
    );
  });

  it("reports an unreadable model file", async () => {
    await assert.rejects(
      loadModels("/nonexistent/models.json"),
      /\/nonexistent\/models\.json: cannot read \(ENOENT\)/,
    );
  });
});
