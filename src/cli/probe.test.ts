// `ftk probe` in-process against the live kernel: adding, listing and deleting uprobes, the bad-input
// messages, and that every failing command leaves tracefs exactly as before (snapshotTracefsState).
import { after, before, suite, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Tracefs, UndoStack, diffTracefsState, snapshotTracefsState } from "../index.js";
import type { TracefsSnapshot } from "../index.js";
import { main } from "./main.js";
import { hasTool, openLiveUprobes } from "../probes/testing.js";

async function ftk(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const sink = (f: (s: string) => void): Writable => new Writable({ write(chunk, _enc, cb) { f(String(chunk)); cb(); } });
  const code = await main(argv, { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) });
  return { code, out, err };
}

const GROUP = `ftk_probe_test_${process.pid}`;

const live = await openLiveUprobes();
const hasGcc = hasTool("gcc");

test("ftk probe -n prints the uprobe line without touching tracefs; usage errors exit 2", async () => {
  const r = await ftk("probe", "-n", "-x", "libc", "getenv", "name=+0($arg1):string");
  assert.equal(r.err, "");
  assert.equal(r.code, 0);
  assert.match(r.out, /^p:probe_libc\/getenv \/\S*libc\.so\.6:0x[0-9a-f]+ name=\+0\(%(di|x0)\):string\n$/);
  assert.deepEqual(await ftk("probe"), { code: 2, out: "", err: "ftk probe: no function given: see 'ftk probe --help'\n" });
  const both = await ftk("probe", "-l", "-d", "x");
  assert.equal(both.code, 2);
  assert.equal(both.err, "ftk probe: choose one of --funcs, --list and --del\n");
});

test("ftk probe -p PID finds the library in the process's maps", async () => {
  const child = spawn("sleep", ["5"], { stdio: "ignore" });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const maps = readFileSync(`/proc/${child.pid}/maps`, "latin1");
    const r = await ftk("probe", "-n", "-p", String(child.pid), "-x", "libc", "getenv");
    assert.equal(r.code, 0, r.err);
    const path = /^p:probe_libc\/getenv (\S+):0x[0-9a-f]+\n$/.exec(r.out)?.[1];
    assert.ok(path !== undefined && maps.includes(` ${path}\n`), r.out);
    const bad = await ftk("probe", "-n", "-p", "999999999", "-x", "libc", "getenv");
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^ftk probe: cannot read '\/proc\/999999999\/maps': no process 999999999/);
  } finally {
    child.kill();
  }
});

