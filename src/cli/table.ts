/** Plain-text tables for people (numbers right-aligned, text left-aligned). */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const numeric = header.map((_, j) => rows.length > 0 && rows.every((r) => typeof r[j] === "number"));
  const widths = header.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? "").length)));
  return cells
    .map((r) =>
      r
        .map((c, j) => (numeric[j] ? c.padStart(widths[j]!) : c.padEnd(widths[j]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
