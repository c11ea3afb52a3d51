// `ftk trace`: strace's view of system calls from ftrace's syscall events; flags as strace 6.1 names them.
// The work is done by syscalls/ traceSyscalls(); this file parses flags and picks the output.
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { noteCodePath, parseColorMode, useColor, UsageError, type ColorMode } from "../base/index.js";
import { parseSummarySort, parseTraceSet, traceSyscalls } from "../syscalls/index.js";
import type { TraceOptions } from "../syscalls/index.js";
import { parseIntegerFlag, parseOrderedArgs, type FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";
import { withStopSignals } from "./record.js";

export const TRACE_HELP = `usage: ftk trace [options] COMMAND [ARGS...]
       ftk trace [options] -p PID[,PID...]
       ftk trace [options] -a [COMMAND...]
       ftk trace [options] -i FILE.dat

Shows the system calls of a command (and its children), of running processes, or of the whole system,
as strace does, from the kernel's syscall trace events: the traced programs are not stopped.
Lines go to stderr (as strace's), or to -o FILE. Path strings come from kprobes where the kernel
has them, else from uprobes on libc's wrappers; calls made elsewhere show the pointer, with a note.

  -e trace=SET    calls to show: NAME,NAME, classes %file %desc %network %process %memory %signal
                  %ipc %creds %clock, /REGEX, ?NAME (no error if unknown); '!' before the set negates it
  --trace=SET     the same
  -p, --attach PID[,PID]   trace these processes (all their threads, and children)
  -a              trace every process (with a COMMAND: while it runs; else until Ctrl-C)
  -f, --follow-forks  follow children (always on)
  -i FILE         read a trace.dat (from -w, or 'ftk record -e raw_syscalls') instead of recording
  -w FILE         keep the recording in FILE (read it back with -i or 'ftk report'); the lines are
                  then printed when the recording ends, not live
  -o, --output FILE   write the lines to FILE
  -z, --successful-only   only calls that succeeded
  -Z, --failed-only       only calls that failed
  -T, --syscall-times     show the time spent in each call
  -t, --absolute-timestamps   wall-clock time of day; -tt with microseconds; -ttt seconds since the epoch
  -c, --summary-only      only a summary table: time, calls and errors per call (as strace -c; the
                          times are each call's latency, entry to exit, where strace's are CPU time)
  -C, --summary           the lines, then the summary
  -S, --summary-sort-by KEY   time (default), calls, errors, name, avg-time, min-time, max-time, nothing
  -s, --summary-by-thread     one summary table per thread
  --histogram     latency histograms per call (log2 buckets)
  -b KB           ring buffer size per CPU for the recording (default 16384)
  --no-strings    no uprobes: paths as pointers
  --color WHEN    colour the summary and histograms: auto (on a terminal, unless NO_COLOR is set),
                  always or never

The exit status is the command's (128+N if it died of signal N).
`;

const FLAGS: Record<string, FlagSpec> = {
  expr: { type: "string", short: "e" },
  trace: { type: "string" },
  attach: { type: "string", short: "p" },
  all: { type: "boolean", short: "a" },
  "follow-forks": { type: "boolean", short: "f" },
  input: { type: "string", short: "i" },
  write: { type: "string", short: "w" },
  output: { type: "string", short: "o" },
  "successful-only": { type: "boolean", short: "z" },
  "failed-only": { type: "boolean", short: "Z" },
  "syscall-times": { type: "boolean", short: "T" },
  "absolute-timestamps": { type: "boolean", short: "t" },
  "summary-only": { type: "boolean", short: "c" },
  summary: { type: "boolean", short: "C" },
  "summary-sort-by": { type: "string", short: "S" },
  "summary-by-thread": { type: "boolean", short: "s" },
  histogram: { type: "boolean" },
  "buffer-size": { type: "string", short: "b" },
  "no-strings": { type: "boolean" },
  color: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/** Splits argv at the command: the first word that is neither a flag nor a flag's value, or after `--`. */
function splitCommand(argv: readonly string[]): { flags: string[]; command: string[] } {
  const shortTakesValue = new Set(Object.values(FLAGS).filter((f) => f.type === "string" && f.short).map((f) => f.short!));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return { flags: argv.slice(0, i), command: argv.slice(i + 1) };
    if (!a.startsWith("-") || a === "-") return { flags: argv.slice(0, i), command: argv.slice(i) };
    if (a.startsWith("--")) {
      if (!a.includes("=") && FLAGS[a.slice(2)]?.type === "string") i++;
      continue;
    }
    for (let k = 1; k < a.length; k++) {
      if (shortTakesValue.has(a[k]!)) {
        if (k === a.length - 1) i++;
        break;
      }
    }
  }
  return { flags: [...argv], command: [] };
}

/** Parses the flags of `ftk trace` into options, the -o file and the help request. */
export function parseTraceArgs(argv: string[]): { options: TraceOptions; output?: string; help: boolean; color: ColorMode } {
  const { flags: flagArgs, command } = splitCommand(argv);
  const { flags, positionals } = parseOrderedArgs(flagArgs, FLAGS, "trace");
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': run 'ftk trace --help'`);
  const sets: string[] = [];
  const pids: number[] = [];
  let tCount = 0;
  const o: TraceOptions = { command, pids, all: false };
  let output: string | undefined;
  let help = false;
  let color: ColorMode = "auto";
  for (const f of flags) {
    const v = f.value ?? "";
    switch (f.name) {
      case "expr": {
        const eq = v.indexOf("=");
        const qual = eq < 0 ? "trace" : v.slice(0, eq);
        if (qual !== "trace" && qual !== "t") throw new UsageError(`-e ${qual}=: not supported: only -e trace=SET`);
        sets.push(eq < 0 ? v : v.slice(eq + 1));
        break;
      }
      case "trace": sets.push(v); break;
      case "attach":
        for (const p of v.split(",")) {
          const n = parseIntegerFlag(p, "-p");
          if (n <= 0) throw new UsageError(`-p: bad pid '${p}': give a positive integer`);
          pids.push(n);
        }
        break;
      case "all": o.all = true; break;
      case "follow-forks": break;
      case "input": o.input = v; break;
      case "write": o.keep = v; break;
      case "output": output = v; break;
      case "successful-only": o.status = "success"; break;
      case "failed-only": o.status = "failed"; break;
      case "syscall-times": o.durations = true; break;
      case "absolute-timestamps": tCount++; break;
      case "summary-only": o.summary = "only"; break;
      case "summary": o.summary = "also"; break;
      case "summary-sort-by": {
        const sort = parseSummarySort(v);
        if (sort === undefined) throw new UsageError(`-S: unknown sort key '${v}': use time, calls, errors, name, avg-time, min-time, max-time or nothing`);
        o.sort = sort;
        break;
      }
      case "summary-by-thread": o.byThread = true; o.summary ??= "only"; break;
      case "histogram": o.histogram = true; break;
      case "buffer-size": o.bufferSizeKb = parseIntegerFlag(v, "-b"); break;
      case "no-strings": o.strings = false; break;
      case "color": {
        const mode = parseColorMode(v);
        if (mode === undefined) throw new UsageError(`bad value '${v}' for --color: give auto, always or never`);
        color = mode;
        break;
      }
      case "help": help = true; break;
    }
  }
  o.timestamps = tCount === 0 ? "none" : tCount === 1 ? "t" : tCount === 2 ? "tt" : "ttt";
  o.select = parseTraceSet(sets);
  if (!help) {
    const modes = [command.length > 0 && !o.all, pids.length > 0, o.all, o.input !== undefined].filter(Boolean).length;
    if (modes === 0) throw new UsageError("nothing to trace: give a command, -p PID, -a or -i FILE: run 'ftk trace --help'");
    if (o.input !== undefined && modes > 1) throw new UsageError("-i reads a file: it takes no command, -p or -a");
    if (pids.length > 0 && (o.all || command.length > 0)) throw new UsageError("-p cannot be combined with -a or a command");
  }
  return { options: o, output, help, color };
}

/** Shows the system calls of a command, processes or the whole system. */
export const command: Command = {
  summary: "show system calls as strace does, from syscall trace events",
  flags: FLAGS,
  commandStart: (argv) => argv.length - splitCommand(argv).command.length,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { options, output, help, color } = parseTraceArgs(argv);
    if (help) {
      ctx.stdout.write(TRACE_HELP);
      return 0;
    }
    const file = output === undefined ? undefined : createWriteStream(output);
    if (file !== undefined) {
      try {
        await once(file, "open");
      } catch (e) {
        throw new UsageError(`-o: cannot write '${output}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }
    const out = file ?? ctx.stderr;
    // The parts of the code this run uses, for the script cache (script-cache.ts).
    if (options.summary !== "only") noteCodePath("lines");
    if (options.summary === "only" || options.summary === "also") noteCodePath("summary");
    if (options.histogram === true) noteCodePath("histogram");
    if (options.keep !== undefined) noteCodePath("keep");
    options.color = useColor(color, out as { isTTY?: boolean }, ctx.env);
    try {
      const result = await withStopSignals(ctx, (signal) => traceSyscalls(options, { out, stderr: ctx.stderr, signal }));
      return result.status;
    } finally {
      if (file !== undefined) {
        file.end();
        await once(file, "close");
      }
    }
  },
};
