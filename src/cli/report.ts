// `ftk report`: flags of trace-cmd 3.1.6 `report`, parsed here and handed to writeReport().
import { FtkError, TextOutput, UsageError, describeErrno, noteCodePath, parseColorMode, useColor, type ColorMode } from "../base/index.js";
// node:fs, not node:fs/promises: requiring that loads Node's streams (see tracedat/read-handle.ts).
import { readFile } from "node:fs";
import { parseCpuList, writeReport } from "../report/index.js";
import type { ProfileHook } from "../model/index.js";
import type { ProfileReportOptions } from "../profile/index.js";
import type { ReportFilter, ReportInput, ReportOptions } from "../report/index.js";
import { parseIntegerFlag, parseOrderedArgs, type FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk report [-i file]... [options] [file]

Prints the events of trace.dat files as trace-cmd report 3.1.6 does.

  -i FILE              input file (default trace.dat); repeat to merge several files
  --cpu LIST           only events of these CPUs, e.g. 0,2-3
  -F FILTER            event filter '[sys/]event[,...][:expression]'; repeatable (OR-ed)
  -v                   the -F filters after it hide matching events
  --pid PID[,PID...]   also show the events of these pids (common_pid, pid or next_pid); repeatable
  --comm COMM[,...]    the same for the pids that the first file's saved cmdlines name COMM
  -I / -S              hide events with the hardirq / softirq flag
  -t                   nanosecond timestamps
  -R                   raw field values instead of formatted text
  -l                   latency columns (irqs-off, need-resched, irq context, preempt depth)
  -N                   no plugins (print formats only)
  -L                   only local plugins: ftk's are built in, so the same as -N
  -r REGEX             raw field values for the events (or systems) REGEX names; repeatable
  -n REGEX             print fmt instead of the plugin for the events (or systems) REGEX names; repeatable
  -V[LEVEL], --verbose[=LEVEL]  accepted (0-6 or none/crit/err/warn/info/debug/all); ftk loads no plugin files
  -e                   byte order of the file and of this host
  -p                   page size of the file and of this host
  --check-events       exit 0 when every event format of the file parses, else 22 (EINVAL)
  --ts-check           warn about records whose timestamp goes backwards
  --ts2secs HZ         timestamps are counts at HZ per second (for the -i before it, else every input)
  -O [plugin:]opt[=v]  plugin option, e.g. fgraph:tailprint, fgraph:depth, parent
  --color WHEN         colour the -l flags: auto (on a terminal, unless NO_COLOR is set), always or never
  -w                   wakeup latency of each sched_switch after a wakeup, and a summary
  --ts-diff            show the time since the previous event
  --ts-offset N        add N to the timestamps of the file before it
  --raw-ts             timestamps without corrections
  --align-ts           timestamps relative to the first event
  --nodate             ignore the clock-to-date offset recorded with --date
  --stat               buffer statistics recorded with the file
  --uname / --version  system and trace-cmd version that recorded the file
  --cpus               CPUs that have data; --first-event / --last-event add their timestamps
  -E                   events stored in the file
  -f                   functions (kallsyms) stored in the file
  -P                   trace_printk formats stored in the file
  --ufuncgraph         user-space function graph of the uprobe entry/return events (the default for
                       files recorded with -p ufuncgraph); every -i, with --cpu and -F
  --summary            per-function calls, total and self time of those events
  --boundary           a "CPU:N [SUBBUFFER START]" line where each sub-buffer (page) of events starts
  --kallsyms FILE      more function symbols (kallsyms text); its names win where both have an address
  --event REGEX        the stored formats of the events (or systems) REGEX names (a POSIX basic regex, as trace-cmd)
  --events             event lines even for a file recorded with -p ufuncgraph (as -R, formatted)
  --profile            per task: time scheduled out (by state), wakeup latency, syscall, irq, softirq
                       and function_graph times, other events counted, each with its kernel stacks
  -G                   with --profile: irq and softirq times go to per-CPU global tasks
  -H HOOK              with --profile: time between two events, [sys:]start,match[,pid]/[sys:]end,match[,flags]
                       (flags: P pinned to a CPU, G global); repeatable
  --by-comm            with --profile: merge the tasks that have the same comm
  -T, --filter-test    print each -F filter per event as libtraceevent rebuilds it, then stop
  -q                   no warnings (damaged pages, unknown --comm names, ...)
  -h, --help           this text
`;

const FLAGS: Record<string, FlagSpec> = {
  input: { type: "string", short: "i" },
  cpu: { type: "string" },
  filter: { type: "string", short: "F" },
  invert: { type: "boolean", short: "v" },
  pid: { type: "string" },
  comm: { type: "string" },
  "no-irqs": { type: "boolean", short: "I" },
  "no-softirqs": { type: "boolean", short: "S" },
  nsec: { type: "boolean", short: "t" },
  raw: { type: "boolean", short: "R" },
  latency: { type: "boolean", short: "l" },
  "no-plugins": { type: "boolean", short: "N" },
  "plugin-option": { type: "string", short: "O" },
  "ts-diff": { type: "boolean" },
  "ts-offset": { type: "string" },
  "raw-ts": { type: "boolean" },
  "align-ts": { type: "boolean" },
  nodate: { type: "boolean" },
  stat: { type: "boolean" },
  uname: { type: "boolean" },
  version: { type: "boolean" },
  cpus: { type: "boolean" },
  "first-event": { type: "boolean" },
  "last-event": { type: "boolean" },
  "event-list": { type: "boolean", short: "E" },
  functions: { type: "boolean", short: "f" },
  printk: { type: "boolean", short: "P" },
  quiet: { type: "boolean", short: "q" },
  color: { type: "string" },
  "local-plugins": { type: "boolean", short: "L" },
  "raw-events": { type: "string", short: "r" },
  "no-handler": { type: "string", short: "n" },
  endian: { type: "boolean", short: "e" },
  "page-size": { type: "boolean", short: "p" },
  "check-events": { type: "boolean" },
  "ts-check": { type: "boolean" },
  ts2secs: { type: "string" },
  // Known to trace-cmd 3.1.6 but not built yet: refused with a clear message, not as unknown.
  profile: { type: "boolean" },
  "by-comm": { type: "boolean" },
  "profile-global": { type: "boolean", short: "G" },
  "profile-hook": { type: "string", short: "H" },
  "test-filters": { type: "boolean", short: "T" },
  "filter-test": { type: "boolean" },
  ufuncgraph: { type: "boolean" },
  wakeup: { type: "boolean", short: "w" },
  summary: { type: "boolean" },
  event: { type: "string" },
  kallsyms: { type: "string" },
  boundary: { type: "boolean" },
  events: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const VERBOSE_LEVELS = /^([0-6]|none|crit|err|warn|info|debug|all)$/;

/**
 * `-V[LEVEL]` / `--verbose[=LEVEL]` (an optional value glued to the flag, which util.parseArgs cannot
 * express): accepted and checked; ftk has no plugin files to log the loading of.
 */
function isVerboseFlag(arg: string): boolean {
  const m = /^(?:-V|--verbose=?)(.*)$/.exec(arg);
  if (m === null || (arg.startsWith("--verbose") && arg !== "--verbose" && !arg.startsWith("--verbose="))) return false;
  if (m[1] !== "" && !VERBOSE_LEVELS.test(m[1]!)) throw new UsageError(`invalid verbose level '${m[1]}': use 0-6 or none, crit, err, warn, info, debug, all`);
  return true;
}

/** Turns `ftk report` arguments into ReportOptions (trace-cmd's order rules for -i, -F, -v, --ts-offset). */
export function parseReportArgs(
  argv: string[],
): (ReportOptions & { colorMode: ColorMode; kallsymsFile?: string; hookTexts: string[]; quiet: boolean; profile?: ProfileReportOptions }) | "help" {
  const { flags, positionals } = parseOrderedArgs(argv.filter((a) => !isVerboseFlag(a)), FLAGS, "report");
  const inputs: ReportInput[] = [];
  // -F before any -i belongs to the first input (trace-cmd add_first_input).
  const early: ReportFilter[] = [];
  let invert = false;
  const options: ReportOptions = { inputs };
  const cpus: number[] = [];
  const pluginOptions: string[] = [];
  let color: ColorMode = "auto";
  let kallsymsPath: string | undefined;
  const hookTexts: string[] = [];
  let quiet = false;
  let profile = false;
  const profileOptions: ProfileReportOptions = {};
  for (const { name, value } of flags) {
    switch (name) {
      case "help":
        return "help";
      case "input":
        inputs.push({ path: value! });
        break;
      case "filter": {
        const f: ReportFilter = { text: value!, invert };
        const last = inputs[inputs.length - 1];
        if (last) (last.filters ??= []).push(f);
        else early.push(f);
        break;
      }
      case "invert":
        if (invert) throw new UsageError("only one -v can be used: it applies to every -F after it");
        invert = true;
        break;
      case "cpu":
        cpus.push(...parseCpuList(value!));
        break;
      case "pid":
      case "comm":
        // Comma-separated, empty items skipped (trace-cmd splits with strtok).
        (name === "pid" ? (options.pids ??= []) : (options.comms ??= [])).push(...value!.split(",").filter((x) => x !== ""));
        break;
      case "ts-offset": {
        const last = inputs[inputs.length - 1];
        if (!last) throw new UsageError("--ts-offset must come after the -i it applies to");
        last.tsOffset = parseIntegerFlag(value, "--ts-offset");
        break;
      }
      case "plugin-option":
        pluginOptions.push(value!);
        break;
      case "no-irqs":
        options.noIrqs = true;
        break;
      case "no-softirqs":
        options.noSoftirqs = true;
        break;
      case "nsec":
        options.nsTimestamps = true;
        break;
      case "raw":
        options.raw = true;
        break;
      case "latency":
        options.latency = true;
        break;
      case "no-plugins":
        options.noPlugins = true;
        break;
      case "ts-diff":
        options.tsDiff = true;
        break;
      case "raw-ts":
        options.rawTs = true;
        break;
      case "align-ts":
        options.alignTs = true;
        break;
      case "nodate":
        options.noDate = true;
        break;
      case "stat":
        options.stat = true;
        break;
      case "uname":
        options.uname = true;
        break;
      case "version":
        options.version = true;
        break;
      case "cpus":
        options.cpuList = true;
        break;
      case "first-event":
        options.firstEvent = true;
        break;
      case "last-event":
        options.lastEvent = true;
        break;
      case "event-list":
        options.eventList = true;
        break;
      case "functions":
        options.functions = true;
        break;
      case "printk":
        options.printkFormats = true;
        break;
      case "quiet":
        quiet = true;
        break;
      case "color":
        if (parseColorMode(value) === undefined) throw new UsageError(`bad value '${value}' for --color: give auto, always or never`);
        color = parseColorMode(value)!;
        break;
      case "profile":
        profile = true;
        break;
      case "by-comm":
        profileOptions.byComm = true;
        break;
      case "profile-global":
        profileOptions.global = true;
        break;
      case "profile-hook":
        // Parsed in run(), where the model is loaded only for -H.
        hookTexts.push(value!);
        break;
      case "test-filters":
      case "filter-test":
        options.testFilters = true;
        break;
      case "local-plugins":
        options.noPlugins = true;
        break;
      case "raw-events":
        (options.rawEvents ??= []).push(value!);
        break;
      case "no-handler":
        (options.noHandlerEvents ??= []).push(value!);
        break;
      case "endian":
        options.endian = true;
        break;
      case "page-size":
        options.pageSizeInfo = true;
        break;
      case "check-events":
        options.checkEvents = true;
        break;
      case "ts-check":
        options.tsCheck = true;
        break;
      case "ts2secs": {
        const hz = parseIntegerFlag(value, "--ts2secs");
        if (hz <= 0) throw new UsageError(`bad value '${value}' for --ts2secs: expected a frequency in Hz above 0`);
        const last = inputs[inputs.length - 1];
        if (last) last.ts2secsHz = hz;
        else options.ts2secsHz = hz;
        break;
      }
      case "wakeup":
        options.wakeup = true;
        break;
      case "ufuncgraph":
        options.ufuncgraph = true;
        break;
      case "summary":
        options.ufuncSummary = true;
        break;
      case "events":
        options.events = true;
        break;
      case "event":
        options.eventFormats = value!;
        break;
      case "kallsyms":
        kallsymsPath = value!;
        break;
      case "boundary":
        options.boundary = true;
        break;
    }
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}': give input files with -i`);
  if (positionals.length === 1) {
    if (inputs.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': the input is already given with -i`);
    inputs.push({ path: positionals[0]! });
  }
  if (inputs.length === 0) inputs.push({ path: "trace.dat" });
  if (early.length > 0) inputs[0]!.filters = [...early, ...(inputs[0]!.filters ?? [])];
  if (cpus.length > 0) options.cpus = cpus;
  if (pluginOptions.length > 0) options.pluginOptions = pluginOptions;
  return {
    ...options,
    colorMode: color,
    hookTexts,
    quiet,
    ...(kallsymsPath !== undefined ? { kallsymsFile: kallsymsPath } : {}),
    ...(profile ? { profile: profileOptions } : {}),
  };
}