suite("ftk probe on the live kernel", { skip: typeof live === "string" ? live : false }, () => {
  const fs = live as Tracefs;
  let dir = "";
  let initial: TracefsSnapshot;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ftk-probe-"));
    initial = await snapshotTracefsState(fs);
  });
  after(async () => {
    // Whatever happened, no probe of ours stays behind.
    for (const l of await fs.listDynamicEvents()) {
      const m = /^[a-z]\d*:([^/]+)\/(\S+)/.exec(l);
      if (m !== null && m[1] === GROUP) await fs.removeDynamicEvent(`${m[1]}/${m[2]}`);
    }
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(diffTracefsState(initial, await snapshotTracefsState(fs)), []);
  });

  /** Runs a command that must fail with `message` (exit 1) and leave tracefs unchanged. */
  async function failsCleanly(argv: string[], message: RegExp): Promise<void> {
    const snap = await snapshotTracefsState(fs);
    const r = await ftk(...argv);
    assert.equal(r.code, 1, `${argv.join(" ")}: ${r.err}`);
    assert.equal(r.out, "");
    assert.equal(r.err.split("\n").length, 2, `one line: ${r.err}`);
    assert.match(r.err, message);
    assert.deepEqual(diffTracefsState(snap, await snapshotTracefsState(fs)), [], argv.join(" "));
  }

  test("add an entry probe with a string argument and a return probe, list them, delete the group", async () => {
    const add = await ftk("probe", "--group", GROUP, "-x", "libc", "getenv", "name=+0($arg1):string");
    assert.equal(add.code, 0, add.err);
    assert.match(add.out, new RegExp(`^added ${GROUP}:getenv \\(uprobe on getenv in \\S+libc\\.so\\.6 at offset 0x[0-9a-f]+\\)\\n`));
    const ret = await ftk("probe", "--group", GROUP, "-x", "libc", "getenv%return", "ret=$retval");
    assert.equal(ret.code, 0, ret.err);
    const lines = (await fs.listDynamicEvents()).filter((l) => l.includes(`:${GROUP}/`));
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, new RegExp(`^p:${GROUP}/getenv \\S+libc\\.so\\.6:0x[0-9a-f]+ name=\\+0\\(%(di|x0)\\):string$`));
    assert.match(lines[1]!, new RegExp(`^r:${GROUP}/getenv__return \\S+libc\\.so\\.6:0x[0-9a-f]+ ret=\\$retval$`));
    const list = await ftk("probe", "-l");
    assert.match(list.out, new RegExp(`  ${GROUP}:getenv +\\(on getenv in \\S+ with name=\\+0\\(%(di|x0)\\):string\\)\\n`));
    assert.match(list.out, new RegExp(`  ${GROUP}:getenv__return +\\(on getenv%return in \\S+ with ret=\\$retval\\)\\n`));

    // Duplicate name: refused before anything is written.
    await failsCleanly(["probe", "--group", GROUP, "-x", "libc", "getenv"],
      new RegExp(`^ftk probe: probe '${GROUP}:getenv' already exists: delete it with 'ftk probe -d ${GROUP}:getenv'`));

    const del = await ftk("probe", "-d", `${GROUP}:*`);
    assert.equal(del.code, 0, del.err);
    assert.equal(del.out, `removed ${GROUP}:getenv\nremoved ${GROUP}:getenv__return\n`);
    assert.deepEqual((await fs.listDynamicEvents()).filter((l) => l.includes(`:${GROUP}/`)), []);
  });

  test("bad input: one line, exit 1, tracefs unchanged", async () => {
    const notElf = join(dir, "not-elf");
    writeFileSync(notElf, "#!/bin/sh\necho hi\n");
    await failsCleanly(["probe", "--group", GROUP, "-x", join(dir, "missing"), "f"], /^ftk probe: binary '.*missing' not found: check the path\n$/);
    await failsCleanly(["probe", "--group", GROUP, "-x", notElf, "f"], /^ftk probe: cannot read '.*not-elf': not an ELF file\n$/);
    await failsCleanly(["probe", "--group", GROUP, "-x", "libc", "getenvv"], /^ftk probe: function 'getenvv' not found in '\S+libc\.so\.6': did you mean 'getenv'.*\?\n$/);
    // The kernel rejects the type; its error_log line is shown, and nothing is left behind.
    await failsCleanly(["probe", "--group", GROUP, "-x", "libc", "getenv", "name=+0(%di):strng"],
      new RegExp(`^ftk probe: cannot add probe '${GROUP}:getenv': rejected by the kernel: .*(Unknown type|type).*strng.*\\n$`));
    await failsCleanly(["probe", "-d", `${GROUP}:nothing`], new RegExp(`^ftk probe: no probe matches '${GROUP}:nothing': list them with 'ftk probe -l'\\n$`));
    if (!fs.hasFile("kprobe_events")) {
      await failsCleanly(["probe", "do_sys_openat2", "dfd=$arg1:s32"],
        /^ftk probe: kernel probes are not available on this kernel: '.*kprobe_events' does not exist/);
    }
  });

  test("--funcs lists a compiled program's functions, without the C start-up code", { skip: hasGcc ? false : "gcc not installed" }, async () => {
    writeFileSync(join(dir, "f.c"), "int alpha(int x){return x+1;}\nint beta(int x){return alpha(x)*2;}\nint main(void){return beta(1)==4?0:1;}\n");
    execFileSync("gcc", ["-O0", "-fno-inline", "-o", join(dir, "f"), join(dir, "f.c")]);
    const all = await ftk("probe", "-x", join(dir, "f"), "--funcs");
    assert.equal(all.out, "alpha\nbeta\nmain\n");
    const some = await ftk("probe", "-x", join(dir, "f"), "--funcs", "b*");
    assert.equal(some.out, "beta\n");
  });

  test("a getenv probe pair sees ls read LC_ALL/LANG, returns pair with entries (raw trace of an instance)", { skip: existsSync("/bin/ls") ? false : "no /bin/ls" }, async () => {
    const snap = await snapshotTracefsState(fs);
    const undo = new UndoStack();
    const inst = `ftk_probe_test_${process.pid}`;
    try {
      assert.equal((await ftk("probe", "--group", GROUP, "-x", "libc", "getenv", "name=+0($arg1):string")).code, 0);
      assert.equal((await ftk("probe", "--group", GROUP, "-x", "libc", "getenv%return", "ret=$retval")).code, 0);
      undo.push("delete test probes", async () => void (await ftk("probe", "-d", `${GROUP}:*`)));
      const instance = await fs.createInstance(inst, undo);
      await instance.enableEvent(GROUP, undefined, undo);
      const run = spawnSync("env", ["FOO=1", "LANG=C", "ls", "/"], { stdio: "ignore" });
      assert.equal(run.status, 0);
      await instance.setTracingOn(false, undo);
      const text = await fs.readFile(`instances/${inst}/trace`);
      // By pid: the task name comes from saved_cmdlines and may still be "env", the name before exec.
      const ls = text.split("\n").filter((l) => new RegExp(`^\\s*\\S+-${run.pid} `).test(l));
      const entries = ls.filter((l) => / getenv: /.test(l));
      const returns = ls.filter((l) => / getenv__return: /.test(l));
      const names = entries.map((l) => /name="([^"]*)"/.exec(l)?.[1]);
      assert.ok(names.includes("LC_ALL") || names.includes("LANG"), names.join(","));
      assert.equal(returns.length, entries.length);
      // Entries and returns alternate (getenv does not nest).
      const kinds = ls.map((l) => (/ getenv__return: /.test(l) ? "r" : / getenv: /.test(l) ? "e" : "?")).join("");
      assert.match(kinds, /^(er)+$/);
    } finally {
      const failures = await undo.unwind();
      assert.deepEqual(failures, []);
      assert.deepEqual(diffTracefsState(snap, await snapshotTracefsState(fs)), []);
    }
  });
});
