// End to end on the live kernel: `ftk record -p ufuncgraph` of C programs compiled here with a known call
// tree (PIE, non-PIE, and functions of a shared library the program loads), then the graph and the summary
// of report/ufuncgraph.ts: the tree and the call counts match exactly, and every function's duration is at
// least the sum of its children's. Uprobes are created and removed by the recorder; tracefs must be unchanged.
import { after, before, suite, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { TextOutput } from "../base/index.js";
import { Tracefs, diffTracefsState, snapshotTracefsState } from "../tracefs/index.js";
import type { TracefsSnapshot } from "../tracefs/index.js";
import { ftkBin } from "../test-support/paths.js";
import { writeUfuncgraphReport } from "./ufuncgraph.js";
import { hasTool, openLiveUprobes } from "../probes/testing.js";

async function liveSkip(): Promise<string | false> {
  if (process.getuid?.() !== 0) return "not root";
  if (!hasTool("gcc")) return "gcc not installed";
  if (!existsSync(join(ftkBin(), "..", "..", "dist", "cli", "record.js"))) return "ftk record not built";
  const fs = await openLiveUprobes();
  return typeof fs === "string" ? fs : false;
}
const skip = await liveSkip();

// main -> a(3) -> b x3 -> c x2 each; main -> c once more. Calls: main 1, a 1, b 3, c 7.
const PROGRAM = `
int c(int x) { return x + 1; }
int b(int x) { return c(x) + c(x + 1); }
int a(int n) { int s = 0; for (int i = 0; i < n; i++) s += b(i); return s; }
int main(void) { return a(3) + c(0) > 1000 ? 1 : 0; }
`;
const EXPECTED_TREE = "main(a(b(c,c),b(c,c),b(c,c)),c)";

const LIBRARY = `
int lib_inner(int x) { return x * 2; }
int lib_outer(int x) { return lib_inner(x) + lib_inner(x + 1); }
`;
const LIB_PROGRAM = `
int lib_outer(int);
int main(void) { return lib_outer(1) + lib_outer(2) == 16 ? 0 : 1; }
`;

interface Node { func: string; durationNs: number; children: Node[] }

/** Rebuilds the call tree from the rendered graph lines (indentation = depth), for one task name. */
function parseGraph(text: string, comm: string): Node[] {
  const roots: Node[] = [];
  const stack: Node[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\S+)-\d+\s+\[\d+\]\s+[\d.]+: (?:[$#!+ ] )?\s*(?:([\d.]+) us)?\s*\|  ( *)(.*)$/.exec(line);
    if (m === null || m[1] !== comm) continue;
    const dur = m[2] === undefined ? NaN : Math.round(Number(m[2]) * 1000);
    const depth = m[3]!.length / 2;
    const body = m[4]!;
    assert.equal(depth, body === "}" ? stack.length - 1 : stack.length, `indentation of '${line}'`);
    let e: RegExpExecArray | null;
    if ((e = /^(\w+)\(\) \{$/.exec(body)) !== null) {
      const n: Node = { func: e[1]!, durationNs: NaN, children: [] };
      (stack.length > 0 ? stack[stack.length - 1]!.children : roots).push(n);
      stack.push(n);
    } else if ((e = /^(\w+)\(\);$/.exec(body)) !== null) {
      (stack.length > 0 ? stack[stack.length - 1]!.children : roots).push({ func: e[1]!, durationNs: dur, children: [] });
    } else if (body === "}") {
      stack.pop()!.durationNs = dur;
    } else {
      assert.fail(`unexpected graph line '${line}'`);
    }
  }
  assert.equal(stack.length, 0, "every call returned");
  return roots;
}

function shape(n: Node): string {
  return n.children.length === 0 ? n.func : `${n.func}(${n.children.map(shape).join(",")})`;
}

function checkDurations(n: Node): void {
  assert.ok(Number.isFinite(n.durationNs) && n.durationNs > 0, `${n.func} has a duration`);
  const sum = n.children.reduce((s, c) => s + c.durationNs, 0);
  assert.ok(n.durationNs >= sum, `${n.func}: ${n.durationNs} ns >= children ${sum} ns`);
  n.children.forEach(checkDurations);
}

async function render(path: string, summary: boolean): Promise<string> {
  let text = "";
  const sink = new Writable({ write(chunk, _e, cb) { text += String(chunk); cb(); } });
  const out = new TextOutput(sink);
  await writeUfuncgraphReport(path, out, { summary });
  await out.flush();
  return text;
}

function record(output: string, args: string[]): void {
  execFileSync(ftkBin(), ["record", "-o", output, ...args], { stdio: ["ignore", "ignore", "pipe"], timeout: 60000 });
}

/** Summary rows as "func calls". */
function summaryCounts(text: string): string[] {
  return text.split("\n").slice(1).filter((l) => l !== "").map((l) => {
    const cols = l.trim().split(/\s+/);
    return `${cols[5]} ${cols[0]}`;
  }).sort();
}

suite("ftk record -p ufuncgraph + report (live uprobes)", { skip }, () => {
  let dir = "";
  let fs: Tracefs;
  let initial: TracefsSnapshot;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ftk-ufg-"));
    fs = await Tracefs.open();
    initial = await snapshotTracefsState(fs);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(diffTracefsState(initial, await snapshotTracefsState(fs)), []);
  });

  for (const [kind, flags] of [["pie", ["-fPIE", "-pie"]], ["nopie", ["-fno-pie", "-no-pie"]]] as const) {
    test(`-g '*' on a ${kind} program: exact tree, counts, durations`, async () => {
      writeFileSync(join(dir, "tree.c"), PROGRAM);
      const prog = join(dir, `tree_${kind}`);
      execFileSync("gcc", ["-O0", "-fno-inline", ...flags, "-o", prog, join(dir, "tree.c")]);
      const dat = join(dir, `${kind}.dat`);
      record(dat, ["-p", "ufuncgraph", "-x", prog, "-g", "*", prog]);
      const roots = parseGraph(await render(dat, false), `tree_${kind}`);
      assert.deepEqual(roots.map(shape), [EXPECTED_TREE]);
      checkDurations(roots[0]!);
      assert.deepEqual(summaryCounts(await render(dat, true)), ["a 1", "b 3", "c 7", "main 1"]);
    });
  }

  test("functions of a shared library the program loads, under the program's main", async () => {
    writeFileSync(join(dir, "lib.c"), LIBRARY);
    writeFileSync(join(dir, "main.c"), LIB_PROGRAM);
    const lib = join(dir, "libftkufg.so");
    const prog = join(dir, "uselib");
    execFileSync("gcc", ["-O0", "-fno-inline", "-fPIC", "-shared", "-o", lib, join(dir, "lib.c")]);
    execFileSync("gcc", ["-O0", "-fno-inline", "-o", prog, join(dir, "main.c"), `-L${dir}`, "-lftkufg", `-Wl,-rpath,${dir}`]);
    const dat = join(dir, "lib.dat");
    record(dat, ["-p", "ufuncgraph", "-x", lib, "-g", "lib_*", "--uprobe", `${prog}:main`, "--uprobe", `${prog}:main%return`, prog]);
    const roots = parseGraph(await render(dat, false), "uselib");
    assert.deepEqual(roots.map(shape), ["main(lib_outer(lib_inner,lib_inner),lib_outer(lib_inner,lib_inner))"]);
    checkDurations(roots[0]!);
    assert.deepEqual(summaryCounts(await render(dat, true)), ["lib_inner 4", "lib_outer 2", "main 1"]);
  });

  test("record --uprobe on libc getenv (string argument + $retval) of 'env FOO=1 ls': report shows names, returns pair", async () => {
    const dynamicBefore = await fs.listDynamicEvents();
    const dat = join(dir, "getenv.dat");
    record(dat, ["--uprobe", "libc:getenv name=+0(%di):string", "--uprobe", "libc:getenv%return ret=$retval", "env", "FOO=1", "LANG=C", "ls", dir]);
    assert.deepEqual(await fs.listDynamicEvents(), dynamicBefore);
    const report = execFileSync(ftkBin(), ["report", "-i", dat], { encoding: "latin1" }).split("\n").filter((l) => /^\s*ls-\d+ /.test(l));
    const entries = report.filter((l) => / getenv: +\([0-9a-f]+\) name="/.test(l));
    const returns = report.filter((l) => / getenv__return: +\([0-9a-f]+ <- [0-9a-f]+\) ret=0x[0-9a-f]+$/.test(l));
    const names = entries.map((l) => /name="([^"]*)"/.exec(l)![1]);
    assert.ok(names.includes("LANG") && names.includes("LC_ALL"), names.join(","));
    assert.equal(returns.length, entries.length);
    // In the graph every getenv call of ls is a leaf: its return came next on the same thread.
    const graph = (await render(dat, false)).split("\n").filter((l) => /^\s*ls-\d+ /.test(l));
    assert.equal(graph.length, entries.length);
    assert.ok(graph.every((l) => /\d+\.\d{3} us +\|  getenv\(\);$/.test(l)), graph.find((l) => !/getenv\(\);$/.test(l)));
  });
});