/** The text of `--kallsyms FILE`; a file that cannot be read is a runtime error naming it. */
async function readKallsymsFile(path: string): Promise<string> {
  try {
    return await new Promise<string>((resolve, reject) => readFile(path, "latin1", (e, text) => (e === null ? resolve(text) : reject(e))));
  } catch (e) {
    throw new FtkError(`cannot read kallsyms file '${path}': ${describeErrno(e)}`, { code: "kallsyms", path, cause: e });
  }
}

/** The -H hooks in the order given; a malformed one is a usage error. */
async function parseHooks(texts: string[]): Promise<ProfileHook[]> {
  const { parseProfileHook } = await import("../model/index.js");
  return texts.map((text) => {
    const hook = parseProfileHook(text);
    if (hook === undefined) throw new UsageError(`bad hook '${text}' for -H: give [system:]start_event,start_match[,pid]/[system:]end_event,end_match[,flags] (flags P, G, S)`);
    return hook;
  });
}

/** The line trace-cmd prints for each -H it parses (missing parts as "(null)"). */
function hookLine(h: ProfileHook): string {
  const n = (s: string | undefined): string => s ?? "(null)";
  return `start ${n(h.startSystem)}:${h.startEvent}:${h.startMatch} (${n(h.pid)}) end ${n(h.endSystem)}:${h.endEvent}:${h.endMatch} (${n(h.flags)})\n`;
}

