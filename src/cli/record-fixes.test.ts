// Fixes from review (issue 12): record --help lists every flag, one exit-code rule (usage 2, runtime 1),
// an unwritable -o named as given and refused before tracing starts, -k keeps the user's settings but
// not ftk's own bookkeeping. Tests that touch tracefs check it is left as it was.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, suite, test } from "node:test";
import { recordFlags, snapshotTracefsState } from "../index.js";
import type { TracefsSnapshot } from "../index.js";
import { assertTracefsUnchanged, openLiveTracefs, testInstanceName } from "../tracefs/testing.js";
import { RECORD_HELP, command as recordCommand } from "./record.js";
import { runFtk } from "./report-test-helpers.js";

suite("ftk record: flags and usage errors", () => {
  test("record --help lists every flag that record accepts", async () => {
    const listed = new Set(RECORD_HELP.match(/(?<![\w-])--?[a-zA-Z][\w-]*/g) ?? []);
    const missing = recordFlags("record").map((f) => f.flag).filter((f) => !listed.has(f));
    assert.deepEqual(missing, [], "flags accepted by the parser but absent from RECORD_HELP");
    const r = await runFtk(["record", "--help"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, RECORD_HELP);
  });

  test("record's Command.flags is the table the parser accepts", () => {
    const names = Object.keys(recordCommand.flags ?? {}).sort();
    assert.deepEqual(names, recordFlags("record").map((f) => f.flag.replace(/^-+/, "")).sort());
  });

  for (const [what, args] of [
    ["-b 0", ["-b", "0"]],
    ["-b abc", ["-b", "abc"]],
    ["-m 0", ["-m", "0"]],
    ["-s 0", ["-s", "0"]],
    ["-a (record has no -a)", ["-a"]],
    ["an unknown flag", ["--no-such-flag"]],
  ] as const) {
    test(`record ${what} is a usage error: exit 2, one line`, async () => {
      const r = await runFtk(["record", ...args, "-e", "sched:sched_switch", "true"]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.split("\n").filter((l) => l !== "").length, 1, r.stderr);
    });
  }

  test("extract -a is accepted (every instance), record -a is not", async () => {
    const r = await runFtk(["extract", "--help"]);
    assert.match(r.stdout, /-a\s+every instance/);
  });
});

const live = await openLiveTracefs();

suite("ftk record: usage and runtime errors on the live kernel", { skip: live.skip }, () => {
  let dir: string;
  let snap: TracefsSnapshot;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ftk-record-fixes-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a filter or trigger the kernel cannot parse is a usage error (exit 2) and changes nothing", async () => {
    snap = await snapshotTracefsState(live.fs!);
    const r = await runFtk(["record", "-q", "-o", join(dir, "f.dat"), "-e", "sched:sched_switch", "-f", "prev_pid === junk", "true"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^ftk record: bad filter 'prev_pid === junk' for event 'sched:sched_switch'/);
    const field = await runFtk(["record", "-q", "-o", join(dir, "f.dat"), "-e", "sched:sched_switch", "-f", "nosuchfield == 1", "true"]);
    assert.equal(field.code, 2, field.stderr);
    const trigger = await runFtk(["record", "-q", "-o", join(dir, "f.dat"), "-e", "sched:sched_switch", "-R", "no_such_trigger", "true"]);
    assert.equal(trigger.code, 2, trigger.stderr);
    assert.match(trigger.stderr, /^ftk record: bad trigger 'no_such_trigger'/);
    await assertTracefsUnchanged(live.fs!, snap);
  });

  test("an unwritable -o names the user's path with a fitting reason, exits 1, before tracing starts", async () => {
    snap = await snapshotTracefsState(live.fs!);
    const r = await runFtk(["record", "-q", "-o", "/sys/x.dat", "-e", "sched:sched_switch", "true"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^ftk record: cannot write '\/sys\/x\.dat': /);
    assert.doesNotMatch(r.stderr, /cpu0|run as root/);
    assert.equal(r.stderr.split("\n").filter((l) => l !== "").length, 1, r.stderr);
    const missing = await runFtk(["record", "-q", "-o", join(dir, "no/such/dir/x.dat"), "-e", "sched:sched_switch", "true"]);
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /cannot write '.*no\/such\/dir\/x\.dat': directory '.*' does not exist/);
    await assertTracefsUnchanged(live.fs!, snap);
  });

  test("record -k keeps the user's settings and undoes ftk's own (tracing_on, set_event_notrace_pid)", async () => {
    snap = await snapshotTracefsState(live.fs!);
    const name = testInstanceName("keep");
    const out = join(dir, "k.dat");
    try {
      const r = await runFtk(["record", "-q", "-k", "-o", out, "-B", name, "-e", "sched:sched_switch", "-O", "noprint-parent", "true"]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(existsSync(out));
      const inst = live.fs!.instance(name);
      assert.equal((await inst.readFile("tracing_on")).trim(), "1", "tracing_on is put back");
      assert.equal((await inst.readFile("set_event_notrace_pid")).trim(), "", "ftk's own pids are gone");
      assert.deepEqual(await inst.enabledEvents(), [{ system: "sched", event: "sched_switch" }], "the user's event stays");
      assert.equal((await inst.readFile("options/print-parent")).trim(), "0", "the user's option stays");
    } finally {
      if (live.fs!.hasInstance(name)) {
        await live.fs!.instance(name).disableAllEvents();
        await live.fs!.removeInstance(name);
      }
    }
    await assertTracefsUnchanged(live.fs!, snap);
  });
});
