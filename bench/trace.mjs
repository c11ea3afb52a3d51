// `ftk trace` benchmark (run as root; not a timed test): a syscall-heavy workload
//   dd if=/dev/zero of=/dev/null bs=1 count=N     (N = 500000 unless FTK_BENCH_COUNT)
// run untraced, with the kernel tracing alone (the floor), under `ftk trace -o /dev/null`, under
// `ftk trace -c` and under `strace -f -o /dev/null`, side by side in one run: all but strace
// FTK_BENCH_ROUNDS times each, interleaved (default 3; the table shows medians, and the events lost of
// every run), strace once (it takes ~30x as long).
// The kernel floor is dd with raw_syscalls enabled in a scratch instance (the trace clock ftk trace
// uses, its buffer size) that nobody reads: what tracing costs dd before ftk does anything; the
// instance is removed on every exit path (the undo journal covers a SIGKILL). So a ratio reads as
// kernel cost (floor / untraced) plus ftk's own (ftk / floor).
// N = 500000 (1M calls, ~1.5-2 s untraced) so that ftk's fixed set-up and tear-down cost (~0.2-0.3 s, printed last)
// is not most of what is measured, while strace's run stays under a minute. Prints dd's own elapsed
// time (the traced program's slowdown), the whole command's wall time (ftk's set-up, recording and
// printing included) and CPU time (user+sys of the command and its children), their ratios, the calls
// -c counted and the events lost; then the fixed cost (set-up and tear-down, probes included) as the
// wall time of `ftk trace true` against `true`. Wrap it in `flock /tmp/ftk-tracefs.lock` on a shared
// machine. The machine's noise shows in the spread: each cell is a median; `min-max` of wall follows.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tracefs, UndoStack, liveTraceClock } from "../dist/index.js";

const COUNT = Number(process.env.FTK_BENCH_COUNT ?? 500_000);
const ROUNDS = Math.max(1, Number(process.env.FTK_BENCH_ROUNDS ?? 3));
const WARMUP = 3; // rounds of three short runs (lines, -c, -w): the first round widens the code cache with each part
const DD = ["dd", "if=/dev/zero", "of=/dev/null", "bs=1", `count=${COUNT}`];
const FTK = fileURLToPath(new URL("../bin/ftk", import.meta.url));

/** CPU seconds (user+sys) of this process's reaped children (and theirs), from /proc/self/stat. */
function childCpu() {
  const text = readFileSync("/proc/self/stat", "latin1");
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return (Number(f[13]) + Number(f[14])) / 100; // cutime, cstime in clock ticks (USER_HZ = 100)
}

/** Runs argv; resolves with wall seconds, CPU seconds, stdout and stderr. */
function run(argv) {
  return new Promise((resolve, reject) => {
    const cpu0 = childCpu();
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d.toString("latin1")));
    child.stderr.on("data", (d) => (stderr += d.toString("latin1")));
    child.once("error", reject);
    child.once("exit", (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) reject(new Error(`${argv.join(" ")} exited with ${code}: ${stderr.trim().split("\n").pop()}`));
      else resolve({ wall, cpu: childCpu() - cpu0, stdout, stderr });
    });
  });
}

/** dd's own elapsed seconds, from its "..., 1.23 s, ..." summary on stderr. */
function ddSeconds(stderr) {
  const m = /, ([0-9.]+) s, /.exec(stderr);
  return m ? Number(m[1]) : NaN;
}

