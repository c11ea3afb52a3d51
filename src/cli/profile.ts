// `ftk profile`: trace-cmd profile 3.1.6, i.e. `record --profile` of a command (or until Ctrl-C) and then
// `report --profile` of what was recorded. ftk records into a temporary trace.dat (removed at the end)
// with the record machinery, so tracefs is restored on every exit path as for record.
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { FtkError, TextOutput, UsageError } from "../base/index.js";
import { record, recordFlags } from "../record/index.js";
import { parseProfileHook, type ProfileHook } from "../model/index.js";
import { writeProfileReport } from "../profile/index.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";
import { parseOrHelp, recordFlagSpecs, withStopSignals } from "./record.js";

export const PROFILE_HELP = `usage: ftk profile [options] [command [args...]]

Records what 'report --profile' needs while the command runs (or until Ctrl-C, or until the -P
processes exit), then prints the profile of every task: time scheduled out by state, wakeup
latency, syscall, irq, softirq and function_graph times, other events counted, each with the kernel
stacks that led there. Same as 'ftk record --profile' followed by 'ftk report --profile'.

  -H HOOK        also time pairs of events: [sys:]start,match[,pid]/[sys:]end,match[,flags]
                 (flags: P pinned to a CPU, G global); the two events are recorded; repeatable
  -G             irq and softirq times go to per-CPU global tasks, not to the interrupted task
  --by-comm      merge the tasks that have the same comm
  -S             record only the events given with -e (not the profile's own set)
  -o FILE        write the profile to FILE instead of the standard output
  --stderr       write the profile to the standard error
  Record options (see 'ftk record --help'): -e, -f, -R, -T, -p, -g, -l, -n, -O, -P, -F, -c, -C,
  -b, -M, -B, -i, -v, -s, -d, -D, -r, --user, --max-graph-depth, --cmdlines-size, --file-version,
  --compression, --no-filter, --temp, ...
  -h, --help     this help

The exit status is the command's (128+N if it died of signal N).
`;

/** Flags of profile itself; the others are record's (-o here names the profile text, not a trace.dat). */
const OWN: Record<string, FlagSpec> = {
  "profile-hook": { type: "string", short: "H" },
  "profile-global": { type: "boolean", short: "G" },
  "by-comm": { type: "boolean" },
  manual: { type: "boolean", short: "S" },
  output: { type: "string", short: "o" },
  stderr: { type: "boolean" },
};

interface ProfileArgs {
  recordArgv: string[];
  hooks: ProfileHook[];
  global: boolean;
  byComm: boolean;
  manual: boolean;
  output: string | undefined;
  toStderr: boolean;
}

/** Takes profile's own flags out of argv (up to the command) and leaves the record flags in order. */
function splitArgs(argv: readonly string[]): ProfileArgs {
  const takesValue = new Set(recordFlags("record").filter((f) => f.takesValue).map((f) => f.flag));
  const a: ProfileArgs = { recordArgv: [], hooks: [], global: false, byComm: false, manual: false, output: undefined, toStderr: false };
  let i = 0;
  const value = (flag: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--" || !arg.startsWith("-") || arg === "-") break;
    if (arg === "-H") {
      const text = value(arg);
      const hook = parseProfileHook(text);
      if (hook === undefined) throw new UsageError(`bad hook '${text}' for -H: give [system:]start_event,start_match[,pid]/[system:]end_event,end_match[,flags] (flags P, G, S)`);
      a.hooks.unshift(hook);
    } else if (arg === "-G") a.global = true;
    else if (arg === "--by-comm") a.byComm = true;
    else if (arg === "-S") a.manual = true;
    else if (arg === "--stderr") a.toStderr = true;
    else if (arg === "-o") {
      if (a.output !== undefined) throw new UsageError("only one -o: it names the file the profile is written to");
      a.output = value(arg);
    } else {
      a.recordArgv.push(arg);
      const eq = arg.indexOf("=");
      if (takesValue.has(arg) && eq < 0) a.recordArgv.push(value(arg));
    }
  }
  a.recordArgv.push(...argv.slice(i));
  return a;
}

/** The event spec record takes for one side of a hook. */
function hookEvent(system: string | undefined, event: string): string {
  return system === undefined ? event : `${system}:${event}`;
}

/** record's flags, with -o as profile's own (the text's file, not a trace.dat). */
function profileFlags(): Record<string, FlagSpec> {
  const specs = recordFlagSpecs("record");
  delete specs.o;
  return { ...specs, ...OWN };
}

/** Records with --profile and prints the profile when the command ends. */
export const command: Command = {
  summary: "record a command with --profile and print the per-task profile when it ends (trace-cmd profile)",
  flags: profileFlags(),
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const args = splitArgs(argv);
    const parsed = parseOrHelp(args.recordArgv, "record", PROFILE_HELP, ctx);
    if (parsed === undefined) return 0;
    const top = parsed.instances[0]!;
    for (const h of args.hooks) {
      for (const spec of [hookEvent(h.startSystem, h.startEvent), hookEvent(h.endSystem, h.endEvent)]) {
        if (!top.events.some((e) => e.spec === spec && !e.negate)) top.events.push({ spec, triggers: [] });
      }
    }
    if (args.manual && parsed.instances.every((i) => i.events.length === 0) && parsed.tracer === undefined) {
      throw new UsageError("-S records only the events given: add them with -e (for example -e sched)");
    }
    // Check the profile's destination before anything is traced.
    let dest: Writable = args.toStderr ? ctx.stderr : ctx.stdout;
    let file: Writable | undefined;
    if (args.output !== undefined) {
      file = await openOutput(args.output);
      dest = file;
    }
    const dir = await mkdtemp(join(tmpdir(), "ftk-profile-"));
    try {
      const trace = join(dir, "trace.dat");
      const options = { ...parsed, output: trace, quiet: true, profile: !args.manual };
      const result = await withStopSignals(ctx, (signal) => record(options, { stdout: ctx.stdout, stderr: ctx.stderr, signal }));
      const out = new TextOutput(dest);
      const onWarning = (message: string): void => void ctx.stderr.write(`ftk profile: warning: ${message}\n`);
      await writeProfileReport({ inputs: [trace], onWarning }, { global: args.global, hooks: args.hooks, byComm: args.byComm }, out);
      await out.flush();
      return result.status;
    } finally {
      await rm(dir, { recursive: true, force: true });
      if (file !== undefined) await new Promise<void>((resolve) => file!.end(resolve));
    }
  },
};

/** Opens the -o file (truncating it), or throws a one-line error naming it. */
function openOutput(path: string): Promise<Writable> {
  return new Promise((resolve, reject) => {
    const s = createWriteStream(path);
    s.once("open", () => resolve(s));
    s.once("error", (e: NodeJS.ErrnoException) =>
      reject(new FtkError(`cannot write '${path}': ${e.code === "ENOENT" ? "its directory does not exist" : e.message}`, { code: e.code ?? "EIO", path })),
    );
  });
}
