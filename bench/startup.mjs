#!/usr/bin/env node
// Start-up cost of the CLI (issue 11): each ftk command is run side by side with its yardsticks (bare
// `node -e 0`, and `trace-cmd report` for reports), interleaved, output to /dev/null; prints medians of wall and
// CPU time (user + system: on a loaded machine the one to read), the time above bare node and the ratios.
// Usage: node bench/startup.mjs [runs]
// Fixtures come from $FTK_SHARED (default ../shared); cases whose files are missing are skipped, saying why.
// Last, the same commands from the ~80 compiled modules of dist/cli instead of the esbuild bundle that
// bin/ftk runs (dist/bundle), and, on Node 22.1+, without V8's compile cache: what each of them saves.
import { execFileSync, spawn } from "node:child_process";
import module from "node:module";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ftkBin = join(root, "bin", "ftk");
const shared = process.env.FTK_SHARED ?? resolve(root, "..", "shared");
const runs = /^\d+$/.test(process.argv[2] ?? "") ? Number(process.argv[2]) : 15;

if (!existsSync(join(root, "dist", "cli", "main.js"))) {
  console.error("bench/startup: dist/ is missing: run 'npm run build' first");
  process.exit(2);
}
let traceCmd = true;
try {
  execFileSync("trace-cmd", ["report", "--help"], { stdio: "ignore" });
} catch (e) {
  if (e.code === "ENOENT") traceCmd = false;
}

/**
 * Runs argv[0] with the rest, stdout to /dev/null, under `sh`, which then prints its own /proc stat: its
 * waited-for children's user + system time (10 ms ticks). Resolves { wall, cpu } in ms (rejects on a
 * non-zero exit). CPU time is what to read on a loaded machine: wall time there includes waiting for a core.
 */
