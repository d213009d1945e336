/**
 * `evoalloc grid status --queue redis://…`: the state of the grids on the
 * queue (runs done, running, waiting, failed with their reasons; calls) from
 * Redis alone, so it works on a machine without the result tree.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { gridId } from "../run/grid/queue.ts";
import { type GridStatus, gridStatus } from "../run/grid/queue-status.ts";
import { UsageError } from "./errors.ts";
import { parseOptions, printJson } from "./options.ts";
import { openQueue, QueueFlagSchema, queueOption, requiredQueue } from "./queue.ts";

const StatusOptionsSchema = z.object({
  queue: QueueFlagSchema,
  grid: z.string().min(1).optional(),
  root: z.string().min(1).optional(),
  json: z.boolean().optional(),
});

export interface QueueStatus {
  queue: string;
  grids: GridStatus[];
}

export function register(program: Command): void {
  const grid = program.command("grid").description("Grids spread over machines (see `run grid --queue`)");
  grid
    .command("status")
    .description(
      "The state of the grids on a queue: runs done, running, waiting, failed (with reasons), calls",
    )
    .addOption(queueOption())
    .option("--grid <id>", "only this grid (its id, as `run grid --queue` prints it)")
    .option("--root <dir>", "only the grid whose result tree is DIR")
    .option("--json", "print the status as JSON on stdout")
    .action(async (raw: unknown) => {
      const opts = parseOptions(StatusOptionsSchema, raw);
      const addr = requiredQueue(opts.queue);
      const q = await openQueue(addr);
      try {
        const wanted =
          opts.grid !== undefined
            ? [opts.grid]
            : opts.root !== undefined
              ? [gridId(resolve(opts.root))]
              : await q.grids();
        const grids: GridStatus[] = [];
        for (const gid of wanted) {
          const s = await gridStatus(q, gid);
          if (s === null) throw new UsageError(`--grid: no grid ${gid} on ${addr.display}`);
          grids.push(s);
        }
        const status: QueueStatus = { queue: addr.display, grids };
        if (opts.json) printJson(status);
        else process.stdout.write(formatStatus(status));
      } finally {
        await q.close();
      }
    });
}

export function formatStatus(s: QueueStatus): string {
  if (s.grids.length === 0) return `${s.queue}: no grid\n`;
  const out: string[] = [];
  for (const g of s.grids) {
    const st = g.states;
    out.push(
      `grid ${g.grid} (${g.root}): ${g.runs} runs: ${st.done} done, ${st.running} running, ${st.waiting} waiting,` +
        ` ${st.delayed} waiting to retry, ${st.failed} failed${st.missing > 0 ? `, ${st.missing} lost (rerun run grid to add them again)` : ""};` +
        ` calls asked by workers: ${g.calls.fresh} (+${g.calls.replayed} from journals) of ${g.calls.total}`,
    );
    for (const r of g.running) out.push(`  running ${r.path}: ${r.calls} calls`);
    for (const f of g.failures) out.push(`  FAILED ${f.path} (${f.attempts} tries): ${f.error}`);
  }
  return `${out.join("\n")}\n`;
}
