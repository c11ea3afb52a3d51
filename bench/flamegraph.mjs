// Profile benchmarks (run as root; not timed tests; wrap in `flock /tmp/ftk-tracefs.lock` on a shared
// machine). Two parts, each side by side in one run:
// 1. Overhead: a CPU-bound program with a fixed amount of work (it prints its own elapsed time), run
//    untraced, under `ftk record --sample -F` and under `perf record -F 999 -g`; medians of interleaved runs.
// 2. Cost: `ftk flamegraph` on an off-CPU recording of >= 100k stacks (a pipe ping-pong), time and peak
//    RSS, against `perf script` of perf's own recording of the same workload folded into stacks (the
//    stackcollapse step, done here in a few lines: the FlameGraph scripts are not packaged by Debian).
// 3. `ftk flamegraph --graph` on the 1.7M-event function_graph bench file of ../shared, against
//    `ftk report` of the same file (time and peak RSS).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const FTK = join(ROOT, "bin", "ftk");
const RUNS = Number(process.env.FTK_BENCH_RUNS ?? 3);
const PINGS = Number(process.env.FTK_BENCH_PINGS ?? 120000);
const dir = mkdtempSync(join(tmpdir(), "ftk-bench-fg-"));
const has = (cmd, args = ["--version"]) => spawnSync(cmd, args, { stdio: "ignore" }).error === undefined;

const CPU = `
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
volatile unsigned long sink;
void spin_a(long n) { for (long i = 0; i < n; i++) sink += i; }
void spin_b(long n) { for (long i = 0; i < n; i++) sink ^= i; }
int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 3000000000L;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int k = 0; k < 20; k++) { spin_a(n * 3 / 80); spin_b(n / 80); }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("ELAPSED_NS %ld\\n", (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec));
  return 0;
}
`;

const PINGPONG = `
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
void ping(int w, int r, long n) { char c = 0; for (long i = 0; i < n; i++) { if (write(w, &c, 1) != 1 || read(r, &c, 1) != 1) exit(1); } }
void pong(int r, int w, long n) { char c; for (long i = 0; i < n; i++) { if (read(r, &c, 1) != 1 || write(w, &c, 1) != 1) exit(1); } }
int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 60000;
  int a[2], b[2];
  if (pipe(a) || pipe(b)) return 1;
  if (fork() == 0) { pong(a[0], b[1], n); _exit(0); }
  ping(a[1], b[0], n);
  wait(0);
  return 0;
}
`;

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

/** Runs a command under GNU time: wall seconds, peak RSS (KiB), stdout. */
function timed(cmd, args) {
  const out = join(dir, "time.txt");
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", "-o", out, cmd, ...args], { encoding: "latin1", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  const [sec, kib] = readFileSync(out, "latin1").trim().split("\n").pop().split(" ").map(Number);
  return { sec, kib, stdout: r.stdout };
}

function elapsedOf(text) {
  const m = /ELAPSED_NS (\d+)/.exec(text);
  if (m === null) throw new Error(`no ELAPSED_NS in: ${text.slice(0, 200)}`);
  return Number(m[1]) / 1e9;
}

