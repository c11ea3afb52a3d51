// Every format file stored in the fixtures (extracted with `trace-cmd dump`, the oracle) must parse; the
// print fmts that fail are exactly those using constructs libtraceevent 1.7.1 cannot parse.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { EventTable } from "./event-format.js";

function traceCmd(): boolean {
  try {
    execFileSync("trace-cmd", ["--version"], { stdio: "ignore" });
    return true;
  } catch (e) {
    return (e as { status?: number }).status !== undefined;
  }
}

const skip = skipWithoutShared() || (traceCmd() ? false : "trace-cmd not installed (the format extraction oracle)");

/** Splits `trace-cmd dump --events/--ftrace-events` output into format texts. */
function splitFormats(dump: string): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  for (const line of dump.split("\n")) {
    if (line.startsWith("name: ")) {
      if (cur.length) out.push(cur.join("\n"));
      cur = [];
    }
    if (cur.length || line.startsWith("name: ")) cur.push(line);
  }
  if (cur.length) out.push(cur.join("\n"));
  return out;
}

/** Constructs 1.7.1 rejects, recognised independently of the parser. */
function unsupported(printFmt: string): boolean {
  const known = /^(REC|__print_flags|__print_symbolic|__print_hex|__print_hex_str|__print_array|__get_str|__get_rel_str|__get_bitmask|__get_rel_bitmask|__get_cpumask|__get_rel_cpumask|__get_dynamic_array|__get_rel_dynamic_array|__get_sockaddr|__get_sockaddr_rel|__get_dynamic_array_len|__get_rel_dynamic_array_len|__builtin_expect|sizeof|jbd2_dev_to_name|jiffies_to_msecs|__le16_to_cpup|scsi_trace_parse_cdb|xen_hypercall_name|is_writable_pte)$/;
  const args = printFmt.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
    const name = m[1]!;
    if (/^(unsigned|int|long|char|short|void|u8|u16|u32|u64|s8|s16|s32|s64|bool|struct|const|signed)$/.test(name)) continue;
    if (!known.test(name)) return true;
  }
  if (/\{\s*\}|\(\{|\)\s*\{|\{\s*[a-z_]+\s+\*?[a-z_]+\s*[;=]/.test(args)) return true;
  if (/sizeof\s*\(\s*(?!int\b|long\b|unsigned\b|REC\b)/.test(args)) return true;
  if (/^"[^"]*\t/.test(printFmt)) return true;
  return false;
}

test("every fixture format file parses and the failed print fmts are the unsupported ones", { skip }, () => {
  const dir = join(sharedDir() ?? "", "fixtures", "tracedat");
  let total = 0;
  let failed = 0;
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".dat"))) {
    for (const [flag, system] of [["--ftrace-events", "ftrace"], ["--events", "any"]] as const) {
      const dump = execFileSync("trace-cmd", ["dump", "-i", join(dir, f), flag], { stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 28 }).toString("latin1");
      const t = new EventTable({ littleEndian: true, longSize: 8, kernelLongSize: 8 });
      for (const text of splitFormats(dump)) {
        total++;
        const ev = t.addFormat(text, system);
        assert.ok(ev, `${f}: unparsable format: ${text.slice(0, 60)}`);
        assert.equal(ev.failed, unsupported(ev.printFmt), `${f} ${ev.name}: failed=${ev.failed} (${(ev as unknown as { failReason: string }).failReason}) ${ev.printFmt.slice(0, 120)}`);
        if (ev.failed) failed++;
      }
    }
  }
  assert.ok(total > 4000, `only ${total} formats found`);
  assert.ok(failed > 0 && failed < 100, `${failed} failed`);
});
