// `ftk report OPTIONS -i FILE` against the installed `trace-cmd report` 3.1.6 on the real fixtures, for
// every flag of 3.1.6's report (issues "Read path" and 12; --profile, -G, -H and --by-comm are in
// report-profile.test.ts, -T in report-test-filters.test.ts, --pid/--comm in report-pid.test.ts and
// --kallsyms in trace-cmd-flags.test.ts). Output must be identical except for the differences
// listed in KNOWN_DIFFERENCES, each with its reason and a check that limits it to the lines it explains.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { sharedDir, skipWithoutShared } from "../test-support/paths.js";
import { openTrace } from "../index.js";
import { firstDifference, runFtk } from "./report-test-helpers.js";
import { hasTraceCmd, traceCmdReport } from "../test-support/trace-cmd.js";

/** Why trace-cmd 3.1.6 and ftk may differ for some (file, options), and which line pairs that explains. */
interface KnownDifference {
  file: RegExp;
  options: RegExp;
  reason: string;
  /** True when an (expected, actual) pair of differing lines is the one explained (undefined: any). */
  lines?: (expected: string | undefined, actual: string | undefined) => boolean;
  /** Removes what the reason explains from trace-cmd's output; the rest must then equal ftk's. */
  normalize?: (expected: string) => string;
}

const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    file: /./,
    options: /^-V$|--verbose/,
    reason:
      "-V makes trace-cmd log on stdout how it loads its plugin files from this host's plugin directory " +
      "('version = N', 'registering plugin: PATH', 'overriding event ...', 'removing override handler ...'); ftk's " +
      "plugins are built in and it loads none",
    normalize: (e) => e.split("\n").filter((l) => !/^(version = \d+|registering plugin: .*|overriding event .*|removing override handler for event .*)$/.test(l)).join("\n"),
  },
  {
    file: /instance/,
    options: /--cpu/,
    reason:
      "trace-cmd 3.1.6 compares --cpu with the merged slot number (CPUs of the top buffer, then of each " +
      "instance), not with the record's CPU, so instance events are filtered by the wrong number; ftk " +
      "filters by the record's CPU as the option describes",
  },
  {
    file: /instance/,
    options: /-F/,
    reason: "trace-cmd 3.1.6 crashes (SIGSEGV, no output) with -F on a file with buffer instances; ftk filters",
  },
  {
    file: /kstack/,
    options: /-R/,
    reason:
      "-R on kernel_stack records shorter than their 8-entry caller array: trace-cmd prints the bytes past " +
      "the end of the record (the next record's bytes); ftk prints zeros for them",
    lines: (e, a) => e !== undefined && a !== undefined && e.includes("kernel_stack:") && sameUpTo(e, a, "caller=ARRAY["),
  },
  {
    file: /v7/,
    options: /--event /,
    reason:
      "--event on a version 7 file: trace-cmd 3.1.6 prints nothing (it has read the format sections when it " +
      "opened the file, and the listing only prints while reading them); ftk prints the formats as for a " +
      "version 6 file (trace-cmd-flags.test.ts checks them against trace-cmd on the file converted to v6)",
    lines: (e) => e === undefined || e === "",
  },
  {
    file: /./,
    options: /^-i --ts-offset/,
    reason:
      "--ts-offset after the only -i: trace-cmd 3.1.6 keeps the offset for a file only when several -i are " +
      "given (trace-read.c: 'if (multi_inputs)'), so it adds nothing; ftk adds it, as both helps describe " +
      "(with two -i both add it to the second file: the case after this one)",
    lines: (e, a) => e !== undefined && a !== undefined && withoutTimestamp(e) === withoutTimestamp(a),
  },
  {
    file: /function\.dat/,
    options: /^-i -i/,
    reason:
      "two inputs with function records on the same CPU: trace-cmd's function plugin keeps one parent stack " +
      "per CPU for all inputs (a static in libtraceevent's plugin_function.c), so the interleaved files " +
      "indent each other's functions; ftk keeps one stack per file, which indents each as its own report",
    lines: (e, a) => e !== undefined && a !== undefined && e.replace(/function: +/, "function: ") === a.replace(/function: +/, "function: "),
  },
];

/** A report line with its timestamp taken out. */
function withoutTimestamp(line: string): string {
  return line.replace(/\] +\d+\.\d+:/, "]");
}

function sameUpTo(e: string, a: string, marker: string): boolean {
  const i = e.indexOf(marker);
  return i >= 0 && e.slice(0, i) === a.slice(0, i);
}

const skipShared = skipWithoutShared();
const skip = skipShared !== false ? skipShared : hasTraceCmd() ? false : "trace-cmd is not installed (apt-get install trace-cmd)";