export const command: Command = {
  summary: "print the events of trace.dat files (trace-cmd report)",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const options = parseReportArgs(argv);
    if (options === "help") {
      ctx.stdoutSink.write(HELP);
      return 0;
    }
    // The reader's warnings go to this command's stderr (one line per kind), not to process.stderr; -q drops them.
    const onWarning = (message: string): void => void (options.quiet || ctx.stderr.write(`ftk report: warning: ${message}\n`));
    const out = new TextOutput(ctx.stdoutSink);
    const { colorMode, kallsymsFile, hookTexts, quiet: _quiet, profile, ...rest } = options;
    // Modes with much code of their own, for the script cache (script-cache.ts); the reader notes the rest.
    if (profile !== undefined) noteCodePath("profile");
    if (rest.stat === true) noteCodePath("stat");
    if (hookTexts.length > 0) {
      const hooks = await parseHooks(hookTexts);
      // trace-cmd adds each hook in front of the earlier ones, and prints each as it parses it.
      if (profile !== undefined) profile.hooks = [...hooks].reverse();
      for (const h of hooks) out.write(hookLine(h));
    }
    if (kallsymsFile !== undefined) rest.extraKallsyms = await readKallsymsFile(kallsymsFile);
    const report: ReportOptions = { ...rest, color: useColor(colorMode, ctx.stdoutSink, ctx.env), onWarning };
    const status =
      profile === undefined
        ? await writeReport(report, out, ctx.signal)
        : await (await import("../profile/index.js")).writeProfileReport(report, profile, out, ctx.signal);
    await out.flush();
    return status;
  },
};
