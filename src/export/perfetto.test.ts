import assert from "node:assert/strict";
import { closeSync, copyFileSync, createWriteStream, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, test } from "node:test";
import { TextOutput, isFtkError } from "../base/index.js";
import { mulberry32 } from "../test-support/prng.js";
import { writeReport } from "../report/index.js";
import { openTrace } from "../tracedat/index.js";
import { sharedDir } from "../test-support/paths.js";
import { children, parseTextFormat, protocDecode, scalar, skipWithoutProtoc, type TextNode } from "./export-test-helpers.js";
import { exportPerfetto } from "./perfetto.js";

const skip = skipWithoutProtoc();
const tmp = mkdtempSync(join(tmpdir(), "ftk-perfetto-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const fixtureDir = (): string => join(sharedDir()!, "fixtures", "tracedat");
const fixtures = skip === false ? readdirSync(fixtureDir()).filter((f) => f.endsWith(".dat")).sort() : [];

async function reportRaw(path: string): Promise<string> {
  const chunks: Buffer[] = [];
  const out = new TextOutput(new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) }));
  await writeReport({ inputs: [path], raw: true, nsTimestamps: true, onWarning: () => {} }, out);
  await out.flush();
  return Buffer.concat(chunks).toString("latin1");
}

async function exportFile(path: string): Promise<{ tree: TextNode; text: string; skipped: Map<string, number> }> {
  const file = join(tmp, path.slice(path.lastIndexOf("/") + 1) + ".pftrace");
  const trace = await openTrace(path, { onWarning: () => {} });
  try {
    const stream = createWriteStream(file);
    const r = await exportPerfetto(trace, stream);
    await new Promise<void>((resolve) => stream.end(resolve));
    const text = protocDecode(file);
    return { tree: parseTextFormat(text), text, skipped: r.skipped };
  } finally {
    await trace.close();
  }
}

/** Every FtraceEvent with its bundle's CPU, sorted by (timestamp, cpu) as report merges them. */
function eventsOf(tree: TextNode): { cpu: number; ts: number; ev: TextNode }[] {
  const out: { cpu: number; ts: number; ev: TextNode }[] = [];
  for (const p of children(tree, "packet")) {
    for (const b of children(p, "ftrace_events")) {
      const cpu = Number(scalar(b, "cpu") ?? 0);
      for (const ev of children(b, "event")) out.push({ cpu, ts: Number(scalar(ev, "timestamp")), ev });
    }
  }
  return out.sort((a, b) => a.ts - b.ts || a.cpu - b.cpu);
}

/** `name=value` pairs of a report -R line after the event name. */
function rawPairs(line: string): Map<string, string> {
  const body = line.slice(line.indexOf(": ", line.search(/\d+\.\d+: /)) + 2).replace(/^\s*\w+:\s+/, "");
  const m = new Map<string, string>();
  for (const p of body.matchAll(/(\w+)=(\S*)/g)) m.set(p[1]!, p[2]!);
  return m;
}

function sameValue(reportText: string, protoText: string): boolean {
  if (reportText === protoText) return true;
  const n = /^-?0x/i.test(reportText) ? Number(BigInt.asIntN(64, BigInt(reportText))) : Number(reportText);
  return !Number.isNaN(n) && n === Number(protoText);
}

