/**
 * Rendering a Vega-Lite spec in Node: compile (vega-lite) → parse (vega) →
 * headless View → SVG; SVG → PNG with resvg. resvg has no system fonts here
 * and silently drops text without one, so the DejaVu font files of the
 * `dejavu-fonts-ttf` package are passed explicitly and stand in for the
 * generic families Vega writes ("sans-serif", "monospace").
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Resvg, type ResvgRenderOptions, renderAsync } from "@resvg/resvg-js";
import { Error as LogError, logger, parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

const require = createRequire(import.meta.url);

/** Absolute paths of the DejaVu fonts resvg renders with. */
export function fontFiles(): string[] {
  const dir = join(dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
  return ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansMono.ttf"].map((f) =>
    join(dir, f),
  );
}

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

let fontCache: string[] | null = null;

/**
 * Moves element `opacity` into `fill-opacity`/`stroke-opacity` (multiplied
 * into any already there). For a single shape or text the picture is the
 * same, but resvg composites every element with `opacity` on its own
 * full-canvas layer, which made large faceted charts take seconds.
 * `opacity="0"` elements (hidden labels) are dropped.
 *
 * @example flattenOpacity('<path d="M0,0" opacity="0.5"/>') // => '<path d="M0,0" fill-opacity="0.5" stroke-opacity="0.5"/>'
 */
export function flattenOpacity(svg: string): string {
  return svg.replace(
    /<(path|line|rect|text|circle)\b([^>]*?) opacity="([^"]*)"/g,
    (_m, tag: string, attrs: string, o: string) => {
      const op = Number(o);
      if (op === 1) return `<${tag}${attrs}`;
      if (op === 0) return `<${tag} visibility="hidden"${attrs}`;
      let out = attrs;
      for (const name of ["fill-opacity", "stroke-opacity"]) {
        const re = new RegExp(` ${name}="([^"]*)"`);
        const hit = re.exec(out);
        out = hit ? out.replace(re, ` ${name}="${Number(hit[1]) * op}"`) : `${out} ${name}="${op}"`;
      }
      return `<${tag}${out}`;
    },
  );
}

/**
 * Rasterises an SVG to PNG at `scale`× (default 2, for legible text).
 *
 * @example renderPng(await renderSvg(spec)).subarray(1, 4).toString() // => "PNG"
 */
export function renderPng(svg: string, scale = 2): Buffer {
  return new Resvg(flattenOpacity(svg), pngOptions(scale)).render().asPng();
}

/** As `renderPng`, on libuv's thread pool (rasterising overlaps the next chart's layout). */
export async function renderPngAsync(svg: string, scale = 2): Promise<Buffer> {
  return (await renderAsync(flattenOpacity(svg), pngOptions(scale))).asPng();
}

function pngOptions(scale: number): ResvgRenderOptions {
  fontCache ??= fontFiles();
  return {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: {
      fontFiles: fontCache,
      loadSystemFonts: false,
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
      serifFamily: "DejaVu Sans",
      monospaceFamily: "DejaVu Sans Mono",
    },
  };
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
