// Flags of `ftk record/start/stream/extract`, with trace-cmd 3.1.6's meanings (tracefs-control.md §4):
// order matters (-f/-R apply to the preceding -e, -B starts an instance that the following -e go to),
// so the parser walks argv itself instead of using util.parseArgs.
import { UsageError } from "../base/index.js";
import type { ProbeDefinition } from "../probes/index.js";
import { addProfileRequests } from "./profile.js";

/** One `-e` argument with what followed it. */
export interface EventRequest {
  /** As given: "sched", "sched:sched_switch", "sys_enter_*", "all". */
  spec: string;
  /** `-f` after it. */
  filter?: string;
  /** `-R` after it (each one a trigger). */
  triggers: string[];
  /** After `-v`: disable these events instead (`-e sched -v -e sched:sched_wakeup`). */
  negate?: boolean;
}

/** Settings of one instance ("" = top level). */
export interface InstanceRequest {
  name: string;
  events: EventRequest[];
  /** `-O name` / `-O noname`, and `-T` (stacktrace). */
  options: { name: string; on: boolean }[];
  clock?: string;
  bufferSizeKb?: number;
  cpumask?: string;
}

/** Everything the flags ask for. */
export interface RecordOptions {
  /** [0] is the top level; -B instances follow in order. */
  instances: InstanceRequest[];
  tracer?: string;
  ftraceFilter: string[];
  ftraceNotrace: string[];
  graphFunctions: string[];
  maxGraphDepth?: number;
  pids: number[];
  /** -F: only the command's events. */
  commandOnly: boolean;
  /** -c: follow children (event-fork / function-fork). */
  followChildren: boolean;
  ignoreMissing: boolean;
  cmdlinesSize?: number;
  output: string;
  quiet: boolean;
  /** -s: reader wake-up interval in microseconds. */
  sleepUs?: number;
  keep: boolean;
  fileVersion: 6 | 7;
  compression: "none" | "zstd" | "zlib";
  compressionGiven: boolean;
  noFilter: boolean;
  uprobes: string[];
  /** Probes already resolved (library callers such as `ftk trace`); created and enabled like --uprobe's. */
  probeDefinitions?: ProbeDefinition[];
  /** False: the file gets no kernel symbols (library callers whose events need none, such as `ftk trace`). */
  kallsyms?: boolean;
  /** -x BINARY for `-p ufuncgraph`. */
  ufuncgraphBinary?: string;
  /** -m: max size of the output in KiB (per CPU, as trace-cmd). */
  maxKb?: number;
  /** --user: run the command as this user (name or uid). */
  user?: string;
  /** --date: store the offset from the trace clock to the time of day (report prints dates). */
  date?: boolean;
  /** --temp: directory for the per-CPU temporary files (default: beside the output). */
  tempDir?: string;
  /** -d: switch the function tracer off while recording (option function-trace); -D also ftrace_enabled. */
  disableFunctionTrace?: "tracer" | "all";
  /** -r: real-time (SCHED_FIFO) priority of the recorder. */
  priority?: number;
  /** --func-stack: a stack trace with every function (option func_stack_trace). */
  funcStack?: boolean;
  /** --tsc2nsec: record with the x86-tsc clock and store how to turn its counts into nanoseconds. */
  tsc2nsec?: boolean;
  /** --profile: the events (and stack traces) report --profile needs, as trace-cmd record --profile. */
  profile?: boolean;
  /** extract -a: every instance as well as the top level. */
  allInstances?: boolean;
  /** extract -t: the top level as well as the -B instances. */
  extractTop?: boolean;
  /** The command to run and its arguments (empty: record until Ctrl-C). */
  command: string[];
  /** --sample[=HZ]: on-CPU stack samples (sched_stat_runtime + stacks); the rate when given. */
  sample?: { hz?: number };
  /** --off-cpu: stacks at sched_switch, to charge the time off the CPU. */
  offCpu?: boolean;
  /** --proc-map: save the traced processes' address maps (PROCMAPS); implied by --sample/--off-cpu. */
  procMap?: boolean;
}

/** Which subcommand is parsing (some flags make sense only for some). */
export type RecordMode = "record" | "start" | "stream" | "extract" | "set";

