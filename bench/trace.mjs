// `ftk trace` benchmark (run as root; not a timed test): a syscall-heavy workload
//   dd if=/dev/zero of=/dev/null bs=1 count=N     (N = 500000 unless FTK_BENCH_COUNT)
// run untraced, under `ftk trace -o /dev/null`, under `ftk trace -c` and under `strace -f -o /dev/null`,
// side by side in one run: the first three FTK_BENCH_ROUNDS times each, interleaved (default 3; the
// table shows medians, and the events lost of every run), strace once (it takes ~30x as long).
// N = 500000 (1M calls, ~1.5-2 s untraced) so that ftk's fixed set-up cost (~0.35-0.6 s, printed last)
// is not most of what is measured, while strace's run stays under a minute. Prints dd's own elapsed time (the traced program's slowdown), the whole
// command's wall time (ftk's set-up, recording and printing included), their ratios, the calls -c
// counted and the events lost; then the fixed cost (set-up and tear-down, probes included) as the wall time
// of `ftk trace true` against `true`. Wrap it in `flock /tmp/ftk-tracefs.lock` on a shared machine.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const COUNT = Number(process.env.FTK_BENCH_COUNT ?? 500_000);
const ROUNDS = Math.max(1, Number(process.env.FTK_BENCH_ROUNDS ?? 3));
const DD = ["dd", "if=/dev/zero", "of=/dev/null", "bs=1", `count=${COUNT}`];
const FTK = fileURLToPath(new URL("../bin/ftk", import.meta.url));

/** Runs argv; resolves with wall seconds, stdout and stderr. */
function run(argv) {
  return new Promise((resolve, reject) => {
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
      else resolve({ wall, stdout, stderr });
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
async function summaryRun() {
  const table = join(mkdtempSync(join(tmpdir(), "ftk-bench-trace-")), "summary.txt");
  const r = await run([process.execPath, FTK, "trace", "-c", "-o", table, ...DD]);
  const total = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+\d*\s*total$/m.exec(readFileSync(table, "latin1"));
  rmSync(dirname(table), { recursive: true, force: true });
  return { ...r, calls: total ? Number(total[1]) : NaN };
}

/** `ftk trace -w FILE -o /dev/null`: the recording is kept, so the lines are printed after it (not live). */
async function keptRun() {
  const dat = join(mkdtempSync(join(tmpdir(), "ftk-bench-trace-")), "kept.dat");
  try {
    return await run([process.execPath, FTK, "trace", "-w", dat, "-o", "/dev/null", ...DD]);
  } finally {
    rmSync(dirname(dat), { recursive: true, force: true });
  }
}

const runs = { base: [], plain: [], summary: [], kept: [] };
for (let i = 0; i < ROUNDS; i++) {
  runs.base.push(await run(DD));
  runs.plain.push(await run([process.execPath, FTK, "trace", "-o", "/dev/null", ...DD]));
  runs.summary.push(await summaryRun());
  runs.kept.push(await keptRun());
}
const row = (name, list, extra) => ({
  name,
  dd: median(list.map((r) => ddSeconds(r.stderr))),
  wall: median(list.map((r) => r.wall)),
  ...extra,
});
const rows = [];
rows.push(row("untraced", runs.base, { lost: "-", calls: "-" }));
rows.push(row("ftk trace -o /dev/null", runs.plain, { lost: runs.plain.map((r) => lost(r.stderr)).join("/"), calls: "-" }));
rows.push(row("ftk trace -c", runs.summary, { lost: runs.summary.map((r) => lost(r.stderr)).join("/"), calls: runs.summary.map((r) => r.calls).join("/") }));
rows.push(row("ftk trace -w (not live)", runs.kept, { lost: runs.kept.map((r) => lost(r.stderr)).join("/"), calls: "-" }));
const st = await run(["strace", "-f", "-o", "/dev/null", ...DD]);
rows.push({ name: "strace -f -o /dev/null", dd: ddSeconds(st.stderr), wall: st.wall, lost: 0, calls: "-" });

console.log(`ftk trace benchmark: ${DD.join(" ")} (${2 * COUNT} read/write calls); medians of ${ROUNDS} interleaved runs, strace 1`);
console.log(`${"run".padEnd(24)} ${"dd s".padStart(8)} ${"x untr.".padStart(8)} ${"wall s".padStart(8)} ${"x untr.".padStart(8)} ${"lost".padStart(14)} ${"-c calls".padStart(24)}`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(24)} ${r.dd.toFixed(3).padStart(8)} ${(r.dd / rows[0].dd).toFixed(2).padStart(8)} ${r.wall.toFixed(3).padStart(8)} ${(r.wall / rows[0].wall).toFixed(2).padStart(8)} ${String(r.lost).padStart(14)} ${String(r.calls).padStart(24)}`,
  );
}
const s = rows[4];
const fixedRuns = { untraced: [], ftk: [], c: [] };
for (let i = 0; i < ROUNDS; i++) {
  fixedRuns.untraced.push((await run(["true"])).wall);
  fixedRuns.ftk.push((await run([process.execPath, FTK, "trace", "-o", "/dev/null", "true"])).wall);
  fixedRuns.c.push((await run([process.execPath, FTK, "trace", "-c", "-o", "/dev/null", "true"])).wall);
}
const fixed = { untraced: median(fixedRuns.untraced), ftk: median(fixedRuns.ftk) };
const fixedC = median(fixedRuns.c);
console.log(`strace / ftk trace: dd time ${(s.dd / rows[1].dd).toFixed(2)}x, wall ${(s.wall / rows[1].wall).toFixed(2)}x; strace / ftk trace -c: dd time ${(s.dd / rows[2].dd).toFixed(2)}x, wall ${(s.wall / rows[2].wall).toFixed(2)}x`);
console.log(`fixed cost (ftk trace true, wall, medians): ${fixed.ftk.toFixed(3)} s with the string uprobes, ${fixedC.toFixed(3)} s with -c (none); true alone ${fixed.untraced.toFixed(3)} s`);
