// `ftk snapshot`: the kernel's snapshot buffer, like trace-cmd snapshot: take (-s), reset (-r), free
// (-f), or print it; -c for one CPU, -B for an instance. Kernels without CONFIG_TRACER_SNAPSHOT say so.
import { TracefsError, UsageError } from "../base/index.js";
import { Tracefs } from "../tracefs/index.js";
import { parseIntegerFlag, parseOrderedArgs } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk snapshot [-s][-r][-f][-B buf][-c cpu]

  -s         take a snapshot of the trace buffer
  -r         reset (empty) the snapshot
  -f         free the snapshot buffer
             without -s, -r or -f: print the snapshot
  -c cpu     only this CPU's snapshot buffer
  -B buf     the snapshot of instance buf
  -h, --help this help
`;

const FLAGS: Record<string, FlagSpec> = {
  s: { type: "boolean", short: "s" }, r: { type: "boolean", short: "r" }, f: { type: "boolean", short: "f" },
  c: { type: "string", short: "c" }, B: { type: "string", short: "B" }, help: { type: "boolean", short: "h" },
};

/** Takes, resets, frees or prints the snapshot buffer. */
export const command: Command = {
  summary: "take, reset, free or print the snapshot buffer (kernels with CONFIG_TRACER_SNAPSHOT)",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "snapshot");
    if (flags.some((f) => f.name === "help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': run 'ftk snapshot --help'`);
    const has = (n: string) => flags.some((f) => f.name === n);
    const actions = ["s", "r", "f"].filter(has);
    if (actions.length > 1) throw new UsageError("give only one of -s, -r and -f");
    const cpuText = flags.filter((f) => f.name === "c").pop()?.value;
    const cpu = cpuText === undefined ? undefined : parseIntegerFlag(cpuText, "-c");
    const name = flags.filter((f) => f.name === "B").pop()?.value;
    const fs = await Tracefs.open();
    const inst = name === undefined ? fs.topInstance() : fs.instance(name);
    if (cpu !== undefined && (cpu < 0 || cpu >= fs.cpuCount())) throw new UsageError(`-c ${cpu}: no such CPU (0 to ${fs.cpuCount() - 1})`);
    const file = cpu === undefined ? "snapshot" : `per_cpu/cpu${cpu}/snapshot`;
    if (!inst.hasFile(file)) {
      throw new TracefsError(`the snapshot buffer is not available on this kernel ('${inst.rel(file)}' is missing: CONFIG_TRACER_SNAPSHOT)`, { code: "ENOENT", path: inst.rel(file) });
    }
    const value = { s: "1", r: "2", f: "0" }[actions[0] as "s" | "r" | "f"];
    if (value !== undefined) await inst.writeFile(file, value);
    else ctx.stdout.write(await inst.readFile(file));
    return 0;
  },
};
