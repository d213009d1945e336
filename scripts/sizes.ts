/**
 * Sizes of the source: lines per file and per function, against the limits
 * the project keeps (issue 13: no file over 400 lines, no function over 120).
 *
 * A function is any function declaration, method, constructor, accessor,
 * function expression or arrow function, measured from its first line (the
 * signature, after any doc comment) to its closing line, so an outer function
 * counts the lines of the functions written inside it. An anonymous one is
 * named after what it is assigned to or passed to (`register → action`).
 *
 *   npx tsx scripts/sizes.ts [PATH...] [--file-limit 400] [--fn-limit 120] [--all] [--check] [--json]
 *
 * PATH is a file or folder (default src); folders are walked for .ts files
 * and, for the file limit only, .py files. Prints what is over a limit, or
 * with --all every file and function, longest first. --check exits 1 when
 * anything is over a limit.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

interface Sized {
  path: string;
  name: string;
  line: number;
  lines: number;
}

function walk(path: string, out: string[] = []): string[] {
  if (statSync(path).isFile()) return out.concat(path);
  for (const entry of readdirSync(path).sort()) {
    const p = join(path, entry);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|py)$/.test(p) && !p.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function lineCount(text: string): number {
  if (text.length === 0) return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** The name a function goes by: its own, or that of what holds it. */
function functionName(node: ts.Node, source: ts.SourceFile): string {
  const own = (node as ts.FunctionLikeDeclaration).name;
  if (own) return own.getText(source);
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText(source);
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression;
    const calleeName = ts.isPropertyAccessExpression(callee) ? callee.name.text : callee.getText(source);
    return `${calleeName}(…)`;
  }
  return "(anonymous)";
}

/** Every function of a TypeScript file, with its line span. */
export function functionSizes(path: string, text: string): Sized[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: Sized[] = [];
  const enclosing: string[] = [];
  const visit = (node: ts.Node): void => {
    const isFunction =
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node);
    if (!isFunction) {
      ts.forEachChild(node, visit);
      return;
    }
    const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
    const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
    const name = [...enclosing, functionName(node, source)].join(" → ");
    found.push({ path, name, line: start + 1, lines: end - start + 1 });
    enclosing.push(functionName(node, source));
    ts.forEachChild(node, visit);
    enclosing.pop();
  };
  visit(source);
  return found;
}

function main(argv: string[]): number {
  const flag = (name: string) => argv.includes(name);
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    const n = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} takes a positive whole number`);
    return n;
  };
  const fileLimit = value("--file-limit", 400);
  const fnLimit = value("--fn-limit", 120);
  const valued = new Set(["--file-limit", "--fn-limit"]);
  const paths = argv.filter((a, i) => !a.startsWith("--") && !valued.has(argv[i - 1] ?? ""));
  const files = (paths.length > 0 ? paths : ["src"]).flatMap((p) => walk(p));
  const fileSizes: Sized[] = [];
  const fnSizes: Sized[] = [];
  for (const path of files) {
    const text = readFileSync(path, "utf8");
    const rel = relative(process.cwd(), path);
    fileSizes.push({ path: rel, name: "", line: 1, lines: lineCount(text) });
    if (path.endsWith(".ts")) fnSizes.push(...functionSizes(rel, text));
  }
  const byLength = (a: Sized, b: Sized) =>
    b.lines - a.lines || a.path.localeCompare(b.path) || a.line - b.line;
  const all = flag("--all");
  const longFiles = fileSizes.filter((f) => all || f.lines > fileLimit).sort(byLength);
  const longFns = fnSizes.filter((f) => all || f.lines > fnLimit).sort(byLength);
  const over =
    fileSizes.filter((f) => f.lines > fileLimit).length + fnSizes.filter((f) => f.lines > fnLimit).length;
  const sorted = fileSizes.map((f) => f.lines).sort((a, b) => a - b);
  const median = sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)];
  if (flag("--json")) {
    const summary = { files: fileSizes.length, functions: fnSizes.length, medianFileLines: median, over };
    process.stdout.write(`${JSON.stringify({ fileLimit, fnLimit, summary, longFiles, longFns }, null, 2)}\n`);
  } else {
    for (const f of longFiles) process.stdout.write(`file ${f.lines}\t${f.path}\n`);
    for (const f of longFns) process.stdout.write(`function ${f.lines}\t${f.path}:${f.line}\t${f.name}\n`);
    process.stdout.write(
      `${fileSizes.length} files (median ${median} lines), ${fnSizes.length} functions; ` +
        `${over} over the limits (file ${fileLimit}, function ${fnLimit} lines)\n`,
    );
  }
  return flag("--check") && over > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
