// The OpenEvolve example task (examples/openevolve/bumpy), for tasks-openevolve{,.slow}.test.ts.
import { cpSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./cli.ts";

export const EXAMPLES = join(ROOT, "examples", "openevolve");

/** A copy of the example task in `root/name/bumpy`, to edit; returns `root/name` (a tasks folder). */
export function copyBumpy(root: string, name: string): string {
  const dir = join(root, name);
  cpSync(join(EXAMPLES, "bumpy"), join(dir, "bumpy"), { recursive: true });
  return dir;
}
