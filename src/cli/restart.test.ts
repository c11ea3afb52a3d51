// ftk restart after ftk stop, on a fresh instance and on the top level (put back as it was afterwards).
import assert from "node:assert/strict";
import { suite, test } from "node:test";
import { openLiveTracefs, useTestInstance } from "../tracefs/testing.js";
import { runFtk } from "./report-test-helpers.js";

const live = await openLiveTracefs();

suite("ftk restart", { skip: live.skip }, () => {
  const fs = live.fs!;
  const box = useTestInstance(fs, "restart");
  const { name } = box;

  test("restart -B turns the instance's tracing_on back on after stop -B, and leaves the top level alone", async () => {
    const topOn = await fs.topInstance().tracingOn();
    assert.equal((await runFtk(["stop", "-B", name])).code, 0);
    assert.equal(await box.inst.tracingOn(), false);
    const r = await runFtk(["restart", "-B", name]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await box.inst.tracingOn(), true);
    assert.equal(await fs.topInstance().tracingOn(), topOn);
  });

  test("restart -t -B restarts the top level too; --help and a stray argument", async () => {
    const top = fs.topInstance();
    const was = await top.tracingOn();
    try {
      await top.setTracingOn(false);
      await box.inst.setTracingOn(false);
      const r = await runFtk(["restart", "-t", "-B", name]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await top.tracingOn(), true);
      assert.equal(await box.inst.tracingOn(), true);
    } finally {
      await top.setTracingOn(was);
    }
    const help = await runFtk(["restart", "--help"]);
    assert.match(help.stdout, /^usage: ftk restart/);
    assert.equal((await runFtk(["restart", "now"])).code, 2);
  });
});
