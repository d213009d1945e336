/**
 * ShinkaEvolve results folders: `programs.sqlite` (older: `evolution_db.sqlite`),
 * table `programs` with one row per proposal: `generation` (0 = the initial
 * program, then one per LLM proposal), `combined_score`, `correct` (1 when the
 * program evaluated correctly), `parent_id`, `island_idx` and a JSON
 * `metadata` whose `llm_result` holds `input_tokens`, `output_tokens`
 * (failed proposals are rows too, `node_kind: "failed_proposal"`, correct 0).
 *
 * Read with sql.js (SQLite compiled to WebAssembly: installs from the npm
 * registry alone, no native build). The database is read from its bytes, so
 * rows still in a `-wal` file (a run that did not close its database) are not
 * seen; that is reported.
 */
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import initSqlJs, { type SqlJsStatic, type SqlValue } from "sql.js";
import { ImportError, type Observation } from "./assemble.ts";

export const SHINKA_DB_NAMES = ["programs.sqlite", "evolution_db.sqlite"] as const;

let sqlJs: Promise<SqlJsStatic> | null = null;
/** The sql.js module, loaded once per process. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs();
  return sqlJs;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** The database file of a ShinkaEvolve results folder, or null. */
export async function shinkaDb(dir: string): Promise<string | null> {
  for (const name of SHINKA_DB_NAMES) if (await exists(join(dir, name))) return join(dir, name);
  return null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const tokens = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null;

function parseJson(text: SqlValue): Obj {
  if (typeof text !== "string") return {};
  try {
    const v = JSON.parse(text) as unknown;
    return isObj(v) ? v : {};
  } catch {
    return {};
  }
}

export interface ShinkaRead {
  observations: Observation[];
  lastCall: number;
  files: string[];
  notes: string[];
  version: string | null;
  /** Seconds between the first and the last row's timestamp. */
  wall?: number;
}

/**
 * The rows of a ShinkaEvolve database as observations, one per generation:
 * several rows of one generation (a failed proposal, then a retry) merge into
 * one call whose outcome is the correct row's (else the last row's), tokens summed.
 *
 * @throws ImportError when the bytes are not SQLite or have no `programs` table.
 */
export async function parseShinkaDb(bytes: Uint8Array): Promise<Omit<ShinkaRead, "files">> {
  const SQL = await loadSqlJs();
  let db: InstanceType<SqlJsStatic["Database"]>;
  try {
    db = new SQL.Database(bytes);
  } catch (err) {
    throw new ImportError(`not an SQLite database (${(err as Error).message})`);
  }
  try {
    let cols: Set<string>;
    try {
      cols = new Set((db.exec("PRAGMA table_info(programs)")[0]?.values ?? []).map((r) => String(r[1])));
    } catch (err) {
      throw new ImportError(`not an SQLite database (${(err as Error).message})`);
    }
    if (cols.size === 0) throw new ImportError("no programs table");
    for (const need of ["generation", "combined_score"])
      if (!cols.has(need)) throw new ImportError(`programs table has no ${need} column`);
    const want = [
      "id",
      "parent_id",
      "generation",
      "combined_score",
      "correct",
      "island_idx",
      "metadata",
      "timestamp",
    ];
    const sel = want.map((c) => (cols.has(c) ? c : `NULL AS ${c}`)).join(", ");
    const order = cols.has("timestamp") ? "generation, timestamp" : "generation";
    const res = db.exec(`SELECT ${sel} FROM programs ORDER BY ${order}`)[0];
    const notes: string[] = [];
    const byGen = new Map<number, Observation[]>();
    let t0 = Number.POSITIVE_INFINITY;
    let t1 = Number.NEGATIVE_INFINITY;
    for (const r of res?.values ?? []) {
      const [id, parent, gen, score, correct, island, metaText, ts] = r;
      if (typeof gen !== "number" || !Number.isInteger(gen) || gen < 0) continue;
      if (typeof ts === "number") {
        t0 = Math.min(t0, ts);
        t1 = Math.max(t1, ts);
      }
      const meta = parseJson(metaText ?? null);
      const llm = isObj(meta.llm_result) ? meta.llm_result : {};
      const failed = meta.node_kind === "failed_proposal";
      const valid = !failed && correct === 1;
      const o: Observation = {
        call: gen,
        source: "sqlite",
        fitness: !failed && typeof score === "number" ? score : null,
        valid,
        child_id: typeof id === "string" ? id : null,
        parent_id: typeof parent === "string" ? parent : null,
        island: typeof island === "number" ? island : null,
        prompt_tokens: tokens(llm.input_tokens),
        completion_tokens: tokens(llm.output_tokens),
      };
      let list = byGen.get(gen);
      if (!list) byGen.set(gen, (list = []));
      list.push(o);
    }
    const observations: Observation[] = [];
    let merged = 0;
    for (const list of byGen.values()) {
      const pick = list.find((o) => o.valid) ?? list[list.length - 1]!;
      if (list.length > 1) {
        merged++;
        const sum = (k: "prompt_tokens" | "completion_tokens") =>
          list.every((o) => o[k] === null) ? null : list.reduce((a, o) => a + (o[k] ?? 0), 0);
        observations.push({
          ...pick,
          prompt_tokens: sum("prompt_tokens"),
          completion_tokens: sum("completion_tokens"),
        });
      } else observations.push(pick);
    }
    if (merged > 0)
      notes.push(
        `${merged} generation(s) had several rows (retried proposals): one call each, tokens summed`,
      );
    const lastCall = Math.max(0, ...byGen.keys());
    return {
      observations,
      lastCall,
      notes,
      version: null,
      ...(Number.isFinite(t0) && t1 >= t0 ? { wall: t1 - t0 } : {}),
    };
  } finally {
    db.close();
  }
}

/** Reads one ShinkaEvolve results folder. @throws ImportError when it has no readable database. */
export async function readShinka(dir: string): Promise<ShinkaRead> {
  const file = await shinkaDb(dir);
  if (!file) throw new ImportError(`no ${SHINKA_DB_NAMES.join(" or ")}: not a ShinkaEvolve results folder`);
  const res = await parseShinkaDb(await readFile(file));
  if (await exists(`${file}-wal`))
    res.notes.push(`${file}-wal exists: rows not yet checkpointed into the database file are not read`);
  return { ...res, files: [file.slice(dir.length + 1)] };
}
