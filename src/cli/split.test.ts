// ftk split on the real fixtures: every part is read by trace-cmd 3.1.6 with the stderr of the original
// (nothing, for all but the files whose own report warns), and the parts' reports put together are the
// report of the whole: in order when cut by time or events, as the same lines when cut per CPU or by pages.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, suite, test } from "node:test";
import { openTrace } from "../index.js";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { firstDifference, runFtk } from "./report-test-helpers.js";

const skipShared = skipWithoutShared();
const hasTraceCmd = spawnSync("trace-cmd", ["--help"]).error === undefined;
const fixtures = skipShared === false ? join(sharedDir()!, "fixtures", "tracedat") : "";
// The two largest fixtures (1.3 MB and 0.9 MB of report) are left to the convert test: each part costs a trace-cmd run.
const LARGE = new Set(["v6-arm32-8cpu-hmp-sched.dat", "v7-zstd-x86_64-4cpu-sched-irq-kstack.dat"]);
const files = skipShared === false ? readdirSync(fixtures).filter((f) => f.endsWith(".dat") && !LARGE.has(f)).sort() : [];

/** trace-cmd report of a file: its event lines (the "cpus=N" header left out) and stderr. */
function report(path: string, raw = false): { lines: string[]; err: string } {
  const r = spawnSync("trace-cmd", ["report", ...(raw ? ["-R"] : []), path], { encoding: "latin1", maxBuffer: 1 << 30 });
  return { lines: r.stdout.split("\n").filter((l) => l !== "" && !/^cpus=\d+$/.test(l)), err: r.stderr.replaceAll(path, "FILE") };
}

/**
 * A report line's timestamp in seconds: `48.242462`, or as nanoseconds, `48242462021`. v6-i686-1cpu-function
 * has a TRACECLOCK option of 0 bytes, whose text trace-cmd 3.1.6 parses from a 0-byte allocation: the clock
 * it finds is whatever that memory held, and once (one CI run) it printed nanoseconds.
 */
function stampSeconds(line: string): number | undefined {
  const m = /\]\s+(\d+)(\.\d+)?:/.exec(line);
  if (m === null) return undefined;
  return m[2] === undefined ? Number(m[1]) / 1e9 : Number(m[1] + m[2]);
}

/** The line with its stamp as seconds and microseconds (a nanosecond stamp rounded, as trace-cmd rounds), after one space. */
function sameStamp(line: string): string {
  return line.replace(/\]\s+(\d+)(\.\d+)?:/, (all, whole: string, frac: string | undefined) => {
    if (frac !== undefined) return `] ${whole}${frac}:`;
    const us = (BigInt(whole) + 500n) / 1000n;
    return `] ${us / 1000000n}.${String(us % 1000000n).padStart(6, "0")}:`;
  });
}

