/** Worker thread of `workerPngRenderer`: SVG in, PNG bytes out (transferred). */
import { parentPort } from "node:worker_threads";
import { renderPng } from "./png.ts";

parentPort!.on("message", ({ id, svg, scale }: { id: number; svg: string; scale: number }) => {
  try {
    const png = new Uint8Array(renderPng(svg, scale));
    parentPort!.postMessage({ id, png }, [png.buffer]);
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