const WITH_VALUE = new Set([
  "-e", "-f", "-R", "-p", "-g", "-l", "-n", "-O", "-P", "-C", "-b", "-m", "-M", "-B", "-o", "-s", "-x",
  "--max-graph-depth", "--cmdlines-size", "--file-version", "--compression", "--uprobe", "--user", "--temp", "-r", "--module",
]);
const FLAGS = new Set([
  "-T", "-i", "-F", "-c", "-q", "-k", "-v", "-d", "-D", "--no-filter", "--date", "--poll", "--func-stack", "--tsc2nsec", "--profile",
  "--quiet", "-h", "--help", "--sample", "--off-cpu", "--proc-map", "--verbose",
]);
/** Flags only some modes take: `extract -a` reads every instance. */
const MODE_FLAGS: Partial<Record<RecordMode, ReadonlySet<string>>> = { extract: new Set(["-a", "-t"]) };
/**
 * trace-cmd 3.1.6 record flags that ftk does not take, with why: refused in one line (exit 2) that says
 * so, rather than as an unknown option.
 */
const NOT_SUPPORTED: Record<string, string> = {
  "-N": "ftk records on this machine only (no trace-cmd listen)",
  "-V": "ftk records on this machine only (no trace-cmd agent)",
  "-A": "ftk records no guests through an agent: run ftk inside the guest",
  "--proxy": "ftk records no guests through an agent: run ftk inside the guest",
  "--name": "it names an agent (-A), which ftk does not use",
  "--tsync-interval": "it syncs guest clocks (-A), which ftk does not record",
  "--ts-offset": "it shifts guest recordings (-A); 'ftk report --ts-offset' shifts a file's times",
  "-t": "it asks for TCP with -N; ftk records on this machine only",
  "--fork": "ftk runs no command for start/set",
  "-G": "it is a profile flag: use 'ftk profile -G' or 'ftk report --profile -G'",
  "-S": "it is a profile flag: use 'ftk profile -S'",
  "-H": "it is a profile flag: use 'ftk profile -H' or 'ftk report --profile -H'",
  "--by-comm": "it is a profile flag: use 'ftk profile --by-comm' or 'ftk report --profile --by-comm'",
  "--stderr": "it is a profile flag: use 'ftk profile --stderr'",
  "--nosplice": "ftk never splices (it reads trace_pipe_raw into memory)",
  "--nofifos": "ftk uses no FIFOs (they serve -N and -A)",
  "--notimeout": "it waits for agents (-A), which ftk does not use",
};
/** trace-cmd's log levels for --verbose=LEVEL. */
const VERBOSE_LEVELS = /^([0-6]|none|crit|err|warn|info|debug|all)$/;

/** Every flag the parser accepts in `mode`, with whether it takes a value (help texts and completion list them). */
export function recordFlags(mode: RecordMode): { flag: string; takesValue: boolean }[] {
  return [
    ...[...WITH_VALUE].map((flag) => ({ flag, takesValue: true })),
    ...[...FLAGS, ...(MODE_FLAGS[mode] ?? [])].map((flag) => ({ flag, takesValue: false })),
  ];
}

/** A whole number of at least `min` (1 unless zero means something, as for --max-graph-depth). */
function positiveInt(flag: string, value: string, min = 1): number {
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`${flag}: bad number '${value}': give ${min === 0 ? "a whole number" : "a positive integer"}`);
  }
  return Number(value);
}

