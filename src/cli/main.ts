// Entry point of the ftk CLI: picks the subcommand, maps errors to one line and an exit status.
import { isFtkError } from "../index.js";
import type { CliContext, Command } from "./context.js";

// Each subcommand lives in its own file and is loaded only when used.
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  // name: () => import("./name.js"),  one line per subcommand
  list: () => import("./list.js"),
  stat: () => import("./stat.js"),
  show: () => import("./show.js"),
  stop: () => import("./stop.js"),
  reset: () => import("./reset.js"),
  report: () => import("./report.js"),
  probe: () => import("./probe.js"),
  record: () => import("./record.js"),
  start: () => import("./start.js"),
  extract: () => import("./extract.js"),
  stream: () => import("./stream.js"),
  flamegraph: () => import("./flamegraph.js"),
};

/** The command list: names only, or `name  summary` lines when the summaries are given. */
function usage(summaries?: Map<string, string>): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  const line = (name: string): string => {
    const summary = summaries?.get(name);
    return summary === undefined ? `  ${name}` : `  ${name.padEnd(width)}  ${summary}`;
  };
  return [
    "usage: ftk <command> [options]",
    "",
    "commands:",
    ...names.map(line),
    "",
    "Run 'ftk <command> --help' for the options of a command.",
    "",
  ].join("\n");
}

/** Each command's one-line summary; only `ftk --help` loads every module (a module that fails to load shows its name alone). */
async function loadSummaries(): Promise<Map<string, string>> {
  const entries = await Promise.all(
    Object.entries(COMMANDS).map(async ([name, load]) => {
      try {
        return [name, (await load()).command.summary] as const;
      } catch {
        return undefined;
      }
    }),
  );
  return new Map(entries.filter((e) => e !== undefined));
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit status. */
export async function main(
  argv: string[],
  io: Partial<Pick<CliContext, "stdout" | "stderr" | "env" | "signal">> = {},
): Promise<number> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  const stderr = io.stderr ?? process.stderr;
  const ctx: CliContext = {
    stdout: io.stdout ?? process.stdout,
    stderr,
    env: io.env ?? process.env,
    signal: io.signal ?? new AbortController().signal,
    debug,
  };
  const name = args[0];
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    if (name === undefined) {
      stderr.write(usage());
      return 2;
    }
    ctx.stdout.write(usage(await loadSummaries()));
    return 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    stderr.write(`ftk: unknown command '${name}': run 'ftk --help' for the list\n`);
    return 2;
  }
  try {
    const { command } = await load();
    return await command.run(args.slice(1), ctx);
  } catch (e) {
    if (isFtkError(e)) {
      stderr.write(`ftk ${name}: ${e.message}\n`);
      if (debug && e.stack) stderr.write(e.stack + "\n");
      return e.exitCode;
    }
    const msg = e instanceof Error ? e.message : String(e);
    stderr.write(`ftk: internal error: ${msg} (run with --debug for details)\n`);
    if (debug && e instanceof Error && e.stack) stderr.write(e.stack + "\n");
    return 1;
  }
}