suite("ftk split", { skip: skipShared || (hasTraceCmd ? false : "trace-cmd not installed (the oracle)") }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-split-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of files) {
    test(`split ${name} by events, by time, per CPU and by pages: the parts add up to the whole`, async () => {
      const input = join(fixtures, name);
      // The function and function_graph plugins print an event after the ones before it (indent by
      // parents, a leaf entry merged with its exit): across a cut that context is gone, in trace-cmd's
      // own split too. Those files are compared in raw form (-R), where each line is its event alone.
      const raw = /\] +[\d.]+: (function|funcgraph_entry|funcgraph_exit):/m.test(report(input).lines.join("\n"));
      const whole = report(input, raw);
      const stamps = whole.lines.map(stampSeconds).filter((s) => s !== undefined);
      const events = stamps.length;
      // Without stamps the cuts below would be one event each (thousands of trace-cmd runs): say so instead.
      assert.ok(events > 0 || whole.lines.length === 0, `no timestamps found in trace-cmd's report of ${name}: ${whole.lines[0]}`);
      const spanUs = events > 1 ? Math.ceil((stamps[stamps.length - 1]! - stamps[0]!) * 1e6) : 1;
      // About three parts by pages: each part costs a trace-cmd run.
      const t = await openTrace(input);
      const pages = Math.max(1, ...t.buffers.flatMap((b) => b.cpus.map((c) => Math.ceil(c.size / b.pageSize))));
      await t.close();
      const pagesPerPart = Math.max(1, Math.ceil(pages / 3));
      const cases: [string, string[], boolean][] = [
        ["events", ["-e", String(Math.max(1, Math.ceil(events / 4)))], true],
        ["time", ["-u", String(Math.max(1, Math.ceil(spanUs / 3)))], true],
        ["per-cpu", ["-c", "-e", String(Math.max(1, Math.ceil(events / 6)))], false],
        ["pages", ["-p", String(pagesPerPart)], false],
      ];
      for (const [what, args, ordered] of cases) {
        const out = join(dir, `${name}.${what}`);
        const r = await runFtk(["split", "-i", input, "-o", out, "-r", ...args]);
        assert.equal(r.code, 0, r.stderr);
        const parts = readdirSync(dir).filter((f) => f.startsWith(`${name}.${what}.`)).sort();
        assert.ok(parts.length > 0 || events === 0, `${what}: no parts`);
        const got: string[] = [];
        for (const p of parts) {
          const part = report(join(dir, p), raw);
          assert.equal(part.err, whole.err, `${what}: trace-cmd's stderr on ${p}`);
          got.push(...part.lines);
          rmSync(join(dir, p));
        }
        // v6-i686-1cpu-listen-noopts names tasks from the sched_switch events before them (its
        // saved_cmdlines lacks them), so a part starting later prints <...>: compare its tasks by pid.
        const byPid = (l: string) => sameStamp(name.includes("listen-noopts") ? l.replace(/^.*?-(\d+)(\s+\[\d+\])/, "$1$2") : l);
        const a = whole.lines.map(byPid);
        const b = got.map(byPid);
        if (!ordered) {
          a.sort();
          b.sort();
        }
        const diff = firstDifference(a.join("\n"), b.join("\n"));
        assert.equal(diff, undefined, `${what} (${parts.length} parts): ${diff}`);
      }
    });
  }

  test("split without -r writes only the first part, as out.1; a start and end time keep what lies between", async () => {
    const input = join(fixtures, "v6-i686-4cpu-sched-wakeup.dat");
    const whole = report(input).lines;
    const out = join(dir, "one");
    assert.equal((await runFtk(["split", "-i", input, "-o", out, "-e", "100"])).code, 0);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("one")), ["one.1"]);
    assert.deepEqual(report(join(dir, "one.1")).lines, whole.slice(0, 100));
    const ts = (l: string) => /\]\s+(\d+\.\d+):/.exec(l)![1]!;
    // Cut 1 µs after an event that has a gap of 3 µs or more after it: reports round to the µs, so a
    // cut there falls between the same events whatever the nanoseconds were.
    const cutAfter = (from: number): string => {
      let i = from;
      while (Number(ts(whole[i + 1]!)) - Number(ts(whole[i]!)) < 3e-6) i++;
      const [sec, us] = ts(whole[i]!).split(".");
      return `${sec}.${String(Number(us) + 1).padStart(6, "0")}`;
    };
    const from = cutAfter(200);
    const to = cutAfter(300);
    assert.equal((await runFtk(["split", "-i", input, "-o", join(dir, "range"), "-r", "-e", "1000000", from, to])).code, 0);
    const inRange = whole.filter((l) => Number(ts(l)) >= Number(from) && Number(ts(l)) < Number(to));
    assert.deepEqual(report(join(dir, "range.0001")).lines, inRange);
  });

  test("split usage errors exit 2", async () => {
    assert.equal((await runFtk(["split", "-i", "x.dat"])).code, 2, "no size");
    assert.equal((await runFtk(["split", "-e", "0"])).code, 2);
    assert.equal((await runFtk(["split", "-e", "1", "-p", "1"])).code, 2);
  });
});
