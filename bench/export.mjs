#!/usr/bin/env node
// Times `ftk sql -i F 'select count(*) from ftrace_event'` and `ftk export --format perfetto` against
// `ftk report -i F > /dev/null` on the same file in the same run (interleaved, medians), and prints the
// ratios, peak RSS (GNU time's %M is not assumed: each run reports its own maxRSS), perfetto events/s and
// output bytes per event against the trace.dat's uncompressed page data per event (from a
// `trace-cmd convert --compression none` copy). Usage: node bench/export.mjs [runs] [file]
// The file defaults to the 1.7M-event trace in $FTK_SHARED/fixtures/bench (FTK_SHARED defaults to ../shared).
import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const mainJs = join(root, "dist", "cli", "main.js");
const indexJs = join(root, "dist", "index.js");
const shared = process.env.FTK_SHARED ?? resolve(root, "..", "shared");

const args = process.argv.slice(2);
const runs = args.length > 0 && /^\d+$/.test(args[0]) ? Number(args.shift()) : 3;
let file = args[0];
if (file === undefined) {
  const dir = join(shared, "fixtures", "bench");
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith("-1.7m.dat")) : [];
  if (found.length === 0) {
    console.error(`bench/export: no 1.7M-event trace in '${dir}': set FTK_SHARED or pass a file`);
    process.exit(2);
  }
  file = join(dir, found[0]);
}
if (!existsSync(mainJs)) {
  console.error("bench/export: dist/ is missing: run 'npm run build' first");
  process.exit(2);
}
const tmp = mkdtempSync(join(tmpdir(), "ftk-bench-export-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

/** Runs `ftk ARGV` in a child node with stdout on /dev/null (as `> /dev/null`); resolves wall ms and the child's peak RSS (KiB). */
function run(argv) {
  const script =
    `import { main } from ${JSON.stringify(mainJs)};` +
    `const code = await main(${JSON.stringify(argv)});` +
    `process.stderr.write("BENCH_MAXRSS_KIB " + process.resourceUsage().maxRSS + "\\n");` +
    `process.exitCode = code;`;
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    let err = "";
    const devnull = openSync("/dev/null", "w");
    const p = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", devnull, "pipe"] });
    p.on("spawn", () => closeSync(devnull));
    p.stderr.on("data", (d) => (err += d));
    p.on("error", rej);
    p.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return rej(new Error(`ftk ${argv.join(" ")} exited with ${code}: ${err}`));
      res({ ms, rssKiB: Number(/BENCH_MAXRSS_KIB (\d+)/.exec(err)?.[1] ?? 0) });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pftrace = join(tmp, "out.pftrace");
const cases = {
  report: ["report", "-i", file],
  sql: ["sql", "-i", file, "select count(*) from ftrace_event"],
  perfetto: ["export", "-i", file, "--format", "perfetto", "-o", pftrace],
};
const times = { report: [], sql: [], perfetto: [] };
const rss = { report: 0, sql: 0, perfetto: 0 };
for (let i = 0; i < runs; i++) {
  for (const [name, argv] of Object.entries(cases)) {
    const r = await run(argv);
    times[name].push(r.ms);
    rss[name] = Math.max(rss[name], r.rssKiB);
  }
}

// Records, and the uncompressed page bytes of the same data (a v6 copy without compression).
const { openTrace, walkModel } = await import(indexJs);
const trace = await openTrace(file, { onWarning: () => {} });
const { records } = await walkModel(trace, {});
await trace.close();
let pageBytes;
try {
  const plain = join(tmp, "plain.dat");
  execFileSync("trace-cmd", ["convert", "-i", file, "-o", plain, "--file-version", "6", "--compression", "none"], { stdio: "ignore" });
  const t = await openTrace(plain, { onWarning: () => {} });
  pageBytes = t.buffers.reduce((a, b) => a + b.cpus.reduce((x, c) => x + c.size, 0), 0);
  await t.close();
} catch (e) {
  console.error(`bench/export: no uncompressed copy (trace-cmd convert failed: ${e.message}); bytes/event ratio not printed`);
}

const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const outBytes = statSync(pftrace).size;
const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);
console.log(`bench/export: ${file} (${records} records, ${runs} runs, medians)`);
console.log(`  ftk report > /dev/null        ${f1(m.report)} ms   peak RSS ${f1(rss.report / 1024)} MiB`);
console.log(`  ftk sql count(*) ftrace_event ${f1(m.sql)} ms   peak RSS ${f1(rss.sql / 1024)} MiB   ratio sql/report ${f2(m.sql / m.report)} (goal <= 2, RSS < 1024 MiB)`);
console.log(
  `  ftk export --format perfetto  ${f1(m.perfetto)} ms   peak RSS ${f1(rss.perfetto / 1024)} MiB   ratio perfetto/report ${f2(m.perfetto / m.report)} (goal <= 1)   ${f1(records / (m.perfetto / 1000) / 1e6)} M events/s`,
);
const perEvent = outBytes / records;
let line = `  perfetto output ${outBytes} bytes = ${f1(perEvent)} bytes/event`;
if (pageBytes !== undefined) line += `; trace.dat uncompressed pages ${pageBytes} bytes = ${f1(pageBytes / records)} bytes/event; ratio ${f2(perEvent / (pageBytes / records))} (goal <= 1)`;
console.log(line);
