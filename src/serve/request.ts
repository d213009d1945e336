/**
 * Validating an OpenAI chat-completion request body as the OpenAI API does:
 * a wrong body is a 400 `ApiError` naming the parameter (`messages[2].role`),
 * with OpenAI's message, type and code.
 */
import type { ChatMessage } from "../run/ports.ts";

/** An OpenAI-style error: `{ error: { message, type, param, code } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
  body(): unknown {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** A 400 invalid_request_error. */
export const invalid = (message: string, param: string | null = null, code: string | null = null) =>
  new ApiError(400, message, "invalid_request_error", param, code);

/** The validated part of a chat-completion request that the mutator uses. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  seed: number | null;
  maxTokens: number | null;
  n: number;
  stream: boolean;
  includeUsage: boolean;
  /** The sampling parameters as sent (null when absent): part of what a seeded answer depends on. */
  sampling: Record<string, unknown>;
}

/** Parameters that change what a seeded model samples. */
const SAMPLING_KEYS = [
  "temperature",
  "top_p",
  "top_k",
  "min_p",
  "presence_penalty",
  "frequency_penalty",
  "repetition_penalty",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "logit_bias",
] as const;

/**
 * Validates a parsed request body.
 * @throws ApiError 400 naming the offending parameter.
 */
export function parseChatRequest(body: unknown): ChatRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw invalid("The request body must be a JSON object.");
  const b = body as Record<string, unknown>;
  if (b.messages === undefined)
    throw invalid("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
  if (!Array.isArray(b.messages))
    throw invalid("Invalid type for 'messages': expected an array of objects.", "messages", "invalid_type");
  if (b.messages.length === 0)
    throw invalid(
      "Invalid 'messages': empty array. Expected an array with minimum length 1.",
      "messages",
      "empty_array",
    );
  const messages = b.messages.map((m, i) => parseMessage(m, i));
  const model = b.model === undefined ? "mutator" : b.model;
  if (typeof model !== "string")
    throw invalid("Invalid type for 'model': expected a string.", "model", "invalid_type");
  const seed = optionalInt(b, "seed", -(2 ** 63), 2 ** 64);
  const maxTokens =
    optionalInt(b, "max_completion_tokens", 1, 2 ** 31) ?? optionalInt(b, "max_tokens", 1, 2 ** 31);
  const n = optionalInt(b, "n", 1, 128) ?? 1;
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== "boolean")
    throw invalid("Invalid type for 'stream': expected a boolean.", "stream", "invalid_type");
  const so = b.stream_options as Record<string, unknown> | null | undefined;
  return {
    model,
    messages,
    seed,
    maxTokens,
    n,
    stream: b.stream === true,
    includeUsage: typeof so === "object" && so !== null && so.include_usage === true,
    sampling: Object.fromEntries(SAMPLING_KEYS.map((k) => [k, b[k] ?? null])),
  };
}

function parseMessage(m: unknown, i: number): ChatMessage {
  if (m === null || typeof m !== "object" || Array.isArray(m))
    throw invalid(`Invalid type for 'messages[${i}]': expected an object.`, `messages[${i}]`, "invalid_type");
  const o = m as Record<string, unknown>;
  const roles = ["system", "developer", "user", "assistant", "tool"];
  if (typeof o.role !== "string" || !roles.includes(o.role))
    throw invalid(
      `Invalid value for 'messages[${i}].role': expected one of ${roles.join(", ")}.`,
      `messages[${i}].role`,
      "invalid_value",
    );
  let content: string;
  if (typeof o.content === "string") content = o.content;
  else if (o.content === null && o.role === "assistant") content = "";
  else if (Array.isArray(o.content)) {
    content = o.content
      .map((part) => {
        const p = part as Record<string, unknown> | null;
        return p !== null && typeof p === "object" && p.type === "text" && typeof p.text === "string"
          ? p.text
          : "";
      })
      .join("");
  } else
    throw invalid(
      `Invalid type for 'messages[${i}].content': expected a string or an array of content parts.`,
      `messages[${i}].content`,
      "invalid_type",
    );
  const role =
    o.role === "developer" ? "system" : o.role === "tool" ? "user" : (o.role as ChatMessage["role"]);
  return { role, content };
}

function optionalInt(b: Record<string, unknown>, key: string, min: number, max: number): number | null {
  const v = b[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v))
    throw invalid(`Invalid type for '${key}': expected an integer.`, key, "invalid_type");
  if (v < min || v > max)
    throw invalid(`Invalid value for '${key}': must be in [${min}, ${max}].`, key, "invalid_value");
  return v;
}
