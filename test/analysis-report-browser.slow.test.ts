/**
 * The HTML report in a headless browser (slow: ~10 s; needs
 * /usr/bin/chromium, which .ci/run installs): opened from disk, every figure
 * renders, with no console error and no text cut off.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { runReport } from "../src/analysis/report.ts";
import { writeTree } from "./analysis-fixtures.ts";

const tmp = mkdtempSync(join(tmpdir(), "evoalloc-report-browser-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const CHROMIUM = "/usr/bin/chromium";

test("index.html opened from disk renders every figure with no console error", {
  skip: !existsSync(CHROMIUM) && "chromium not installed (.ci/run installs it)",
  timeout: 90_000,
}, async () => {
  const results = join(tmp, "browser");
  writeTree(results, {
    budgets: [16, 64],
    seeds: [0, 1, 2, 3],
    bandits: { algos: ["ucb", "random"], C: 32, N: 4, K: 3, seeds: [0] },
  });
  const out = join(tmp, "browser-out");
  const s = await runReport({
    results,
    out,
    formats: ["html"],
    bootstrap: 50,
    maxInstances: 500,
    timeoutPolicy: "worst_case",
    seed: 0,
  });
  assert.ok(s.figures.length >= 10, `${s.figures.length} figures`);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(pathToFileURL(join(out, "index.html")).href);
    await page.waitForFunction(
      () => (globalThis as unknown as { evoallocRendered?: Promise<unknown> }).evoallocRendered,
    );
    await page.evaluate(
      () => (globalThis as unknown as { evoallocRendered: Promise<unknown> }).evoallocRendered,
    );
    const charts = await page.$$eval("[data-figure]", (els) =>
      els.map((el) => ({
        name: el.getAttribute("data-figure"),
        rendered: el.getAttribute("data-rendered"),
        svg: el.querySelectorAll("svg, canvas").length,
      })),
    );
    assert.equal(charts.length, s.figures.length);
    for (const c of charts) {
      assert.equal(c.rendered, "true", `${c.name} rendered`);
      assert.ok(c.svg >= 1, `${c.name} has an svg`);
    }
    assert.deepEqual(errors, []);
    // every text element of every figure lies inside its SVG's bounds (nothing cut off)
    const outside = await page.$$eval("[data-figure]", (els) =>
      els.flatMap((el) => {
        const svg = el.querySelector("svg");
        if (!svg) return [];
        const box = svg.getBoundingClientRect();
        return [...svg.querySelectorAll("text")].flatMap((t) => {
          const r = t.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) return [];
          const inside =
            r.left >= box.left - 0.5 &&
            r.right <= box.right + 0.5 &&
            r.top >= box.top - 0.5 &&
            r.bottom <= box.bottom + 0.5;
          return inside ? [] : [`${el.getAttribute("data-figure")}: "${t.textContent}"`];
        });
      }),
    );
    assert.deepEqual(outside, []);
  } finally {
    await browser.close();
  }
});
