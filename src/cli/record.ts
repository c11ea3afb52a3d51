// `ftk record`: flags as trace-cmd record 3.1.6; the work is done by record/. SIGINT/SIGTERM stop the
// recording cleanly (the file is completed and tracefs restored).
import { UsageError } from "../base/index.js";
import { parseRecordArgs, record, recordFlags } from "../record/index.js";
import type { RecordMode, RecordOptions } from "../record/index.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

export const RECORD_HELP = `usage: ftk record [options] [command [args...]]

Records trace events (and tracers) into a trace.dat file, like trace-cmd record.
Without a command, records until Ctrl-C (or until the -P processes exit).

  -e EVENT        enable an event: system, system:event, glob, or 'all' (repeatable)
  -v              the -e that follow disable their events instead (-e sched -v -e sched:sched_wakeup)
  -f FILTER       filter for the preceding -e (kernel filter syntax)
  -R TRIGGER      trigger for the preceding -e (e.g. 'stacktrace', 'traceoff')
  -T              stack trace with every event (option stacktrace)
  -i              ignore events that do not exist
  -p TRACER       tracer (function, function_graph, ufuncgraph with -x)
  -g FUNC         graph this function (function_graph) / functions glob for ufuncgraph
  -l FUNC, -n FUNC  set_ftrace_filter / set_ftrace_notrace
  --module MOD    the -l/-n/-g after it are functions of kernel module MOD; alone: all of its functions
  --max-graph-depth N
  -O OPT          set a trace option; 'noOPT' clears it
  -P PID          trace only this process (repeatable, or comma separated)
  -F              trace only the command
  -c              also follow the children of the traced processes (with -F or -P)
  -C CLOCK        trace clock (local, global, mono, ...)
  -b KB           per-CPU buffer size in KiB
  -M MASK         CPU mask (hex) to trace
  -m KB           keep at most KB KiB per CPU in the file (the newest data)
  -B NAME         record into instance NAME; the -e that follow belong to it
  --cmdlines-size N  saved_cmdlines size
  -o FILE         output file (default trace.dat)
  -q, --quiet     quiet
  -s USECS        longest sleep between buffer reads (default 100000)
  -k              keep the tracing settings afterwards (ftk's own, such as its pid filter, are still undone)
  -d              switch the function tracer off while recording (option function-trace)
  -D              as -d, and also /proc/sys/kernel/ftrace_enabled (function tracing for all users)
  -r PRIO         run the recorder at real-time priority PRIO (SCHED_FIFO, 1-99; the command is not)
  --user USER     run the command as USER (name or uid)
  --date          store the offset to the time of day: reports print dates
  --temp DIR      put the per-CPU temporary files in DIR (default: beside the output)
  --poll          read without blocking (ftk always does; accepted for trace-cmd's command lines)
  --func-stack    a stack trace with every function (needs -p function; option func_stack_trace)
  --tsc2nsec      record with the x86-tsc clock and store its rate, so reports show nanoseconds
  --profile       record what 'report --profile' needs: sched_switch/sched_wakeup with stack traces,
                  irq, page-fault, exec and syscall events, function_graph at depth 1 where available
  --file-version 6|7   (default 7)
  --compression none|zstd|zlib   (default zstd; version 7 only)
  --no-filter     do not hide ftk's own activity from the trace
  --uprobe SPEC   create a uprobe for this recording ('BINARY:FUNC[%return] [ARGS]'), repeatable
  -x BINARY       binary for -p ufuncgraph
  --sample[=HZ]   on-CPU stack samples: sched_stat_runtime at each scheduler tick with kernel and user
                  stacks, weighted by CPU time (HZ: at most the tick rate, CONFIG_HZ)
  --off-cpu       stacks where threads leave the CPU (sched_switch), for off-CPU flame graphs
  --proc-map      save the traced processes' address maps and /tmp/perf-PID.map (implied by the two above)
  --verbose[=L]   accepted (trace-cmd's log level 0-6 or none ... all); ftk logs nothing more
  -h, --help      this help

The exit status is the command's (128+N if it died of signal N).
`;

/**
 * Runs `fn` with an AbortSignal that SIGINT/SIGTERM (and ctx.signal) abort. An uncaught error elsewhere
 * in the process also aborts it, so the recording still restores tracefs; the error is rethrown after.
 * The handlers are removed at the end.
 */
export async function withStopSignals<T>(ctx: CliContext, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const local = new AbortController();
  const onSignal = () => local.abort();
  let uncaught: unknown;
  const onUncaught = (e: unknown) => {
    uncaught ??= e;
    local.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("uncaughtException", onUncaught);
  try {
    const result = await fn(AbortSignal.any([ctx.signal, local.signal]));
    if (uncaught !== undefined) throw uncaught;
    return result;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("uncaughtException", onUncaught);
  }
}

/** Parses record-style flags; prints `help` and returns undefined for -h/--help. */
export function parseOrHelp(argv: string[], mode: RecordMode, help: string, ctx: CliContext): RecordOptions | undefined {
  try {
    return parseRecordArgs(argv, mode);
  } catch (e) {
    if (e instanceof UsageError && e.code === "help") {
      ctx.stdout.write(help);
      return undefined;
    }
    throw e;
  }
}

/** The record-style flags of `mode` as a FlagSpec table (the parser is record/options.ts; this lists what it accepts). */
export function recordFlagSpecs(mode: RecordMode): Record<string, FlagSpec> {
  const out: Record<string, FlagSpec> = {};
  for (const { flag, takesValue } of recordFlags(mode)) {
    const long = flag.startsWith("--");
    out[flag.replace(/^-+/, "")] = { type: takesValue ? "string" : "boolean", ...(long ? {} : { short: flag.slice(1) }) };
  }
  return out;
}

/** Records events into a trace.dat file. */
export const command: Command = {
  summary: "record trace events into a trace.dat file",
  flags: recordFlagSpecs("record"),
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const options = parseOrHelp(argv, "record", RECORD_HELP, ctx);
    if (options === undefined) return 0;
    if (options.instances.every((i) => i.events.length === 0) && options.tracer === undefined && options.uprobes.length === 0 && !options.profile) {
      throw new UsageError("nothing to record: give events with -e (for example -e sched), a tracer with -p, or --sample/--off-cpu");
    }
    const result = await withStopSignals(ctx, (signal) => record(options, { stdout: ctx.stdout, stderr: ctx.stderr, signal }));
    return result.status;
  },
};