function timed(argv, env) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const script = '"$@" >/dev/null || exit $?; cat /proc/$$/stat';
    const p = spawn("sh", ["-c", script, "sh", ...argv], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("error", rej);
    p.on("close", (code) => {
      if (code !== 0) return rej(new Error(`${argv.join(" ")} exited with ${code}: ${err.trim()}`));
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      // Fields after "(comm) ": state is field 3, cutime and cstime are fields 16 and 17 (USER_HZ = 100).
      const f = out.slice(out.lastIndexOf(")") + 2).trim().split(/\s+/);
      res({ wall, cpu: (Number(f[13]) + Number(f[14])) * 10 });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Times `cmd` against each yardstick, interleaved run by run; prints medians (wall and CPU) and ratios; returns the wall medians (and the CPU ones as `.cpu`). */
async function compare(label, cmd, yardsticks, n, goal, env) {
  const all = [cmd, ...yardsticks.map((y) => y.argv)];
  const wall = all.map(() => []);
  const cpu = all.map(() => []);
  for (let i = 0; i < n; i++) {
    for (const [k, argv] of all.entries()) {
      const t = await timed(argv, (k === 0 ? undefined : yardsticks[k - 1].env) ?? env);
      wall[k].push(t.wall);
      cpu[k].push(t.cpu);
    }
  }
  const m = wall.map(median);
  const c = cpu.map(median);
  console.log(`${label}  (${n} runs each, interleaved; wall / CPU user+sys)`);
  console.log(`  ftk           median ${m[0].toFixed(0)} ms   [min ${Math.min(...wall[0]).toFixed(0)}]   CPU ${c[0].toFixed(0)} ms`);
  for (const [k, y] of yardsticks.entries()) {
    const extra = y.name === "node -e 0" ? `   ftk is ${(m[0] - m[k + 1]).toFixed(0)} ms above it (CPU ${(c[0] - c[k + 1]).toFixed(0)} ms)${goal ? ` (goal <= ${goal} ms)` : ""}` : "";
    console.log(`  ${y.name.padEnd(13)} median ${m[k + 1].toFixed(0)} ms   CPU ${c[k + 1].toFixed(0)} ms   ratio ftk/${y.name} ${(m[0] / m[k + 1]).toFixed(2)} (CPU ${(c[0] / c[k + 1]).toFixed(2)})${extra}`);
  }
  return Object.assign(m, { cpu: c });
}

const node = { name: "node -e 0", argv: [process.execPath, "-e", "0"] };
const ftk = (...a) => [process.execPath, ftkBin, ...a];
console.log(`node ${process.version}; ftk from ${ftkBin}`);

await compare("ftk --help", ftk("--help"), [node], runs, 40);
// The report command loaded and its flags parsed, no file read: the floor of every report below.
await compare("ftk report -h", ftk("report", "-h"), [node], runs);
if (existsSync("/sys/kernel/tracing/options")) await compare("ftk list -o", ftk("list", "-o"), [node], runs, 40);
else console.log("ftk list -o: skipped: /sys/kernel/tracing is not mounted");

const fixtures = join(shared, "fixtures", "tracedat");
// Small reports that print no kernel symbol (v6, and v7 zstd), then ones that do: function_graph names
// (v6) and kernel stacks (v7 zstd), which read, decompress and index the file's kallsyms (megabytes).
const SMALL_REPORTS = [
  "v6-i686-k5.15-sched-switch.dat", // 103 lines, v6, no symbols
  "lab-v7-zstd-x86_64-2cpu-kprobe-args.dat", // 9 lines, zstd, no symbols
  "lab-v6-x86_64-2cpu-funcgraph.dat", // 138 lines, v6 (4.6 MB, most of it kallsyms)
  "lab-v7-zstd-x86_64-2cpu-sched-kstack.dat", // 469 lines, zstd, kernel stacks
];
/** Reports whose start is measured against the floor of decompressing their kallsyms section. */
const KALLSYMS_FLOOR = ["lab-v7-zstd-x86_64-2cpu-sched-kstack.dat"];
for (const name of SMALL_REPORTS) {
  const file = join(fixtures, name);
  if (!existsSync(file)) {
    console.log(`ftk report ${name}: skipped: '${file}' not found (set FTK_SHARED)`);
    continue;
  }
  const yard = [node];
  if (traceCmd) yard.push({ name: "trace-cmd", argv: ["trace-cmd", "report", "-i", file] });
  // A compressed file's kernel stacks need its whole kallsyms section decompressed (3.6 MB here) before
  // the first symbol: node plus that alone (bench/kallsyms-floor.mjs) is what the goal competes with.
  if (KALLSYMS_FLOOR.includes(name)) yard.push({ name: "floor", argv: [process.execPath, join(root, "bench", "kallsyms-floor.mjs"), file] });
  const floor = yard.findIndex((y) => y.name === "floor") + 1; // its column in compare()'s medians (0: none)
  const m = await compare(`ftk report -i ${name}`, ftk("report", "-i", file), yard, runs, 60);
  if (traceCmd) console.log(`  node -e 0 / trace-cmd report ${(m[1] / m[2]).toFixed(2)}   (node's own start is the floor)`);
  if (floor > 0) {
    const [f, fc] = [m[floor], m.cpu[floor]];
    console.log(`  FLOOR (node + this file's kallsyms section read and decompressed alone, side by side): median ${f.toFixed(0)} ms, CPU ${fc.toFixed(0)} ms: ${(f - m[1]).toFixed(0)} ms above node -e 0 (CPU ${(fc - m.cpu[1]).toFixed(0)}; the goal allows ftk 60); ftk is ${(m[0] - f).toFixed(0)} ms above the floor (CPU ${(m.cpu[0] - fc).toFixed(0)})`);
  }
}

const big = join(shared, "fixtures", "bench", "lab-v7-zstd-x86_64-funcgraph-sched-syscalls-1.7m.dat");
if (!existsSync(big)) console.log(`ftk report (1.7M events): skipped: '${big}' not found (set FTK_SHARED)`);
else if (!traceCmd) console.log("ftk report (1.7M events): skipped: trace-cmd is not installed");
else {
  const m = await compare("ftk report -i lab-...-1.7m.dat", ftk("report", "-i", big), [{ name: "trace-cmd", argv: ["trace-cmd", "report", "-i", big] }], 3);
  console.log(`  (goal: ratio ftk/trace-cmd <= 0.55; was 0.45-0.51)  ${m[0] / m[1] <= 0.55 ? "ok" : "ABOVE GOAL"}`);
}

// What the bundle (and the code caches: Node's compile cache where Node has it, report's script cache) saves. Whole runs first: bin/ftk against the
// same CLI loaded from dist/cli's modules (and against itself with the cache off). Then the part they
// change, measured inside the process: the time to import the report command with everything it loads.
const fromModules = (...a) => [process.execPath, "--input-type=module", "-e",
  `const { main } = await import(${JSON.stringify(join(root, "dist", "cli", "main.js"))}); process.exitCode = await main(process.argv.slice(1));`, ...a];
const small = join(fixtures, "lab-v6-x86_64-2cpu-funcgraph.dat");
const bundleDir = join(root, "dist", "bundle");
if (!existsSync(join(bundleDir, "main.js"))) console.log("bundle against modules: skipped: dist/bundle is missing (run 'npm run build')");
else {
  const cases = [["--help"], ...(existsSync(small) ? [["report", "-i", small]] : [])];
  for (const args of cases) {
    const label = args[0] === "--help" ? "ftk --help" : "ftk report -i lab-v6-...-funcgraph.dat";
    const yard = [{ name: "modules", argv: fromModules(...args) }];
    // NODE_DISABLE_COMPILE_CACHE turns off Node's compile cache (22.1+) and report's script cache (any Node).
    yard.push({ name: "no cache", argv: ftk(...args), env: { NODE_DISABLE_COMPILE_CACHE: "1" } });
    await compare(`${label}: bundle (bin/ftk) against dist/cli modules and without the code caches`, ftk(...args), yard, runs);
  }
  if (module.enableCompileCache === undefined) console.log(`  (node ${process.version} has no compile cache (module.enableCompileCache is Node 22.1+); report's script cache is the only one)`);
  const chunk = readdirSync(bundleDir).find((f) => /^report(-.*)?\.js$/.test(f));
  const importMs = (file) => {
    const code = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
    return Number(execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" }));
  };
  const b = [], m = [];
  for (let i = 0; i < runs; i++) {
    b.push(importMs(join(bundleDir, chunk)));
    m.push(importMs(join(root, "dist", "cli", "report.js")));
  }
  console.log(`import of the report command  (${runs} runs each, interleaved, timed inside the process)`);
  console.log(`  bundle        median ${median(b).toFixed(1)} ms   [min ${Math.min(...b).toFixed(1)}]`);
  console.log(`  modules       median ${median(m).toFixed(1)} ms   ratio bundle/modules ${(median(b) / median(m)).toFixed(2)}`);
}
