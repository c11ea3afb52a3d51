// `ftk report` on files recorded with `-p ufuncgraph` (test/fixtures/ufuncgraph, see its README): the call
// tree by default, the event lines with --events or -R, and --ufuncgraph over every -i with --cpu and -F.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../test-support/paths.js";
import { dataPage, v7 } from "../tracedat/synthetic-trace.js";
import { runFtk } from "./report-test-helpers.js";

const dir = join(repoRoot(), "test", "fixtures", "ufuncgraph");
const cpu1 = join(dir, "ufuncgraph-cpu1.dat");
const cpu0 = join(dir, "ufuncgraph-cpu0.dat");
/** The program's calls: main(a(b(c,c),b(c,c),b(c,c)),c) as graph bodies (leaf c, nested the others). */
const TREE = ["main() {", "a() {", "b() {", "c();", "c();", "}", "b() {", "c();", "c();", "}", "b() {", "c();", "c();", "}", "}", "c();", "}"];

/** The graph text after ` | ` of each line, without indentation. */
function bodies(stdout: string): string[] {
  return stdout.split("\n").filter((l) => l !== "").map((l) => l.slice(l.indexOf("|  ") + 3).trim());
}

test("ftk report renders a -p ufuncgraph file as its call tree", async () => {
  const r = await runFtk(["report", "-i", cpu1]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(bodies(r.stdout), TREE);
  assert.match(r.stdout.split("\n")[0]!, /^ +tree-\d+ +\[001\] +\d+\.\d{6}: +\|  main\(\) \{$/);
});

for (const flag of ["--events", "-R"]) {
  test(`ftk report ${flag} shows the raw uprobe event lines of a -p ufuncgraph file`, async () => {
    const r = await runFtk(["report", flag, "-i", cpu1]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], "cpus=2");
    assert.match(lines[1]!, / sched_process_exec: /);
    assert.match(lines[2]!, flag === "-R" ? / main: +__probe_ip=[0-9a-f]+$/ : / main: +\([0-9a-f]+\)$/);
    assert.equal(lines.filter((l) => / c__return: /.test(l)).length, 7);
  });
}

test("ftk report --ufuncgraph reads every -i, each line prefixed with its file", async () => {
  const r = await runFtk(["report", "--ufuncgraph", "-i", cpu1, "-i", cpu0]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n").filter((l) => l !== "");
  assert.deepEqual(lines.filter((l) => l.startsWith("ufuncgraph-cpu1.dat: ")).length, TREE.length);
  assert.deepEqual(lines.filter((l) => l.startsWith("ufuncgraph-cpu0.dat: ")).length, TREE.length);
  const s = await runFtk(["report", "--summary", "-i", cpu1, "-i", cpu0]);
  assert.equal(s.stdout.split("\n").filter((l) => /^ +7 .* c$/.test(l)).length, 2, s.stdout);
});

test("ftk report --ufuncgraph honours --cpu and -F", async () => {
  const onCpu0 = await runFtk(["report", "--ufuncgraph", "--cpu", "0", "-i", cpu1, "-i", cpu0]);
  const lines = onCpu0.stdout.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, TREE.length);
  assert.ok(lines.every((l) => l.startsWith("ufuncgraph-cpu0.dat: ") && l.includes(" [000] ")), lines[0]);
  const onlyC = await runFtk(["report", "-F", "c,c__return", "-i", cpu1]);
  assert.deepEqual(bodies(onlyC.stdout), Array(7).fill("c();"));
  const notC = await runFtk(["report", "-v", "-F", "c,c__return", "-i", cpu1]);
  // Without c, each b is followed by its own return: a leaf.
  assert.deepEqual(bodies(notC.stdout), ["main() {", "a() {", "b();", "b();", "b();", "}", "}"]);
});

test("ftk report --ufuncgraph on a file without uprobe events says so in one line (exit 1)", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "ftk-ufg-none-"));
  try {
    const path = join(tmp, "plain.dat");
    writeFileSync(path, v7({ le: true, longSize: 8, compression: "none", cpus: [{ pages: [dataPage(true, 8, 1000, [{ delta: 0, id: 300, pid: 1 }])] }] }));
    for (const flag of ["--ufuncgraph", "--summary"]) {
      const r = await runFtk(["report", flag, "-i", path]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^ftk report: '.*plain\.dat' holds no uprobe entry\/return events: record them with 'ftk record -p ufuncgraph -x BINARY -g GLOB'\n$/);
    }
    // Without the flag the same file is an ordinary report.
    assert.equal((await runFtk(["report", "-i", path])).code, 0);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