/** The first event name of a stored report (for an event filter that selects something). */
function firstEventName(reportText: string): string | undefined {
  for (const line of reportText.split("\n").slice(1, 50)) {
    const m = /\] +\d+\.\d+: ([A-Za-z0-9_]+): /.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

function storedReport(base: string): string {
  if (existsSync(base + ".report")) return readFileSync(base + ".report").toString("latin1");
  return gunzipSync(readFileSync(base + ".report.gz")).toString("latin1");
}

/** Lists of differing line pairs (expected, actual), at most `max`. */
function differingLines(expected: string, actual: string, max: number): [string | undefined, string | undefined][] {
  const e = expected.split("\n");
  const a = actual.split("\n");
  const out: [string | undefined, string | undefined][] = [];
  for (let i = 0; i < Math.max(e.length, a.length) && out.length < max; i++) if (e[i] !== a[i]) out.push([e[i], a[i]]);
  return out;
}

const dir = skip === false ? join(sharedDir()!, "fixtures", "tracedat") : "";
const files = skip === false ? readdirSync(dir).filter((f) => f.endsWith(".dat")).sort() : [];
/** Heavier options run on fixtures whose report is at most this big (keeps the suite quick). */
const SMALL_REPORT_BYTES = 600_000;

if (skip !== false) test("ftk report options match trace-cmd report", { skip }, () => {});

/** Fixtures whose formats include sched:sched_switch and sched:sched_wakeup (for -w and --profile). */
async function withSchedEvents(names: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const name of names) {
    const t = await openTrace(join(dir, name), { onWarning: () => {} });
    const have = new Set([...t.events.all()].map((e) => e.system + ":" + e.name));
    if (have.has("sched:sched_switch") && have.has("sched:sched_wakeup")) out.add(name);
    await t.close();
  }
  return out;
}
const sched = await withSchedEvents(files);

for (const name of files) {
  const path = join(dir, name);
  const base = path.slice(0, -".dat".length);
  const small = existsSync(base + ".report") && statSync(base + ".report").size <= SMALL_REPORT_BYTES;
  const cases: string[][] = [["--stat"], ["--first-event"], ["--last-event"], ["--cpus"]];
  if (sched.has(name)) cases.push(["-w"]);
  // Flags of issue 12 that answer for the first file only, or change nothing for these files.
  cases.push(["-e"], ["-p"], ["--check-events"]);
  cases.push(["--event", "sched"], ["--event", "sched:sched_sw"], ["--event", "irq\\|timer"]);
  // The file-information flags, on every file.
  cases.push(["-E"], ["-f"], ["-P"], ["--uname"], ["--version"]);
  if (small) {
    const reportText = storedReport(base);
    const ev = firstEventName(reportText);
    cases.push(["--cpu", "0"], ["-t"], ["-R"], ["-l"], ["--ts-diff"]);
    cases.push(["--boundary"]);
    // The rest of 3.1.6's flags that change the event lines ("-i" marks where the input goes).
    cases.push(["-N"], ["-I"], ["-S"], ["--raw-ts"], ["--align-ts"]);
    cases.push(["-i", "--ts-offset", "1000000"], ["-i", "-i", "--ts-offset", "1000000"]);
    if (ev !== undefined) cases.push(["-F", ev], ["-F", ".*:common_pid<100"], ["-v", "-F", ev]);
    if (reportText.includes(" sched_switch: ")) cases.push(["-F", "sched_switch:prev_pid>100||next_pid<10"]);
    // Options that change nothing on most files run on a few (keeps this test within a few minutes).
    if (/sched-wakeup|funcgraph-irq|kstack|function\.dat/.test(name)) cases.push(["--ts-check"], ["-L"], ["-V"], ["--verbose=debug"], ["--ts2secs", "1000000"], ["-q"], ["--nodate"]);
    if (ev !== undefined) cases.push(["-r", ev], ["-n", ev === "funcgraph_entry" ? "sched.*" : ev]);
    if (reportText.includes(" funcgraph_entry: ")) cases.push(["-O", "fgraph:tailprint"], ["-O", "fgraph:depth"], ["-O", "tailprint", "-O", "depth=1"], ["-n", "funcgraph_entry"]);
    if (reportText.includes(" function: ")) cases.push(["-O", "parent"], ["-O", "ftrace:offset"], ["-O", "indent=0"]);
  }
  for (const options of cases) {
    const label = options.join(" ");
    test(`ftk report ${label} -i ${name} matches trace-cmd report`, async () => {
      // Filters go before -i: trace-cmd 3.1.6 ignores -F given after the only -i (ftk applies both).
      const args = options.includes("-i") ? options.flatMap((o) => (o === "-i" ? ["-i", path] : [o])) : [...options, "-i", path];
      const ftk = await runFtk(["report", ...args]);
      const tc = await traceCmdReport(args, (out) => out === ftk.stdout);
      if (tc.stdout === ftk.stdout) {
        assert.equal(ftk.code === 0, tc.status === 0, `exit status: trace-cmd ${tc.status}, ftk ${ftk.code}`);
        return;
      }
      const known = KNOWN_DIFFERENCES.find((k) => k.file.test(name) && k.options.test(label));
      if (known?.normalize !== undefined) {
        assert.equal(ftk.stdout, known.normalize(tc.stdout), `${name} ${label}: ${firstDifference(known.normalize(tc.stdout), ftk.stdout)}`);
        return;
      }
      if (known !== undefined) {
        const check = known.lines;
        if (check === undefined) return;
        const bad = differingLines(tc.stdout, ftk.stdout, 1000).find(([e, a]) => !check(e, a));
        if (bad === undefined) return;
        assert.fail(`${name} ${label}: a difference not explained by "${known.reason}":\n  expected: ${JSON.stringify(bad[0])}\n  actual:   ${JSON.stringify(bad[1])}`);
      }
      assert.fail(`${name} ${label}: ${firstDifference(tc.stdout, ftk.stdout)}${ftk.stderr ? `\n  stderr: ${ftk.stderr}` : ""}`);
    });
  }
}
