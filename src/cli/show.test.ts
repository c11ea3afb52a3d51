// ftk show and ftk stop on a fresh instance (and stop on the top level, turned back on afterwards).
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { suite, test } from "node:test";
import { openLiveTracefs, useTestInstance } from "../tracefs/testing.js";
import { main } from "./main.js";
import { runFtk } from "./report-test-helpers.js";

const live = await openLiveTracefs();

suite("ftk show and ftk stop", { skip: live.skip }, () => {
  const fs = live.fs!;
  const box = useTestInstance(fs, "show");
  const { name } = box;

  test("show -B prints the instance's trace with a trace_marker line; -f prints the path first", async () => {
    const marker = `ftk-show-${process.pid}`;
    await box.inst.writeFile("trace_marker", marker);
    const r = await runFtk(["show", "-B", name]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith("# tracer: nop\n"));
    assert.ok(r.stdout.includes(marker));
    const f = await runFtk(["show", "-f", "-B", name]);
    assert.ok(f.stdout.startsWith(`${box.inst.path.replace(/\/$/, "")}/trace\n# tracer: nop\n`));
    assert.equal((await runFtk(["show", "--tracing_on", "-B", name])).stdout, `${box.inst.path.replace(/\/$/, "")}/tracing_on\n`);
    await box.inst.clearTrace();
  });

  test("show -p reads trace_pipe without blocking and stops when aborted", async () => {
    const marker = `ftk-pipe-${process.pid}`;
    await box.inst.writeFile("trace_marker", marker);
    let text = "";
    const abort = new AbortController();
    const stdout = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString("latin1");
        if (text.includes(marker)) abort.abort();
        done();
      },
    });
    const timer = setTimeout(() => abort.abort(), 5000);
    const t0 = performance.now();
    const code = await main(["show", "-p", "-B", name], { stdout, stderr: process.stderr, signal: abort.signal });
    clearTimeout(timer);
    assert.equal(code, 0);
    assert.ok(text.includes(marker), "the marker came through trace_pipe");
    assert.ok(performance.now() - t0 < 4500, "stopped on abort, not on the timeout");
  });

  test("show stops quietly with status 0 when the reader goes away (EPIPE)", async () => {
    for (let i = 0; i < 50; i++) await box.inst.writeFile("trace_marker", `ftk-epipe-${i}-${"y".repeat(100)}`);
    const stdout = new Writable({
      highWaterMark: 16,
      write(_chunk: Buffer, _enc, done) {
        done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    let err = "";
    const stderr = new Writable({ write(chunk: Buffer, _enc, done) { err += chunk.toString(); done(); } });
    const code = await main(["show", "-B", name], { stdout, stderr });
    assert.equal(err, "");
    assert.equal(code, 0);
    await box.inst.clearTrace();
  });

  test("show rejects -p with -s, a bad cpu and a missing instance in one line", async () => {
    for (const [argv, code] of [[["show", "-p", "-s"], 2], [["show", "-c", "x"], 2], [["show", "-B", `${name}-missing`], 1]] as const) {
      const r = await runFtk([...argv]);
      assert.equal(r.code, code, argv.join(" "));
      assert.match(r.stderr, /^ftk show: [^\n]+\n$/);
    }
  });

  test("stop -B turns the instance's tracing_on off and leaves the top level alone", async () => {
    const topOn = await fs.topInstance().tracingOn();
    try {
      const r = await runFtk(["stop", "-B", name]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await box.inst.tracingOn(), false);
      assert.equal(await fs.topInstance().tracingOn(), topOn);
    } finally {
      await box.inst.setTracingOn(true);
    }
  });

  test("stop (top level) turns tracing_on off; the test turns it back on", async () => {
    const top = fs.topInstance();
    const was = await top.tracingOn();
    try {
      const r = await runFtk(["stop"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await top.tracingOn(), false);
      assert.equal(await box.inst.tracingOn(), true);
    } finally {
      await top.setTracingOn(was);
    }
  });
});