for (const name of fixtures.length > 0 ? fixtures : ["(fixtures)"]) {
  test(`exportPerfetto() ${name}: protoc decodes it with no unknown fields, per-CPU counts equal report's`, { skip }, async () => {
    const path = join(fixtureDir(), name);
    const { tree, text, skipped } = await exportFile(path);
    const unknown = text.split("\n").filter((l) => /^\s*\d+(: | \{)/.test(l));
    assert.deepEqual(unknown.slice(0, 3), [], "unknown fields in the decoded trace");
    const want = new Map<number, number>();
    let unknownEvents = 0;
    for (const line of (await reportRaw(path)).split("\n")) {
      if (line.includes("[UNKNOWN EVENT]")) unknownEvents++;
      const m = /\[(\d+)\]\s+\d+\.\d+: /.exec(line);
      if (m !== null && !line.includes("[UNKNOWN EVENT]")) want.set(Number(m[1]), (want.get(Number(m[1])) ?? 0) + 1);
    }
    const got = new Map<number, number>();
    for (const e of eventsOf(tree)) got.set(e.cpu, (got.get(e.cpu) ?? 0) + 1);
    assert.deepEqual([...got].sort(), [...want].sort());
    assert.equal(skipped.get("unknown event id") ?? 0, unknownEvents);
  });
}

test("exportPerfetto() sched_switch fields equal report -R's values, record by record", { skip }, async () => {
  const path = join(fixtureDir(), "v6-i686-4cpu-sched-wakeup.dat");
  const { tree } = await exportFile(path);
  const lines = (await reportRaw(path)).split("\n").filter((l) => l.includes(" sched_switch: "));
  const events = eventsOf(tree).filter((e) => children(e.ev, "sched_switch").length === 1);
  assert.equal(events.length, lines.length);
  assert.ok(lines.length > 500);
  events.forEach((e, i) => {
    const msg = children(e.ev, "sched_switch")[0]!;
    const pairs = rawPairs(lines[i]!);
    assert.equal(pairs.size, 7, lines[i]);
    for (const [k, v] of pairs) assert.ok(sameValue(v, scalar(msg, k) ?? "(missing)"), `${k}: report ${v}, perfetto ${scalar(msg, k)} in ${lines[i]}`);
  });
});

test("exportPerfetto() a generic event carries every field with report -R's values", { skip }, async () => {
  const path = join(fixtureDir(), "v6-arm32-8cpu-thermal-power.dat");
  const { tree } = await exportFile(path);
  const lines = (await reportRaw(path)).split("\n").filter((l) => l.includes(" thermal_temperature: "));
  const events = eventsOf(tree).filter((e) => children(e.ev, "generic").some((g) => scalar(g, "event_name") === "thermal_temperature"));
  assert.equal(events.length, lines.length);
  assert.ok(lines.length > 100);
  events.forEach((e, i) => {
    const g = children(e.ev, "generic")[0]!;
    const fields = new Map(children(g, "field").map((f) => [scalar(f, "name")!, scalar(f, "str_value") ?? scalar(f, "int_value") ?? scalar(f, "uint_value") ?? "(none)"]));
    const pairs = rawPairs(lines[i]!);
    assert.deepEqual([...fields.keys()].sort(), [...pairs.keys()].sort(), lines[i]);
    for (const [k, v] of pairs) assert.ok(sameValue(v, fields.get(k)!), `${k}: report ${v}, perfetto ${fields.get(k)}`);
  });
});

test("exportPerfetto() writes thread names and the process tree from the model", { skip }, async () => {
  const { tree } = await exportFile(join(fixtureDir(), "lab-v7-zstd-x86_64-2cpu-sched-kstack.dat"));
  const trees = tree.fields.filter(([n]) => n === "packet").flatMap(([, p]) => children(p as TextNode, "process_tree"));
  assert.equal(trees.length, 1);
  const names = children(trees[0]!, "threads").map((t) => scalar(t, "name"));
  assert.ok(names.includes("ls") || names.includes("trace-cmd"), names.join(","));
});

test("exportPerfetto() starts a bundle with lost_events where the ring buffer overran", { skip }, async () => {
  // A copy of a fixture with RB_MISSED_EVENTS set in the commit word of CPU 0's third page.
  const src = join(fixtureDir(), "v6-i686-4cpu-sched-wakeup.dat");
  const path = join(tmp, "missed.dat");
  copyFileSync(src, path);
  const t = await openTrace(path);
  const cpu = t.buffers[0]!.cpus.find((c) => c.size >= 3 * 4096)!;
  const { commitOffset } = t.layout;
  await t.close();
  const fd = openSync(path, "r+");
  const word = Buffer.alloc(4);
  const at = cpu.fileOffset + 2 * 4096 + commitOffset;
  readSync(fd, word, 0, 4, at);
  word.writeUInt32LE((word.readUInt32LE(0) | 0x80000000) >>> 0, 0);
  writeSync(fd, word, 0, 4, at);
  closeSync(fd);
  const report = (await reportRaw(path)).split("\n");
  const dropped = report.findIndex((l) => l.startsWith(`CPU:${cpu.cpu} [EVENTS DROPPED]`));
  assert.ok(dropped >= 0, "report shows the drop");
  const next = report.slice(dropped + 1).find((l) => l.includes(`[00${cpu.cpu}]`))!;
  const { tree } = await exportFile(path);
  const lost = children(tree, "packet").flatMap((p) => children(p, "ftrace_events")).filter((b) => scalar(b, "lost_events") === "true");
  assert.equal(lost.length, 1);
  assert.equal(Number(scalar(lost[0]!, "cpu") ?? 0), cpu.cpu);
  const first = children(lost[0]!, "event")[0]!;
  const secs = /(\d+)\.(\d+): /.exec(next)!;
  assert.equal(scalar(first, "timestamp"), secs[1]! + secs[2]!);
});

test("exportPerfetto() writes the events Perfetto types as typed messages, not generic ones", { skip }, async () => {
  const typed = new Set<string>();
  const generic = new Set<string>();
  for (const name of ["v6-arm64-6cpu-sched-load-noopts.dat", "v6-armv7-1cpu-irq-softirq-gpio.dat", "lab-v6-x86_64-2cpu-funcgraph.dat", "v7-zstd-x86_64-4cpu-sched-irq-kstack.dat"]) {
    const { tree } = await exportFile(join(fixtureDir(), name));
    for (const { ev } of eventsOf(tree)) {
      for (const [field, value] of ev.fields) {
        if (typeof value === "string") continue;
        if (field === "generic") generic.add(scalar(value, "event_name")!);
        else typed.add(field);
      }
    }
  }
  const want = ["sched_switch", "sched_wakeup", "sched_waking", "cpu_idle", "cpu_frequency", "print", "irq_handler_entry", "irq_handler_exit", "softirq_entry", "softirq_exit", "softirq_raise", "funcgraph_entry", "funcgraph_exit"];
  for (const w of want) {
    assert.ok(typed.has(w), `${w} typed`);
    assert.ok(!generic.has(w), `${w} not generic`);
  }
});

test("exportPerfetto() maps the trace clock: local and global with their boot-time pair, perf as boot with a note", { skip }, async () => {
  for (const [name, clock] of [["v6-i686-4cpu-sched-wakeup.dat", "FTRACE_CLOCK_LOCAL"], ["lab-v7-zstd-x86_64-2cpu-sched-kstack.dat", "FTRACE_CLOCK_GLOBAL"]]) {
    const { tree } = await exportFile(join(fixtureDir(), name!));
    const bundles = children(tree, "packet").flatMap((p) => children(p, "ftrace_events"));
    assert.ok(bundles.length > 0);
    for (const b of bundles) {
      assert.equal(scalar(b, "ftrace_clock"), clock, name);
      assert.equal(scalar(b, "ftrace_timestamp"), scalar(b, "boot_timestamp"));
      assert.equal(scalar(b, "ftrace_timestamp"), scalar(children(b, "event")[0]!, "timestamp"));
    }
  }
  const notes: string[] = [];
  const path = join(fixtureDir(), "v7-zstd-x86_64-4cpu-sched-irq-kstack.dat");
  const trace = await openTrace(path, { onWarning: () => {} });
  try {
    await exportPerfetto(trace, new Writable({ write: (_c, _e, done) => done() }), { onNote: (m) => notes.push(m) });
  } finally {
    await trace.close();
  }
  assert.deepEqual(notes, ["trace clock 'perf' has no Perfetto ftrace clock: written as boot time"]);
  const perf = await exportFile(path);
  assert.ok(children(perf.tree, "packet").flatMap((p) => children(p, "ftrace_events")).every((b) => scalar(b, "ftrace_clock") === undefined));
});

test("exportPerfetto() on mutated data pages: decodes with protoc or fails with an FtkError, never crashes", { skip }, async () => {
  const src = readFileSync(join(fixtureDir(), "v6-armv7-1cpu-irq-softirq-gpio.dat"));
  const probe = await openTrace(join(fixtureDir(), "v6-armv7-1cpu-irq-softirq-gpio.dat"));
  const data = probe.buffers[0]!.cpus[0]!;
  await probe.close();
  for (let seed = 1; seed <= 8; seed++) {
    const rnd = mulberry32(seed);
    const bytes = Buffer.from(src);
    for (let i = 0; i < 64; i++) bytes[data.fileOffset + Math.floor(rnd() * data.size)] = Math.floor(rnd() * 256);
    const path = join(tmp, `fuzz-${seed}.dat`);
    writeFileSync(path, bytes);
    const trace = await openTrace(path, { onWarning: () => {} });
    const file = path + ".pftrace";
    try {
      const stream = createWriteStream(file);
      await exportPerfetto(trace, stream);
      await new Promise<void>((resolve) => stream.end(resolve));
      const text = protocDecode(file);
      assert.ok(!/^\s*\d+(: | \{)/m.test(text), `seed ${seed}: unknown fields`);
    } catch (e) {
      assert.ok(isFtkError(e), `seed ${seed}: ${(e as Error).stack}`);
    } finally {
      await trace.close();
    }
  }
});