/** Parses the flags of record/start/stream/extract; the first non-flag word starts the command. */
export function parseRecordArgs(argv: readonly string[], mode: RecordMode = "record"): RecordOptions {
  const top: InstanceRequest = { name: "", events: [], options: [] };
  const o: RecordOptions = {
    instances: [top],
    ftraceFilter: [],
    ftraceNotrace: [],
    graphFunctions: [],
    pids: [],
    commandOnly: false,
    followChildren: false,
    ignoreMissing: false,
    output: "trace.dat",
    quiet: false,
    keep: false,
    fileVersion: 7,
    compression: "zstd",
    compressionGiven: false,
    noFilter: false,
    uprobes: [],
    command: [],
  };
  let current = top;
  let lastEvent: EventRequest | undefined;
  let negate = false;
  /** --module MOD: the kernel module the following function names belong to. */
  let module: string | undefined;
  let moduleFiltered = false;
  const inModule = (func: string): string => {
    if (module === undefined) return func;
    moduleFiltered = true;
    return `${func}:mod:${module}`;
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    if (arg === "--") {
      o.command = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith("--") && arg.includes("=")) {
      value = arg.slice(arg.indexOf("=") + 1);
      arg = arg.slice(0, arg.indexOf("="));
    } else if (/^-[a-zA-Z].+/.test(arg) && !arg.startsWith("--") && WITH_VALUE.has(arg.slice(0, 2))) {
      value = arg.slice(2);
      arg = arg.slice(0, 2);
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (mode === "extract" || mode === "start" || mode === "set") throw new UsageError(`unexpected argument '${arg}': '${mode}' runs no command`);
      o.command = argv.slice(i);
      break;
    }
    if (WITH_VALUE.has(arg)) {
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined) throw new UsageError(`option '${arg}' needs a value`);
      }
    } else if (!FLAGS.has(arg) && !(MODE_FLAGS[mode]?.has(arg) ?? false)) {
      const why = NOT_SUPPORTED[arg];
      if (why !== undefined && !(mode === "extract" && arg === "-t")) throw new UsageError(`option '${arg}' is not supported by ftk ${mode}: ${why}`);
      throw new UsageError(`unknown option '${arg}': run 'ftk ${mode} --help'`);
    }
    const v = value ?? "";
    switch (arg) {
      case "-e":
        lastEvent = { spec: v, triggers: [], ...(negate ? { negate } : {}) };
        current.events.push(lastEvent);
        break;
      case "-v":
        negate = true;
        break;
      case "-f":
        if (lastEvent === undefined) throw new UsageError(`-f '${v}' must follow the -e it filters`);
        if (lastEvent.negate) throw new UsageError(`-f '${v}' follows an event that -v disables`);
        lastEvent.filter = lastEvent.filter === undefined ? v : `(${lastEvent.filter})&&(${v})`;
        break;
      case "-R":
        if (lastEvent === undefined) throw new UsageError(`-R '${v}' must follow the -e it triggers on`);
        lastEvent.triggers.push(v);
        break;
      case "-T":
        current.options.push({ name: "stacktrace", on: true });
        break;
      case "-O":
        for (const name of v.split(",").filter((s) => s !== "")) {
          const on = !name.startsWith("no");
          current.options.push({ name: on ? name : name.slice(2), on });
        }
        break;
      case "-i":
        o.ignoreMissing = true;
        break;
      case "-p":
        o.tracer = v;
        break;
      case "-g":
        o.graphFunctions.push(inModule(v));
        break;
      case "-l":
        o.ftraceFilter.push(inModule(v));
        break;
      case "-n":
        o.ftraceNotrace.push(inModule(v));
        break;
      case "--module":
        // As trace-cmd: the -l/-n/-g after it name functions of that module; a module with none of
        // them traces all of its functions ("*:mod:MOD" in set_ftrace_filter).
        if (current !== top) throw new UsageError("--module applies to the top level only: give it before any -B");
        if (module !== undefined && !moduleFiltered) o.ftraceFilter.push(`*:mod:${module}`);
        module = v;
        moduleFiltered = false;
        break;
      case "--max-graph-depth":
        o.maxGraphDepth = positiveInt(arg, v, 0);
        break;
      case "-P":
        for (const p of v.split(",")) o.pids.push(positiveInt(arg, p));
        break;
      case "-F":
        o.commandOnly = true;
        break;
      case "-c":
        o.followChildren = true;
        break;
      case "-C":
        current.clock = v;
        break;
      case "-b":
        current.bufferSizeKb = positiveInt(arg, v);
        break;
      case "-m":
        o.maxKb = positiveInt(arg, v);
        break;
      case "-M":
        if (!/^[0-9a-fA-F,]+$/.test(v)) throw new UsageError(`-M: bad cpu mask '${v}': give a hex mask like '3'`);
        current.cpumask = v;
        break;
      case "-B":
        if (v === "" || v.includes("/")) throw new UsageError(`-B: bad instance name '${v}'`);
        if (negate) throw new UsageError(`-v -B '${v}': ftk does not delete instances while recording: use 'ftk reset -B ${v} -d'`);
        current = { name: v, events: [], options: [] };
        o.instances.push(current);
        lastEvent = undefined;
        break;
      case "--cmdlines-size":
        o.cmdlinesSize = positiveInt(arg, v);
        break;
      case "-o":
        o.output = v;
        break;
      case "-q":
      case "--quiet":
        o.quiet = true;
        break;
      case "-s":
        o.sleepUs = positiveInt(arg, v);
        break;
      case "-k":
        o.keep = true;
        break;
      case "--file-version":
        if (v !== "6" && v !== "7") throw new UsageError(`--file-version: bad version '${v}': give 6 or 7`);
        o.fileVersion = v === "6" ? 6 : 7;
        break;
      case "--compression":
        if (v !== "none" && v !== "zstd" && v !== "zlib" && v !== "any") {
          throw new UsageError(`--compression: unknown algorithm '${v}': give none, zstd or zlib`);
        }
        o.compression = v === "any" ? "zstd" : v;
        o.compressionGiven = true;
        break;
      case "--no-filter":
        o.noFilter = true;
        break;
      case "--uprobe":
        o.uprobes.push(v);
        break;
      case "-x":
        o.ufuncgraphBinary = v;
        break;
      case "--user":
        if (v === "") throw new UsageError("--user needs a user name or uid");
        o.user = v;
        break;
      case "--date":
        o.date = true;
        break;
      case "--temp":
        o.tempDir = v;
        break;
      case "-d":
        o.disableFunctionTrace ??= "tracer";
        break;
      case "-D":
        o.disableFunctionTrace = "all";
        break;
      case "-r":
        o.priority = positiveInt(arg, v);
        if (o.priority > 99) throw new UsageError(`-r: bad priority '${v}': give 1 to 99 (SCHED_FIFO)`);
        break;
      case "--poll":
        // ftk's reads never block (trace_pipe_raw is opened O_NONBLOCK and polled): what --poll asks for.
        break;
      case "--func-stack":
        o.funcStack = true;
        break;
      case "--tsc2nsec":
        o.tsc2nsec = true;
        break;
      case "--profile":
        o.profile = true;
        break;
      case "-a":
        o.allInstances = true;
        break;
      case "-t":
        o.extractTop = true;
        break;
      case "--verbose":
        // trace-cmd's log level: checked and accepted; ftk has nothing more to log.
        if (value !== undefined && !VERBOSE_LEVELS.test(value)) throw new UsageError(`invalid verbose level '${value}': use 0-6 or none, crit, err, warn, info, debug, all`);
        break;
      case "--sample":
        o.sample = value === undefined ? {} : { hz: positiveInt("--sample", value) };
        break;
      case "--off-cpu":
        o.offCpu = true;
        break;
      case "--proc-map":
        o.procMap = true;
        break;
      case "-h":
      case "--help":
        throw new UsageError(`usage: ftk ${mode} [options] [command [args...]]`, { code: "help" });
      default:
        throw new UsageError(`option '${arg}' is not supported by ftk ${mode}`);
    }
  }
  if (module !== undefined) {
    if (o.tracer === "ufuncgraph") throw new UsageError("--module names kernel functions: it does not apply to -p ufuncgraph");
    if (!moduleFiltered) o.ftraceFilter.push(`*:mod:${module}`);
  }
  if (o.fileVersion === 6) {
    if (o.compressionGiven && o.compression !== "none") {
      throw new UsageError(`--compression '${o.compression}' needs --file-version 7 (version 6 files are never compressed)`);
    }
    o.compression = "none";
  }
  if (o.commandOnly && o.command.length === 0 && mode === "record") {
    throw new UsageError("-F needs a command to run: ftk record -F [options] command [args...]");
  }
  if (o.followChildren && !o.commandOnly && o.pids.length === 0) {
    throw new UsageError("-c follows children of the filtered processes: use it with -F or -P");
  }
  if (o.funcStack && o.tracer !== "function") throw new UsageError("--func-stack needs -p function");
  if (o.funcStack) top.options.push({ name: "func_stack_trace", on: true });
  if (o.disableFunctionTrace !== undefined) top.options.push({ name: "function-trace", on: false });
  if (o.user !== undefined && o.command.length === 0 && mode === "record") throw new UsageError("--user runs the command as that user: give a command");
  if (o.tsc2nsec) {
    if (top.clock !== undefined && top.clock !== "x86-tsc") throw new UsageError(`--tsc2nsec records with the x86-tsc clock: it cannot be used with -C ${top.clock}`);
    top.clock = "x86-tsc";
  }
  if (o.sample !== undefined || o.offCpu === true) addProfileRequests(o);
  if (o.tracer === "ufuncgraph" && o.ufuncgraphBinary === undefined) {
    throw new UsageError("-p ufuncgraph needs -x BINARY (and -g GLOB for the functions)");
  }
  return o;
}
