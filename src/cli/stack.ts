// `ftk stack`: the kernel's stack tracer (the deepest kernel stack seen), like trace-cmd stack: start,
// stop, reset its maximum, or print it. Kernels without CONFIG_STACK_TRACER say so in one line.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { TracefsError, UsageError, describeErrno } from "../base/index.js";
import { Tracefs } from "../tracefs/index.js";
import { parseOrderedArgs, withoutVerbose } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk stack [--start][--stop][--reset]

The stack tracer records the deepest kernel stack seen. Without options: whether it runs, then the
stack (tracefs stack_trace, without its '#' comment lines).

  --start    start the stack tracer (/proc/sys/kernel/stack_tracer_enabled = 1)
  --stop     stop it
  --reset    forget the deepest stack seen so far (stack_max_size = 0)
  --verbose[=LEVEL] accepted, as trace-cmd's log level (0-6 or none ... all); ftk logs nothing more
  -h, --help this help
`;

const FLAGS: Record<string, FlagSpec> = { start: { type: "boolean" }, stop: { type: "boolean" }, reset: { type: "boolean" }, help: { type: "boolean", short: "h" } };
const ENABLED = "/proc/sys/kernel/stack_tracer_enabled";

function writeKnob(path: string, value: string): void {
  try {
    if (readFileSync(path, "latin1").trim() !== value) writeFileSync(path, value);
  } catch (e) {
    throw new TracefsError(`cannot write '${path}': ${describeErrno(e)}`, { code: (e as NodeJS.ErrnoException).code ?? "error", path, cause: e });
  }
}

/** Starts, stops, resets or prints the stack tracer. */
export const command: Command = {
  summary: "the kernel stack tracer: start, stop, reset, or print the deepest stack (CONFIG_STACK_TRACER)",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(withoutVerbose(argv), FLAGS, "stack");
    if (flags.some((f) => f.name === "help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': run 'ftk stack --help'`);
    // The last of --start/--stop/--reset wins, as in trace-cmd.
    const action = flags.filter((f) => f.name !== "help").pop()?.name;
    if (!existsSync(ENABLED)) {
      throw new TracefsError(`the stack tracer is not available on this kernel ('${ENABLED}' is missing: CONFIG_STACK_TRACER)`, { code: "ENOENT", path: ENABLED });
    }
    const fs = await Tracefs.open();
    if (action === "start") writeKnob(ENABLED, "1");
    else if (action === "stop") writeKnob(ENABLED, "0");
    else if (action === "reset") await fs.writeFile("stack_max_size", "0");
    else {
      const running = Number(readFileSync(ENABLED, "latin1").trim()) > 0;
      const text = await fs.readFile("stack_trace");
      const lines = text.split(/(?<=\n)/).filter((l) => !l.startsWith("#"));
      ctx.stdout.write(`(stack tracer ${running ? "running" : "not running"})\n${lines.join("")}`);
    }
    return 0;
  },
};
