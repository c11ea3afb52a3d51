// Issue 11: the packed package installs and runs as a user gets it. `npm pack`, then `npm install -g` of the
// tarball into a temporary prefix, with and without --ignore-scripts (and once through npx); the installed
// `ftk` runs --help, report on a zstd and a v6 fixture, and a short record (tracefs: run under the lock).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, suite, test } from "node:test";
import { promisify } from "node:util";
import { repoRoot, sharedDir } from "../test-support/paths.js";

const run = promisify(execFile);
const root = repoRoot();
const work = mkdtempSync(join(tmpdir(), "ftk-pack-"));
let tarball = "";

const fixture = (name: string): string | undefined => {
  const dir = sharedDir();
  return dir === undefined ? undefined : join(dir, "fixtures", "tracedat", name);
};
const zstdFile = fixture("lab-v7-zstd-x86_64-2cpu-instance.dat");
const v6File = fixture("v6-i686-k5.15-sched-switch.dat");
const noShared = sharedDir() === undefined ? "../shared not found (set FTK_SHARED to its path)" : false;
const tracefs = existsSync("/sys/kernel/tracing/events") ? false : "tracefs is not mounted at /sys/kernel/tracing";

before(async () => {
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, maxBuffer: 1 << 24 });
  const info = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info[0]!.filename);
  // What ships: bin, the built library and CLI; no tests, test helpers, fixtures or benchmarks.
  const paths = info[0]!.files.map((f) => f.path);
  assert.ok(paths.includes("bin/ftk") && paths.includes("dist/index.js") && paths.includes("dist/cli/commands.json"), paths.join(" "));
  // The CLI bundle bin/ftk runs (tools/bundle.mjs), with its own command manifest.
  assert.ok(paths.includes("dist/bundle/main.js") && paths.includes("dist/bundle/commands.json"), paths.join(" "));
  // report as a script run with a V8 code cache (src/cli/script-cache.ts).
  assert.ok(paths.includes("dist/bundle/report.cjs"), paths.join(" "));
  // The zstd decoder's module for Nodes without zstd in node:zlib, read beside the bundle and the library.
  assert.ok(paths.includes("dist/bundle/zstddec.wasm") && paths.includes("dist/tracedat/zstddec.wasm"), paths.join(" "));
  assert.deepEqual(paths.filter((p) => /\.test\.|test-support|testing\.|test-helpers|test-records|synthetic|fixtures|bench|\.map$/.test(p)), []);
});

after(() => rmSync(work, { recursive: true, force: true }));

test("npx runs the packed tarball (npm exec --package)", async () => {
  const cache = join(work, "npm-cache");
  const { stdout } = await run("npm", ["exec", "--yes", "--cache", cache, `--package=${tarball}`, "--", "ftk", "--version"], { cwd: work, maxBuffer: 1 << 24 });
  assert.match(stdout, /^ftk version \d+\.\d+\.\d+\n$/);
});

for (const mode of ["scripts", "--ignore-scripts"] as const) {
  suite(`npm install -g of the packed tarball (${mode === "scripts" ? "install scripts run" : "--ignore-scripts"})`, () => {
    const prefix = join(work, mode === "scripts" ? "prefix" : "prefix-noscripts");
    const ftk = join(prefix, "bin", "ftk");
    // report's script cache goes with the temporary install, not into the user's ~/.cache/ftk.
    const runFtk = (args: string[]) => run(ftk, args, { cwd: work, maxBuffer: 1 << 26, env: { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: join(work, "cache") } });

    before(async () => {
      const args = ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", tarball];
      if (mode === "--ignore-scripts") args.push("--ignore-scripts");
      await run("npm", args, { cwd: work, maxBuffer: 1 << 24 });
    });

    test("ftk --help lists the commands", async () => {
      const { stdout } = await runFtk(["--help"]);
      assert.match(stdout, /\n {2}report +print the events of trace\.dat files/);
      const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
      assert.equal((await runFtk(["--version"])).stdout, `ftk version ${version}\n`);
    });

    test("ftk report reads a zstd (v7) fixture as trace-cmd does", { skip: noShared }, async () => {
      const { stdout } = await runFtk(["report", "-i", zstdFile!]);
      assert.equal(stdout, readFileSync(zstdFile!.replace(/\.dat$/, ".report"), "latin1"));
    });

    test("ftk report reads a v6 fixture as trace-cmd does", { skip: noShared }, async () => {
      const { stdout } = await runFtk(["report", "-i", v6File!]);
      assert.equal(stdout, readFileSync(v6File!.replace(/\.dat$/, ".report"), "latin1"));
    });

    test("ftk record writes a zstd file that the installed ftk reads back", { skip: tracefs }, async () => {
      const out = join(work, `record-${mode}.dat`);
      await runFtk(["record", "-q", "-e", "sched:sched_process_exec", "-o", out, "true"]);
      const { stdout } = await runFtk(["report", "-i", out]);
      assert.match(stdout, /sched_process_exec: +filename=\S*true /);
      const header = readFileSync(out).subarray(0, 40).toString("latin1");
      assert.match(header, /tracing7\0\0\x08[\s\S]*zstd\0/);
    });
  });
}
