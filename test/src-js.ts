/**
 * src/ as JavaScript, for worker threads in test runs. Under tsx a worker
 * thread on a `.ts` module registers tsx again and loads every module through
 * its hooks (src/util/worker.ts): about 0.6 s of CPU per worker, and the fast
 * set starts dozens. Before a run, ./sets.ts transpiles src/ with esbuild
 * into a folder laid out like dist/ (one `.js` per `.ts`, relative imports
 * renamed to `.js`, packages imported from node_modules) and names it in
 * `EVOALLOC_WORKER_JS`; startWorker then starts a worker's `.js` twin, which
 * loads as the build does (about 0.17 s of CPU).
 *
 * The folder sits directly in the project, as dist/ does, so that paths a
 * module derives from its own location (the package root, two levels up from
 * src/run/) are the same.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";

const ROOT = join(import.meta.dirname, "..");
const SRC = join(ROOT, "src");

// each module on its own: a relative import stays an import, of the `.js` twin
const relativeImportsToJs: Plugin = {
  name: "relative-imports-to-js",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) =>
      args.kind === "entry-point" ? undefined : { path: args.path.replace(/\.ts$/, ".js"), external: true },
    );
  },
};

/** Transpiles every module of src/ into `outdir` (`src/log/read.ts` → `<outdir>/log/read.js`). */
export async function transpileSrc(outdir: string): Promise<void> {
  const modules = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter(
    (f) => f.endsWith(".ts") && !f.endsWith(".d.ts"),
  );
  await build({
    entryPoints: modules.map((f) => join(SRC, f)),
    outbase: SRC,
    outdir,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "error",
    plugins: [relativeImportsToJs],
  });
}
