// ftk list: in-process runs, compared with the kernel files and, when installed, with trace-cmd list.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { suite, test } from "node:test";
import { promisify } from "node:util";
import { ftkBin } from "../test-support/paths.js";
import { openLiveTracefs } from "../tracefs/testing.js";
import { runFtk } from "./report-test-helpers.js";

const run = promisify(execFile);
const live = await openLiveTracefs();
const traceCmd = await run("trace-cmd", ["list", "-t"]).then(() => true, () => false);

suite("ftk list", () => {
  test("list -c prints the writable compressions in trace-cmd's shape, without tracefs", async () => {
    const r = await runFtk(["list", "-c"]);
    assert.equal(r.code, 0);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines[0], "Supported compression algorithms:");
    // zstd's version is node:zlib's (Node 22.15+); the WebAssembly codec does not tell its own, so it says "wasm".
    assert.deepEqual(lines.slice(1).map((l) => /^\t(\w+), (\d+(\.\d+)+|wasm)$/.exec(l)?.[1]), ["zstd", "zlib"]);
  });

  test("list rejects unknown options and bad regexes with one line and status 2", async () => {
    for (const argv of [["list", "-q"], ["list", "-e", "["], ["list", "stray"]]) {
      const r = await runFtk(argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^ftk list: [^\n]+\n$/);
    }
  });

  suite("on the live kernel", { skip: live.skip }, () => {
    const fs = live.fs!;

    test("list -t, -C and -o show available_tracers, trace_clock and options/", async () => {
      assert.equal((await runFtk(["list", "-t"])).stdout, (await fs.availableTracers()).join(" ") + "\n");
      assert.equal((await runFtk(["list", "-C"])).stdout, readFileSync(`${fs.root}/trace_clock`, "latin1"));
      const opts = (await runFtk(["list", "-o"])).stdout.trimEnd().split("\n");
      const dir = await fs.topInstance().options();
      assert.equal(opts.length, dir.size);
      for (const line of opts) {
        const name = dir.has(line) ? line : line.replace(/^no/, "");
        assert.equal(dir.get(name), !line.startsWith("no") || dir.has(line), line);
      }
    });

    test("list -e regex -F prints the format without print fmt; --full adds it", async () => {
      const r = await runFtk(["list", "-e", "^sched:sched_switch$", "-F"]);
      const format = await fs.eventFormat("sched", "sched_switch");
      assert.ok(r.stdout.startsWith("system: sched\nname: sched_switch\nID: "));
      assert.equal(r.stdout, "system: sched\n" + format.slice(0, format.indexOf("\nprint fmt:") + 1));
      const full = await runFtk(["list", "-e", "^sched:sched_switch$", "-F", "--full"]);
      assert.equal(full.stdout, "system: sched\n" + format);
      const names = (await runFtk(["list", "-e", "sched_sw"])).stdout.trimEnd().split("\n");
      assert.ok(names.includes("sched:sched_switch"));
      assert.ok(names.every((n) => /sched_sw/.test(n)));
    });

    test("list -f either lists functions or says function filtering is not permitted", async () => {
      const r = await runFtk(["list", "-f", "^vfs_read$"]);
      if (r.code === 0) assert.match(r.stdout, /^(vfs_read\n)?/);
      else {
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^ftk list: function filtering is not (permitted here|available on this kernel) \([^)]*\)\n$/);
      }
    });

    test("list output equals trace-cmd list for -t -C -o -B -e and -e regex -F --full", { skip: traceCmd ? false : "trace-cmd not installed" }, async () => {
      for (const args of [["-t"], ["-C"], ["-o"], ["-B"], ["-e"], ["-e", "^sched:sched_w", "-F", "--full"], ["-e", "sched_switch", "-R"], ["-e", "sched_switch", "-l"]]) {
        const expected = (await run("trace-cmd", ["list", ...args], { maxBuffer: 64 << 20, encoding: "latin1" })).stdout;
        const actual = await runFtk(["list", ...args]);
        assert.equal(actual.stdout, expected, `ftk list ${args.join(" ")}`);
      }
    });

    test("bin/ftk list -e . -F --full | head: a closed pipe ends quietly with status 0", async () => {
      const child = spawn(process.execPath, [ftkBin(), "list", "-e", ".", "-F", "--full"], { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
      child.stdout.once("data", () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
      assert.equal(stderr, "");
      assert.equal(code, 0);
    });

    test("bin/ftk list -t runs as a process", async () => {
      const r = await run(process.execPath, [ftkBin(), "list", "-t"]);
      assert.equal(r.stdout, (await fs.availableTracers()).join(" ") + "\n");
    });
  });
});
