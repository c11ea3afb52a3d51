// `ftk record`: flags as trace-cmd record 3.1.6; the work is done by record/. SIGINT/SIGTERM stop the
// recording cleanly (the file is completed and tracefs restored).
import { UsageError, parseRecordArgs, record } from "../index.js";
import type { RecordMode, RecordOptions } from "../index.js";
import type { CliContext, Command } from "./context.js";

export const RECORD_HELP = `usage: ftk record [options] [command [args...]]

Records trace events (and tracers) into a trace.dat file, like trace-cmd record.
Without a command, records until Ctrl-C (or until the -P processes exit).

  -e EVENT        enable an event: system, system:event, glob, or 'all' (repeatable)
  -f FILTER       filter for the preceding -e (kernel filter syntax)
  -R TRIGGER      trigger for the preceding -e (e.g. 'stacktrace', 'traceoff')
  -T              stack trace with every event (option stacktrace)
  -i              ignore events that do not exist
  -p TRACER       tracer (function, function_graph, ufuncgraph with -x)
  -g FUNC         graph this function (function_graph) / functions glob for ufuncgraph
  -l FUNC, -n FUNC  set_ftrace_filter / set_ftrace_notrace
  --max-graph-depth N
  -O OPT          set a trace option; 'noOPT' clears it
  -P PID          trace only this process (repeatable, or comma separated)
  -F              trace only the command
  -c              also follow the children of the traced processes (with -F or -P)
  -C CLOCK        trace clock (local, global, mono, ...)
  -b KB           per-CPU buffer size in KiB
  -M MASK         CPU mask (hex) to trace
  -B NAME         record into instance NAME; the -e that follow belong to it
  --cmdlines-size N  saved_cmdlines size
  -o FILE         output file (default trace.dat)
  -q              quiet
  -s USECS        longest sleep between buffer reads (default 100000)
  -k              keep the tracing settings afterwards (do not restore)
  --file-version 6|7   (default 7)
  --compression none|zstd|zlib   (default zstd; version 7 only)
  --no-filter     do not hide ftk's own activity from the trace
  --uprobe SPEC   create a uprobe for this recording ('BINARY:FUNC[%return] [ARGS]'), repeatable
  -x BINARY       binary for -p ufuncgraph
  --sample[=HZ]   on-CPU stack samples: sched_stat_runtime at each scheduler tick with kernel and user
                  stacks, weighted by CPU time (HZ: at most the tick rate, CONFIG_HZ)
  --off-cpu       stacks where threads leave the CPU (sched_switch), for off-CPU flame graphs
  --proc-map      save the traced processes' address maps and /tmp/perf-PID.map (implied by the two above)

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

/** Records events into a trace.dat file. */
export const command: Command = {
  summary: "record trace events into a trace.dat file",
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const options = parseOrHelp(argv, "record", RECORD_HELP, ctx);
    if (options === undefined) return 0;
    if (options.instances.every((i) => i.events.length === 0) && options.tracer === undefined && options.uprobes.length === 0) {
      throw new UsageError("nothing to record: give events with -e (for example -e sched), a tracer with -p, or --sample/--off-cpu");
    }
    const result = await withStopSignals(ctx, (signal) => record(options, { stdout: ctx.stdout, stderr: ctx.stderr, signal }));
    return result.status;
  },
};
