// openTrace() on every real trace.dat of ../shared/fixtures/tracedat: metadata against MANIFEST.tsv and
// the stored reports, and the record count against `trace-cmd report -R` (when trace-cmd is installed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { join } from "node:path";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { traceCmdReport } from "../test-support/trace-cmd.js";
import { RecordMerger, openTrace } from "./index.js";
import type { TraceFile } from "./index.js";

const shared = sharedDir();
const dir = shared === undefined ? undefined : join(shared, "fixtures", "tracedat");
const fixtures = dir !== undefined && existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".dat")).sort() : [];
const traceCmd = spawnSync("trace-cmd", ["--version"], { encoding: "utf8" });
const noTraceCmd = traceCmd.error !== undefined ? "trace-cmd is not installed (apt-get install -y trace-cmd)" : false;

/** MANIFEST.tsv rows by fixture name (lab rows are named without ".dat"). */
function manifest(): Map<string, Record<string, string>> {
  const rows = new Map<string, Record<string, string>>();
  if (dir === undefined) return rows;
  const lines = readFileSync(join(dir, "MANIFEST.tsv"), "latin1").split("\n").filter((l) => l !== "");
  const head = lines[0]!.split("\t");
  for (const line of lines.slice(1)) {
    const cols = line.split("\t");
    const row: Record<string, string> = {};
    head.forEach((h, i) => (row[h] = cols[i] ?? ""));
    rows.set(row["name"]!.replace(/\.dat$/, ""), row);
  }
  return rows;
}

/** First line of NAME.report or NAME.report.gz. */
async function reportFirstLine(base: string): Promise<string | undefined> {
  const plain = join(dir!, base + ".report");
  const gz = plain + ".gz";
  const input = existsSync(plain) ? createReadStream(plain) : existsSync(gz) ? createReadStream(gz).pipe(createGunzip()) : undefined;
  if (input === undefined) return undefined;
  const rl = createInterface({ input });
  for await (const line of rl) {
    rl.close();
    input.destroy();
    return line;
  }
  return undefined;
}

/** "[CPU] SECONDS.NANOSECONDS" of every record of every buffer in global order (the -t column of trace-cmd). */
async function recordKeys(t: TraceFile): Promise<string[]> {
  const slots = [];
  for (let b = 0; b < t.buffers.length; b++) {
    const ncpu = Math.max(t.cpus, ...t.buffers[b]!.cpus.map((e) => e.cpu + 1));
    for (let cpu = 0; cpu < ncpu; cpu++) slots.push({ stream: t.cpuStream(b, cpu), fileIndex: 0, bufferIndex: b });
  }
  const merger = new RecordMerger(slots);
  const keys: string[] = [];
  for (;;) {
    let r = merger.nextSync();
    if (r === "need-io") r = await merger.next();
    if (r === undefined) return keys;
    const { ts, cpu, pos, len, buf } = r.rec;
    assert.ok(len > 0 && pos + len <= buf.length);
    keys.push(`[${String(cpu).padStart(3, "0")}] ${Math.floor(ts / 1e9)}.${String(ts % 1e9).padStart(9, "0")}`);
  }
}

/** The "[CPU] SECONDS.NANOSECONDS" of each record line of `trace-cmd report -R -t` (a record line has both). */
function recordKeysOf(report: string): string[] {
  const keys: string[] = [];
  for (const line of report.split("\n")) {
    const m = /(\[\d+\])\s+(\d+\.\d{9}): /.exec(line);
    if (m !== null) keys.push(`${m[1]} ${m[2]}`);
  }
  return keys;
}

/** The oracle's record keys, taken again when they differ from ours (see test-support/trace-cmd.ts). */
async function oracleKeys(path: string, ours: readonly string[]): Promise<string[]> {
  const same = (out: string): boolean => {
    const keys = recordKeysOf(out);
    return keys.length === ours.length && keys.every((k, i) => k === ours[i]);
  };
  return recordKeysOf((await traceCmdReport(["-R", "-t", path], same)).stdout);
}

test("openTrace() fixtures are present", { skip: skipWithoutShared() }, () => {
  assert.ok(fixtures.length > 0, `no .dat files in ${dir}`);
});

const rows = manifest();
for (const name of fixtures) {
  const base = name.replace(/\.dat$/, "");
  const path = join(dir ?? "", name);
  test(`openTrace() reads ${name}: version, cpus=, uname, version option`, async () => {
    const row = rows.get(base);
    const t = await openTrace(path, { onWarning: () => undefined });
    try {
      assert.ok(t.version === 6 || t.version === 7);
      if (row !== undefined) {
        assert.equal(String(t.version), row["version"]);
        assert.equal(t.compression === "none" ? "none" : t.compression, row["compression"]!.split(" ")[0]);
        const uname = row["uname"]!;
        if (uname.startsWith("(no")) assert.equal(t.uname, undefined);
        else if (uname !== "") assert.ok(t.uname?.includes(uname), `uname '${t.uname}' lacks '${uname}'`);
        const by = row["recorded_by"]!.replace(/^trace-cmd /, "");
        if (by.startsWith("(no")) assert.equal(t.traceCmdVersion, undefined);
        else if (by !== "") assert.ok(t.traceCmdVersion?.startsWith(by), `version '${t.traceCmdVersion}' is not '${by}'`);
      }
      const first = await reportFirstLine(base);
      if (first !== undefined) assert.equal(`cpus=${t.cpus}`, first);
      assert.equal(t.buffers[0]!.name, "");
      assert.ok(t.headerPage.includes("commit"));
      assert.ok(t.layout.dataOffset === 12 || t.layout.dataOffset === 16);
    } finally {
      await t.close();
    }
  });

  test(`openTrace() streams the records of ${name} in the order and with the times of trace-cmd report -R -t`, { skip: noTraceCmd }, async () => {
    const t = await openTrace(path, { onWarning: () => undefined });
    try {
      const ours = await recordKeys(t);
      const theirs = await oracleKeys(path, ours);
      const i = ours.findIndex((k, j) => k !== theirs[j]);
      assert.ok(i < 0, `record ${i}: ours '${ours[i]}', trace-cmd '${theirs[i]}'`);
      assert.equal(ours.length, theirs.length);
      assert.equal(t.pageProblems.size, 0, `page problems: ${[...t.pageProblems.keys()].join(", ")}`);
    } finally {
      await t.close();
    }
  });
}
