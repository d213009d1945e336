/**
 * `evoalloc serve`: an OpenAI-compatible dry-run endpoint whose model is the
 * built-in mutator, whatever model name a request gives. Any OpenAI client
 * (the openai package, curl, Python's openai) can run a whole pipeline
 * against it before paying for GPUs.
 *
 *   http.ts          the server: routes, bodies, errors, latency, hangs
 *   request.ts       validating a chat request as OpenAI does (ApiError 400)
 *   endpoint.ts      the answer to a request: mutator, seeds, usage, streaming
 *   faults.ts        injected 500s, 429s, hangs and truncations
 *   prefix-cache.ts  cached prompt tokens, as a server with prefix caching reports them
 *   tokens.ts        token counts (Qwen3's tokenizer, or 4 characters a token)
 */
export {
  answerDraw,
  type Completion,
  MutatorEndpoint,
  type RequestLogEntry,
  SERVE_DEFAULTS,
  type ServeOptions,
} from "./endpoint.ts";
export { type RunningServer, startServer } from "./http.ts";
export { ApiError, type ChatRequest, parseChatRequest } from "./request.ts";
