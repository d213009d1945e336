/**
 * SVG → PNG with resvg. resvg has no system fonts here and silently drops
 * text without one, so the DejaVu font files of the `dejavu-fonts-ttf`
 * package are passed explicitly and stand in for the generic families Vega
 * writes ("sans-serif", "monospace"). Kept apart from the Vega code so the
 * PNG worker thread loads only resvg.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Resvg, type ResvgRenderOptions } from "@resvg/resvg-js";
import { siblingUrl, startWorker } from "../util/worker.ts";

const require = createRequire(import.meta.url);

/** Absolute paths of the DejaVu fonts resvg renders with (regular and bold: all Vega draws). */
export function fontFiles(): string[] {
  const dir = join(dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
  return ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"].map((f) => join(dir, f));
}

/**
 * Moves element `opacity` into `fill-opacity`/`stroke-opacity` (multiplied
 * into any already there). For a single shape or text the picture is the
 * same, but resvg composites every element with `opacity` on its own
 * full-canvas layer, which made large faceted charts take seconds.
 * `opacity="0"` elements (hidden labels) are hidden.
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

let fontCache: string[] | null = null;

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

/** PNG pixels per SVG pixel: text of 11 px renders at 16–17 px, legible, at half the cost of 2×. */
export const PNG_SCALE = 1.5;

/**
 * Rasterises an SVG to PNG at `scale`× (default PNG_SCALE).
 *
 * @example renderPng(svg).subarray(1, 4).toString() // => "PNG"
 */
export function renderPng(svg: string, scale = PNG_SCALE): Buffer {
  return new Resvg(flattenOpacity(svg), pngOptions(scale)).render().asPng();
}

export interface PngRenderer {
  render(svg: string): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Renders on the calling thread (no worker). */
export function inlinePngRenderer(scale = PNG_SCALE): PngRenderer {
  return { render: async (svg) => renderPng(svg, scale), close: async () => {} };
}

const workerUrl = siblingUrl("png-worker", import.meta.url);

/**
 * Renders PNGs on a worker thread, in order, so rasterising and PNG encoding
 * (a few hundred ms per chart) overlap the main thread's layout work.
 */
export function workerPngRenderer(scale = PNG_SCALE): PngRenderer {
  const worker = startWorker(workerUrl);
  const pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  let next = 0;
  worker.on("message", (m: { id: number; png?: Uint8Array; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.png) p.resolve(m.png);
    else p.reject(new Error(m.error ?? "PNG rendering failed"));
  });
  worker.on("error", (err) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  });
  return {
    render(svg) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, svg, scale });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
