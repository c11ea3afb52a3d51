// Test helpers for the report tests: run the CLI in-process, compare outputs line by line.
import { Writable } from "node:stream";
import { main } from "./main.js";

/** Runs the CLI in-process and collects stdout and stderr as latin1 text. */
export async function runFtk(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const collect = (chunks: Buffer[]): Writable =>
    new Writable({
      write(chunk: Buffer | string, encoding, done) {
        chunks.push(typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk);
        done();
      },
    });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const code = await main(argv, { stdout: collect(out), stderr: collect(err) });
  return { code, stdout: Buffer.concat(out).toString("latin1"), stderr: Buffer.concat(err).toString("latin1") };
}

/** Undefined when equal; else the first differing line with its number, expected and actual. */
export function firstDifference(expected: string, actual: string): string | undefined {
  if (expected === actual) return undefined;
  const e = expected.split("\n");
  const a = actual.split("\n");
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) {
      const show = (s: string | undefined): string => (s === undefined ? "(end of output)" : JSON.stringify(s));
      return `line ${i + 1} differs (expected ${e.length} lines, got ${a.length})\n  expected: ${show(e[i])}\n  actual:   ${show(a[i])}`;
    }
  }
  return "outputs differ only in their final newline";
}

