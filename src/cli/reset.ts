// `ftk reset`: puts tracefs back to kernel defaults. Without options: the top level and every instance
// (instances removed) and all dynamic events, so a shared machine is left clean. Flags follow `trace-cmd reset`.
import { UsageError } from "../base/index.js";
import { Tracefs, resetTracefs } from "../tracefs/index.js";
import type { ResetOptions } from "../tracefs/index.js";
import { parseOrderedArgs, type FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk reset [-b size][-B buf][-a][-d][-t][-k [type]]

Disables tracing and puts every setting back to the kernel default: tracer, events, filters, triggers,
pid and function filters, clock, options, cpumask; tracing_on ends at 1. Without -B/-a/-t this covers
the top level and all instances, and removes the instances and all dynamic events.

  -b size  set the buffer size (KiB per CPU) of what is reset (otherwise sizes are left as they are)
  -B buf   reset only instance buf (may be repeated); -d also removes it
  -a       reset all instances (kept unless -d)
  -d       remove the instances given with -B or -a after resetting them
  -t       also reset the top level (with -B or -a)
  -k [type] keep dynamic events: all, or one kind (uprobe, kprobe, eprobe, synth; may be repeated)
`;

const KINDS = ["all", "uprobe", "uretprobe", "kprobe", "kretprobe", "eprobe", "synth"];

/** The flags `run` parses (shell completion reads them too). */
const FLAGS: Record<string, FlagSpec> = {
  help: { type: "boolean", short: "h" }, B: { type: "string", short: "B" }, a: { type: "boolean", short: "a" },
  t: { type: "boolean", short: "t" }, d: { type: "boolean", short: "d" }, b: { type: "string", short: "b" },
  k: { type: "boolean", short: "k" },
};

/** Resets tracefs. */
export const command: Command = {
  summary: "put tracing back to kernel defaults (events, filters, triggers, options, instances, probes)",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "reset");
    if (flags.some((f) => f.name === "help")) { ctx.stdout.write(HELP); return 0; }
    const names = flags.filter((f) => f.name === "B").map((f) => f.value!);
    const all = flags.some((f) => f.name === "a");
    const top = flags.some((f) => f.name === "t");
    const del = flags.some((f) => f.name === "d");
    const sizeText = flags.filter((f) => f.name === "b").pop()?.value;
    if (sizeText !== undefined && !/^\d+$/.test(sizeText)) throw new UsageError(`bad buffer size '${sizeText}' for -b: give KiB per CPU`);
    const size = sizeText === undefined ? undefined : Math.max(1, Number(sizeText));
    // -k takes optional kinds as the following words (trace-cmd: -k dynevent-type).
    const keepFlag = flags.some((f) => f.name === "k");
    for (const p of positionals) {
      if (!keepFlag || !KINDS.includes(p)) throw new UsageError(`unexpected argument '${p}': run 'ftk reset --help'`);
    }
    const keepAll = keepFlag && (positionals.length === 0 || positionals.includes("all"));
    const keep = positionals.filter((p) => p !== "all").map((p) => p.replace(/ret/, ""));
    if (del && names.length === 0 && !all) throw new UsageError("-d needs -B buf or -a (the top level can not be deleted)");
    const opts: ResetOptions = {
      keepDynamicEvents: keepAll ? true : keep,
      ...(size !== undefined ? { bufferSizeKb: size } : {}),
    };
    if (names.length > 0 || all) {
      opts.instances = all ? "all" : names;
      opts.top = top;
      opts.deleteInstances = del;
    } else if (top) {
      opts.top = true;
      opts.instances = [];
    }
    const fs = await Tracefs.open();
    const warnings = await resetTracefs(fs, opts);
    for (const w of warnings) ctx.stderr.write(`ftk reset: could not reset ${w}\n`);
    return warnings.length > 0 ? 1 : 0;
  },
};