function lost(stderr) {
  const m = /ftk trace: (\d+) events lost/.exec(stderr);
  return m ? Number(m[1]) : 0;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** `ftk trace -c` into a file; the calls of its total row. */
async function summaryRun(cmd = DD) {
  const table = join(mkdtempSync(join(tmpdir(), "ftk-bench-trace-")), "summary.txt");
  const r = await run([process.execPath, FTK, "trace", "-c", "-o", table, ...cmd]);
  const total = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+\d*\s*total$/m.exec(readFileSync(table, "latin1"));
  rmSync(dirname(table), { recursive: true, force: true });
  return { ...r, calls: total ? Number(total[1]) : NaN };
}

/** `ftk trace -w FILE -o /dev/null`: the recording is kept, so the lines are printed after it (not live). */
async function keptRun(cmd = DD) {
  const dat = join(mkdtempSync(join(tmpdir(), "ftk-bench-trace-")), "kept.dat");
  try {
    return await run([process.execPath, FTK, "trace", "-w", dat, "-o", "/dev/null", ...cmd]);
  } finally {
    rmSync(dirname(dat), { recursive: true, force: true });
  }
}

/**
 * The kernel floor: a scratch instance with raw_syscalls on (the clock ftk trace would use live, its
 * buffer size), switched on only around each floor run. Removed by `undo` (journaled).
 */
const undo = new UndoStack();
let cleaning;
const cleanup = () => (cleaning ??= undo.unwind().then((f) => f.forEach((x) => console.error(`bench/trace: cannot restore: ${x}`))));
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.once(sig, () => cleanup().finally(() => process.exit(130)));
let floorInstance;
const clock = await liveTraceClock();

async function floorRun() {
  if (floorInstance === undefined) {
    const fs = await Tracefs.open();
    floorInstance = await fs.createInstance(`ftk-bench-floor-${process.pid}`, undo);
    await floorInstance.setTracingOn(false);
    await floorInstance.setTraceClock(clock);
    await floorInstance.setBufferSizeKb(16384); // ftk trace's default
  }
  await floorInstance.clearTrace();
  await floorInstance.enableEvent("raw_syscalls", undefined);
  await floorInstance.setTracingOn(true);
  try {
    return await run(DD);
  } finally {
    await floorInstance.setTracingOn(false);
    await floorInstance.disableEvent("raw_syscalls", undefined);
  }
}

const runs = { base: [], floor: [], plain: [], summary: [], kept: [] };
let st;
const fixedRuns = { untraced: [], ftk: [], c: [] };
try {
  // Warm-up, not measured: ftk trace runs from a V8 code cache that a fresh build (bench:trace builds first)
  // rewrites at the exit of each of its first 8 runs (src/cli/script-cache.ts, ~10-20 ms each). Short runs
  // of each form first, so that the runs below cost what a user's later runs do.
  const short = [...DD.slice(0, -1), "count=1000"];
  for (let i = 0; i < WARMUP; i++) {
    await run([process.execPath, FTK, "trace", "-o", "/dev/null", ...short]);
    await summaryRun(short);
    await keptRun(short);
  }
  for (let i = 0; i < ROUNDS; i++) {
    runs.base.push(await run(DD));
    runs.floor.push(await floorRun());
    runs.plain.push(await run([process.execPath, FTK, "trace", "-o", "/dev/null", ...DD]));
    runs.summary.push(await summaryRun());
    runs.kept.push(await keptRun());
  }
  st = await run(["strace", "-f", "-o", "/dev/null", ...DD]);
  for (let i = 0; i < ROUNDS; i++) {
    fixedRuns.untraced.push((await run(["true"])).wall);
    fixedRuns.ftk.push((await run([process.execPath, FTK, "trace", "-o", "/dev/null", "true"])).wall);
    fixedRuns.c.push((await run([process.execPath, FTK, "trace", "-c", "-o", "/dev/null", "true"])).wall);
  }
} finally {
  await cleanup();
}
const row = (name, list, extra) => ({
  name,
  dd: median(list.map((r) => ddSeconds(r.stderr))),
  wall: median(list.map((r) => r.wall)),
  spread: `${Math.min(...list.map((r) => r.wall)).toFixed(2)}-${Math.max(...list.map((r) => r.wall)).toFixed(2)}`,
  cpu: median(list.map((r) => r.cpu)),
  ...extra,
});
const rows = [];
rows.push(row("untraced", runs.base, { lost: "-", calls: "-" }));
rows.push(row(`kernel floor (${clock})`, runs.floor, { lost: "-", calls: "-" }));
rows.push(row("ftk trace -o /dev/null", runs.plain, { lost: runs.plain.map((r) => lost(r.stderr)).join("/"), calls: "-" }));
rows.push(row("ftk trace -c", runs.summary, { lost: runs.summary.map((r) => lost(r.stderr)).join("/"), calls: runs.summary.map((r) => r.calls).join("/") }));
rows.push(row("ftk trace -w (not live)", runs.kept, { lost: runs.kept.map((r) => lost(r.stderr)).join("/"), calls: "-" }));
rows.push({ name: "strace -f -o /dev/null", dd: ddSeconds(st.stderr), wall: st.wall, spread: "-", cpu: st.cpu, lost: 0, calls: "-" });

console.log(`ftk trace benchmark: ${DD.join(" ")} (${2 * COUNT} read/write calls); medians of ${ROUNDS} interleaved runs, strace 1; after ${3 * WARMUP} short warm-up runs of ftk trace (its code cache complete)`);
console.log(
  `${"run".padEnd(26)} ${"dd s".padStart(7)} ${"x untr.".padStart(8)} ${"wall s".padStart(7)} ${"x untr.".padStart(8)} ${"x floor".padStart(8)} ${"min-max".padStart(10)} ${"cpu s".padStart(7)} ${"lost".padStart(10)} ${"-c calls".padStart(24)}`,
);
const [base, floor] = rows;
for (const r of rows) {
  console.log(
    `${r.name.padEnd(26)} ${r.dd.toFixed(3).padStart(7)} ${(r.dd / base.dd).toFixed(2).padStart(8)} ${r.wall.toFixed(3).padStart(7)} ${(r.wall / base.wall).toFixed(2).padStart(8)} ${(r.wall / floor.wall).toFixed(2).padStart(8)} ${r.spread.padStart(10)} ${r.cpu.toFixed(2).padStart(7)} ${String(r.lost).padStart(10)} ${String(r.calls).padStart(24)}`,
  );
}
const s = rows[5];
const fixed = { untraced: median(fixedRuns.untraced), ftk: median(fixedRuns.ftk) };
const fixedC = median(fixedRuns.c);
console.log(`kernel floor: dd ${(floor.dd / base.dd).toFixed(2)}x untraced (tracing alone, nobody reading); ftk trace -o /dev/null: wall ${(rows[2].wall / floor.wall).toFixed(2)}x the floor, -c ${(rows[3].wall / floor.wall).toFixed(2)}x`);
console.log(`strace / ftk trace: dd time ${(s.dd / rows[2].dd).toFixed(2)}x, wall ${(s.wall / rows[2].wall).toFixed(2)}x; strace / ftk trace -c: dd time ${(s.dd / rows[3].dd).toFixed(2)}x, wall ${(s.wall / rows[3].wall).toFixed(2)}x`);
console.log(`fixed cost (ftk trace true, wall, medians): ${fixed.ftk.toFixed(3)} s with the string uprobes, ${fixedC.toFixed(3)} s with -c (none); true alone ${fixed.untraced.toFixed(3)} s`);
