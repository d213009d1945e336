/**
 * Rendering a Vega-Lite spec in Node: compile (vega-lite) → parse (vega) →
 * headless View → SVG; PNG in png.ts (resvg with the bundled DejaVu fonts);
 * the vega builds inlined into the HTML report.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Error as LogError, logger, parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

const require = createRequire(import.meta.url);

export { flattenOpacity, fontFiles, renderPng } from "./png.ts";

/** Compiles a Vega-Lite spec to a Vega spec. Throws on an invalid spec; warnings are not printed. */
export function toVega(spec: TopLevelSpec) {
  return compile(spec, { logger: logger(LogError) }).spec;
}

/** Renders a Vega-Lite spec to an SVG string (no DOM, no network). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(toVega(spec)), { renderer: "none", logLevel: LogError });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The UMD builds of vega, vega-lite and vega-embed, for inlining into the HTML report. */
export async function libraries(): Promise<{ vega: string; vegaLite: string; vegaEmbed: string }> {
  // these packages do not export package.json; their entry points live in build/
  const build = (pkg: string, file: string) => readFile(join(dirname(require.resolve(pkg)), file), "utf8");
  const [vega, vegaLite, vegaEmbed] = await Promise.all([
    build("vega", "vega.min.js"),
    build("vega-lite", "vega-lite.min.js"),
    build("vega-embed", "vega-embed.min.js"),
  ]);
  return { vega, vegaLite, vegaEmbed };
}
