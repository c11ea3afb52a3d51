#!/usr/bin/env node
// Times `ftk report -i F` against `trace-cmd report -i F` on the benchmark traces (output to /dev/null,
// runs interleaved, medians), prints the time ratio and ftk's peak RSS, and checks both outputs are
// identical (sha256 of each output, in separate runs). Usage: node bench/report.mjs [--cmd hist] [runs] [files...]
// (--cmd times another file-reading subcommand both tools have the same way, e.g. hist).
// Files default to $FTK_SHARED/fixtures/bench/*.dat (FTK_SHARED defaults to ../shared).
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, openSync, closeSync, readdirSync } from "node:fs";
import { dirname, join, resolve, basename } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ftkBin = join(root, "bin", "ftk");
const mainJs = join(root, "dist", "cli", "main.js");
const shared = process.env.FTK_SHARED ?? resolve(root, "..", "shared");

const args = process.argv.slice(2);
const cmdAt = args.indexOf("--cmd");
const cmd = cmdAt >= 0 ? args.splice(cmdAt, 2)[1] : "report";
const runs = args.length > 0 && /^\d+$/.test(args[0]) ? Number(args.shift()) : 3;
let files = args;
if (files.length === 0) {
  const dir = join(shared, "fixtures", "bench");
  if (!existsSync(dir)) {
    console.error(`bench/report: no benchmark traces in '${dir}': set FTK_SHARED or pass files`);
    process.exit(2);
  }
  files = readdirSync(dir)
    .filter((f) => f.endsWith(".dat"))
    .sort()
    .map((f) => join(dir, f));
}

if (!existsSync(mainJs)) {
  console.error("bench/report: dist/ is missing: run 'npm run build' first");
  process.exit(2);
}
try {
  execFileSync("trace-cmd", ["report", "--help"], { stdio: "ignore" });
} catch (e) {
  if (e.code === "ENOENT") {
    console.error("bench/report: trace-cmd is not installed (apt-get install trace-cmd)");
    process.exit(2);
  }
}

/** Runs a command with stdout to /dev/null; resolves the wall time in ms. */
function timed(cmd, argv) {
  return new Promise((res, rej) => {
    const devnull = openSync("/dev/null", "w");
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, argv, { stdio: ["ignore", devnull, "inherit"] });
    p.on("error", rej);
    p.on("close", (code) => {
      closeSync(devnull);
      if (code !== 0) return rej(new Error(`${cmd} ${argv.join(" ")} exited with ${code}`));
      res(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
}

/** Runs a command and resolves the sha256 and byte count of its stdout. */
function hashed(cmd, argv) {
  return new Promise((res, rej) => {
    const h = createHash("sha256");
    let bytes = 0;
    const p = spawn(cmd, argv, { stdio: ["ignore", "pipe", "inherit"] });
    p.stdout.on("data", (d) => {
      h.update(d);
      bytes += d.length;
    });
    p.on("error", rej);
    p.on("close", (code) => (code === 0 ? res({ sha: h.digest("hex"), bytes }) : rej(new Error(`${cmd} exited with ${code}`))));
  });
}

/** Peak RSS of an in-process `ftk report` run (node reports its own maxRSS at exit, in KiB). */
function ftkPeakRssKiB(file) {
  const script =
    `import { main } from ${JSON.stringify(mainJs)};` +
    `const code = await main([${JSON.stringify(cmd)}, "-i", ${JSON.stringify(file)}]);` +
    `process.stderr.write("FTK_MAXRSS_KIB " + process.resourceUsage().maxRSS + "\\n");` +
    `process.exitCode = code;`;
  return new Promise((res, rej) => {
    const devnull = openSync("/dev/null", "w");
    let err = "";
    const p = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", devnull, "pipe"] });
    p.stderr.on("data", (d) => (err += d));
    p.on("error", rej);
    p.on("close", () => {
      closeSync(devnull);
      const m = /FTK_MAXRSS_KIB (\d+)/.exec(err);
      m ? res(Number(m[1])) : rej(new Error(`no RSS reported: ${err}`));
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

let failed = false;
for (const file of files) {
  const tc = [];
  const ftk = [];
  for (let i = 0; i < runs; i++) {
    tc.push(await timed("trace-cmd", [cmd, "-i", file]));
    ftk.push(await timed(process.execPath, [ftkBin, cmd, "-i", file]));
  }
  const rss = await ftkPeakRssKiB(file);
  const [a, b] = [await hashed("trace-cmd", [cmd, "-i", file]), await hashed(process.execPath, [ftkBin, cmd, "-i", file])];
  const same = a.sha === b.sha && a.bytes === b.bytes;
  const tm = median(tc);
  const fm = median(ftk);
  console.log(`${basename(file)}  (${runs} runs each, interleaved, output to /dev/null)`);
  console.log(`  trace-cmd ${cmd.padEnd(7)} median ${(tm / 1000).toFixed(2)} s   [${tc.map((x) => (x / 1000).toFixed(2)).join(", ")}]`);
  console.log(`  ftk ${cmd.padEnd(13)} median ${(fm / 1000).toFixed(2)} s   [${ftk.map((x) => (x / 1000).toFixed(2)).join(", ")}]`);
  console.log(`  time ratio ftk/trace-cmd ${(fm / tm).toFixed(2)}   (goal <= 1.00)`);
  console.log(`  ftk peak RSS ${(rss / 1024).toFixed(1)} MB   (goal < 200 MB)`);
  console.log(`  output ${same ? "identical" : "DIFFERENT"}: ${a.bytes} bytes sha256 ${a.sha.slice(0, 16)}… vs ${b.bytes} bytes ${b.sha.slice(0, 16)}…`);
  if (!same) failed = true;
}
process.exitCode = failed ? 1 : 0;
