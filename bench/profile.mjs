#!/usr/bin/env node
// Times `ftk report --profile -i F` against `trace-cmd report --profile -i F` on the benchmark traces
// (output to /dev/null, runs interleaved, medians), prints the time ratio and both peak RSS, and checks
// the outputs agree up to trace-cmd's hash order (test-support/profile-order). Usage:
// node bench/profile.mjs [runs] [files...]; files default to $FTK_SHARED/fixtures/bench/*.dat.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ftkBin = join(root, "bin", "ftk");
const orderJs = join(root, "dist", "test-support", "profile-order.js");
const shared = process.env.FTK_SHARED ?? resolve(root, "..", "shared");

const args = process.argv.slice(2);
const runs = args.length > 0 && /^\d+$/.test(args[0]) ? Number(args.shift()) : 1;
let files = args;
if (files.length === 0) {
  const dir = join(shared, "fixtures", "bench");
  if (!existsSync(dir)) {
    console.error(`bench/profile: no benchmark traces in '${dir}': set FTK_SHARED or pass files`);
    process.exit(2);
  }
  files = readdirSync(dir).filter((f) => f.endsWith(".dat")).sort().map((f) => join(dir, f));
}
if (!existsSync(orderJs)) {
  console.error("bench/profile: dist/ is missing: run 'npm run build' first");
  process.exit(2);
}
const { hashOrderCanonical } = await import(orderJs);

/** Runs under /usr/bin/time-like accounting: wall ms, peak RSS KiB (of the child) and stdout. */
function run(cmd, argv) {
  return new Promise((res, rej) => {
    const chunks = [];
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, argv, { stdio: ["ignore", "pipe", "inherit"] });
    p.stdout.on("data", (d) => chunks.push(d));
    p.on("error", rej);
    p.on("close", (code) => {
      if (code !== 0) return rej(new Error(`${cmd} ${argv.join(" ")} exited with ${code}`));
      res({ ms: Number(process.hrtime.bigint() - t0) / 1e6, out: Buffer.concat(chunks).toString("latin1") });
    });
  });
}

/** Peak RSS in KiB of a command, from GNU time's %M (undefined when /usr/bin/time is missing). */
function peakRss(cmd, argv) {
  return new Promise((res) => {
    const p = spawn("/usr/bin/time", ["-f", "%M", cmd, ...argv], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    p.on("error", () => res(undefined));
    p.on("close", () => {
      const m = /(\d+)\s*$/.exec(err);
      res(m ? Number(m[1]) : undefined);
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (k) => (k === undefined ? "?" : `${(k / 1024).toFixed(1)} MB`);

let failed = false;
for (const file of files) {
  const tc = [];
  const ftk = [];
  let same = true;
  for (let i = 0; i < runs; i++) {
    const a = await run("trace-cmd", ["report", "--profile", "-i", file]);
    const b = await run(process.execPath, [ftkBin, "report", "--profile", "-i", file]);
    tc.push(a.ms);
    ftk.push(b.ms);
    if (i === 0) same = hashOrderCanonical(a.out) === hashOrderCanonical(b.out);
  }
  const [tcRss, ftkRss] = [await peakRss("trace-cmd", ["report", "--profile", "-i", file]), await peakRss(process.execPath, [ftkBin, "report", "--profile", "-i", file])];
  const tm = median(tc);
  const fm = median(ftk);
  console.log(`${basename(file)}  report --profile (${runs} run(s) each, interleaved)`);
  console.log(`  trace-cmd  median ${(tm / 1000).toFixed(2)} s   peak RSS ${mb(tcRss)}`);
  console.log(`  ftk        median ${(fm / 1000).toFixed(2)} s   peak RSS ${mb(ftkRss)}`);
  console.log(`  time ratio ftk/trace-cmd ${(fm / tm).toFixed(2)}   RSS ratio ${tcRss && ftkRss ? (ftkRss / tcRss).toFixed(2) : "?"}`);
  console.log(`  output ${same ? "the same up to trace-cmd's hash order" : "DIFFERENT"}`);
  if (!same) failed = true;
}
process.exitCode = failed ? 1 : 0;
