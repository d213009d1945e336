/**
 * Per-candidate overhead of sandboxed evaluation: pre-forked workers vs a
 * fresh interpreter per candidate, on a trivial candidate whose evaluator
 * imports numpy (as a real evaluator does). One slot, candidates one after
 * another, so each figure is a latency; the candidate itself costs microseconds.
 *
 *   npm run bench:eval                 (tsx bench/eval-overhead.ts [prefork-count] [fresh-count])
 *
 * Two preload settings: numpy only, and the default (numpy + scipy.optimize/spatial).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createEvaluator, DEFAULT_PRELOAD, type Isolation } from "../src/run/sandbox/sandbox.ts";

const nPrefork = Number(process.argv[2] ?? 200);
const nFresh = Number(process.argv[3] ?? 10);
const dir = mkdtempSync(join(tmpdir(), "evoalloc-bench-"));
mkdirSync(join(dir, "trivial"));
const evaluatorPath = join(dir, "trivial", "evaluator.py");
writeFileSync(
  evaluatorPath,
  [
    "import importlib.util",
    "import numpy as np",
    "def evaluate(path):",
    "    spec = importlib.util.spec_from_file_location('candidate', path)",
    "    mod = importlib.util.module_from_spec(spec)",
    "    spec.loader.exec_module(mod)",
    "    return {'combined_score': float(np.asarray(mod.f()).sum())}",
    "",
  ].join("\n"),
);
const candidate = "import numpy as np\ndef f():\n    return np.ones(3)\n";

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function measure(isolation: Isolation, n: number, preload: string[]) {
  const ev = await createEvaluator({ evaluatorPath, evalTimeoutS: 60 }, { isolation, parallel: 1, preload });
  try {
    for (let i = 0; i < 3; i++) await ev.evaluate(candidate); // warm-up
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await ev.evaluate(candidate);
      times.push((performance.now() - t0) / 1000);
      if (r.fitness !== 3) throw new Error(`unexpected result: ${JSON.stringify(r)}`);
    }
    return {
      mean: times.reduce((a, b) => a + b, 0) / n,
      median: quantile(times, 0.5),
      p95: quantile(times, 0.95),
    };
  } finally {
    await ev.close();
  }
}

const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
console.log(
  `eval overhead per candidate (one slot, sequential); ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}`,
);
try {
  for (const [label, preload] of [
    ["numpy", ["numpy"]],
    ["numpy+scipy", DEFAULT_PRELOAD],
  ] as const) {
    const pre = await measure("prefork", nPrefork, [...preload]);
    const fresh = await measure("fresh", nFresh, [...preload]);
    console.log(
      `preload ${label}: prefork mean ${ms(pre.mean)} (median ${ms(pre.median)}, p95 ${ms(pre.p95)}, n=${nPrefork}); ` +
        `fresh mean ${ms(fresh.mean)} (median ${ms(fresh.median)}, n=${nFresh}); ` +
        `ratio ${(fresh.mean / pre.mean).toFixed(1)}x (goal >= 50x)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
