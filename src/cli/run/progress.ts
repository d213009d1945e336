/**
 * Progress of an online run on stderr: a cli-progress bar on a terminal
 * (calls done of C, best fitness, calls per second, ETA), plain log lines
 * otherwise (at most one every `logEveryS` seconds, plus the last). Calls
 * replayed from the journal count as done but not toward the rate.
 */
import cliProgress from "cli-progress";
import type { RunnerEvent } from "../../run/greedy.ts";

export interface Progress {
  onEvent(event: RunnerEvent): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  /** Calls of the whole run (C). */
  total: number;
  stream?: NodeJS.WriteStream;
  /** Force the bar (true) or log lines (false); default: whether the stream is a TTY. */
  tty?: boolean;
  /** Seconds between log lines (non-TTY), default 10. */
  logEveryS?: number;
  now?: () => number;
}

const fmtBest = (x: number): string =>
  Number.isFinite(x) ? x.toFixed(6) : x === Number.NEGATIVE_INFINITY ? "-" : String(x);

function fmtEta(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? stream.isTTY === true;
  const now = opts.now ?? (() => performance.now() / 1000);
  const t0 = now();
  let done = 0;
  let fresh = 0;
  let best = Number.NEGATIVE_INFINITY;
  let lastLog = Number.NEGATIVE_INFINITY;

  const rate = (): number => {
    const dt = now() - t0;
    return dt > 0 ? fresh / dt : 0;
  };
  const eta = (): number => {
    const r = rate();
    return r > 0 ? (opts.total - done) / r : Number.NaN;
  };

  let bar: cliProgress.SingleBar | null = null;
  if (tty) {
    bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${opts.label} |{bar}| {value}/{total} calls | best {best} | {rate} calls/s | ETA {etaText}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(opts.total, 0, { best: "-", rate: "0.0", etaText: "?" });
  }

  const payload = () => ({ best: fmtBest(best), rate: rate().toFixed(1), etaText: fmtEta(eta()) });

  let generation = "";
  const logLine = (force: boolean): void => {
    const t = now();
    if (!force && t - lastLog < (opts.logEveryS ?? 10)) return;
    lastLog = t;
    stream.write(
      `${opts.label}:${generation} best ${fmtBest(best)}, calls ${done}/${opts.total}, ` +
        `${rate().toFixed(1)} calls/s, ETA ${fmtEta(eta())}\n`,
    );
  };

  return {
    onEvent(e) {
      if (e.type === "warning") {
        bar?.stop();
        bar = null; // a bar redrawn over the warning would hide it; log lines follow
        stream.write(`${opts.label}: warning: ${e.message}\n`);
        return;
      }
      if (e.type === "call") {
        done++;
        if (!e.replayed) fresh++;
      } else {
        best = Math.max(best, e.bestFitness);
        generation = `${e.arm === null ? "" : ` arm ${e.arm}`} generation ${e.generation},`;
      }
      if (bar) bar.update(done, payload());
      else logLine(e.type === "generation" && done >= opts.total);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