try {
  execFileSync("gcc", ["-O1", "-fno-omit-frame-pointer", "-fno-inline", "-o", join(dir, "cpu"), "-x", "c", "-"], { input: CPU });
  execFileSync("gcc", ["-O1", "-fno-omit-frame-pointer", "-fno-inline", "-o", join(dir, "pingpong"), "-x", "c", "-"], { input: PINGPONG });
  const hasPerf = has("perf");

  console.log(`== overhead: CPU-bound program (fixed work), ${RUNS} interleaved runs, medians`);
  const modes = { untraced: [], "ftk record --sample": [], "perf record -F 999 -g": [] };
  for (let i = 0; i < RUNS; i++) {
    modes.untraced.push(elapsedOf(execFileSync(join(dir, "cpu"), { encoding: "latin1" })));
    const dat = join(dir, "sample.dat");
    modes["ftk record --sample"].push(elapsedOf(execFileSync(process.execPath, [FTK, "record", "-q", "-o", dat, "--sample", "-F", join(dir, "cpu")], { encoding: "latin1" })));
    if (hasPerf) {
      const pd = join(dir, "cpu.perf.data");
      modes["perf record -F 999 -g"].push(elapsedOf(execFileSync("perf", ["record", "-q", "-F", "999", "-g", "-o", pd, "--", join(dir, "cpu")], { encoding: "latin1", stdio: ["ignore", "pipe", "ignore"] })));
    }
  }
  const base = median(modes.untraced);
  for (const [name, xs] of Object.entries(modes)) {
    if (xs.length === 0) continue;
    const m = median(xs);
    console.log(`  ${name.padEnd(24)} ${m.toFixed(3)} s   slowdown ${(((m / base) - 1) * 100).toFixed(2)}%`);
  }
  if (hasPerf) {
    const ratio = median(modes["ftk record --sample"]) / median(modes["perf record -F 999 -g"]);
    console.log(`  ftk/perf time ratio ${ratio.toFixed(3)}   (goal: slowdown < 5%, ftk no worse than perf)`);
  }

  console.log(`== cost: flame graph of an off-CPU recording (pipe ping-pong, ${PINGS} round trips)`);
  const dat = join(dir, "off.dat");
  execFileSync(process.execPath, [FTK, "record", "-q", "-b", "20000", "-o", dat, "--off-cpu", "-F", "-c", join(dir, "pingpong"), String(PINGS)], { stdio: "ignore" });
  const counts = timed(process.execPath, [FTK, "flamegraph", "-i", dat, "--off-cpu", "--count"]);
  const stacks = counts.stdout.split("\n").filter((l) => l !== "").reduce((s, l) => s + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  const ftk = timed(process.execPath, [FTK, "flamegraph", "-i", dat, "--off-cpu", "-o", join(dir, "off.folded")]);
  console.log(`  ftk flamegraph: ${stacks} stacks in ${ftk.sec.toFixed(2)} s = ${Math.round(stacks / ftk.sec)} stacks/s, peak RSS ${(ftk.kib / 1024).toFixed(1)} MB`);
  const html = timed(process.execPath, [FTK, "flamegraph", "-i", dat, "--off-cpu", "-o", join(dir, "off.html")]);
  console.log(`  ftk flamegraph --format html: ${html.sec.toFixed(2)} s, peak RSS ${(html.kib / 1024).toFixed(1)} MB`);
  if (hasPerf) {
    const pd = join(dir, "off.perf.data");
    execFileSync("perf", ["record", "-q", "-e", "sched:sched_switch", "-g", "-o", pd, "--", join(dir, "pingpong"), String(PINGS)], { stdio: "ignore" });
    const t0 = process.hrtime.bigint();
    const script = timed("perf", ["script", "-i", pd, "-F", "comm,ip,sym"]);
    // stackcollapse: one "comm;outer;...;leaf count" per distinct stack.
    const folded = new Map();
    let samples = 0;
    for (const block of script.stdout.split("\n\n")) {
      const lines = block.split("\n").filter((l) => l.trim() !== "");
      if (lines.length === 0) continue;
      samples++;
      const frames = lines.slice(1).map((l) => l.trim().split(/\s+/)[1] ?? "[unknown]").reverse();
      const key = [lines[0].trim().split(/\s+/)[0], ...frames].join(";");
      folded.set(key, (folded.get(key) ?? 0) + 1);
    }
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`  perf script + collapse: ${samples} stacks in ${sec.toFixed(2)} s = ${Math.round(samples / sec)} stacks/s, perf script peak RSS ${(script.kib / 1024).toFixed(1)} MB`);
    console.log(`  ftk/perf time ratio ${(ftk.sec / sec).toFixed(2)}, stacks/s ratio ${((stacks / ftk.sec) / (samples / sec)).toFixed(2)}`);
    // Both count one stack per switch-out of the workload, so this is about 1. It was 0.52 while the model
    // waited for switch-ins that this VM's kernel never emits (from idle on CPU 1, model/off-cpu.ts).
    const own = execFileSync(process.execPath, [FTK, "flamegraph", "-i", dat, "--off-cpu", "--count", "--comm", "pingpong"], { encoding: "latin1", maxBuffer: 1 << 28 });
    const ownStacks = own.split("\n").filter((l) => l !== "").reduce((s, l) => s + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    console.log(`  stacks of the workload: ftk ${ownStacks}, perf ${samples}, ratio ${(ownStacks / samples).toFixed(3)} (perf: every switch-out; ftk: every wait that ended)`);
  }

  const shared = process.env.FTK_SHARED ?? join(ROOT, "..", "shared");
  const big = join(shared, "fixtures", "bench", "lab-v7-zstd-x86_64-funcgraph-sched-syscalls-1.7m.dat");
  if (existsSync(big)) {
    console.log("== --graph on the 1.7M-event function_graph file, against ftk report of it");
    const g = timed(process.execPath, [FTK, "flamegraph", "-i", big, "--graph", "-o", join(dir, "big.folded")]);
    const r = timed(process.execPath, [FTK, "report", "-i", big]);
    console.log(`  ftk flamegraph --graph ${g.sec.toFixed(2)} s, peak RSS ${(g.kib / 1024).toFixed(1)} MB; ftk report ${r.sec.toFixed(2)} s, peak RSS ${(r.kib / 1024).toFixed(1)} MB; ratio ${(g.sec / r.sec).toFixed(2)}`);
  } else {
    console.log(`== --graph on the 1.7M-event file: skipped (${big} not found; set FTK_SHARED)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
