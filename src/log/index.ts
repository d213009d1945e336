/** The log contract: schemas, reading, checks, FLOPs, models, writing. */
export * from "./check.ts";
export * from "./flops.ts";
export * from "./json.ts";
export * from "./models.ts";
export * from "./read.ts";
export * from "./schema.ts";
export * from "./write.ts";
