// Entry point of the ftk CLI: picks the subcommand, maps errors to one line and an exit status.
// Only base/ is loaded here: each command pulls in its own part of the library when it runs (issue 11).
import { readFileSync } from "node:fs";
import { isFtkError, markShortLived, stdoutSink, type TextSink } from "../base/index.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

// Each subcommand lives in its own file and is loaded only when used.
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  // name: () => import("./name.js"),  one line per subcommand
  list: () => import("./list.js"),
  stat: () => import("./stat.js"),
  show: () => import("./show.js"),
  stop: () => import("./stop.js"),
  restart: () => import("./restart.js"),
  reset: () => import("./reset.js"),
  report: () => import("./report.js"),
  probe: () => import("./probe.js"),
  record: () => import("./record.js"),
  start: () => import("./start.js"),
  extract: () => import("./extract.js"),
  stream: () => import("./stream.js"),
  completion: () => import("./completion.js"),
  convert: () => import("./convert.js"),
  set: () => import("./set.js"),
  clear: () => import("./clear.js"),
  "check-events": () => import("./check-events.js"),
  snapshot: () => import("./snapshot.js"),
  restore: () => import("./restore.js"),
  split: () => import("./split.js"),
  options: () => import("./options.js"),
  dump: () => import("./dump.js"),
  hist: () => import("./hist.js"),
  stack: () => import("./stack.js"),
  trace: () => import("./trace.js"),
  export: () => import("./export.js"),
  sql: () => import("./sql.js"),
  flamegraph: () => import("./flamegraph.js"),
  profile: () => import("./profile.js"),
};

/** What `ftk --help` and shell completion know of one command. */
export interface CommandInfo {
  summary: string;
  flags: Record<string, FlagSpec>;
}

/** The command list, with each command's one-line summary. */
function usage(summaries: Map<string, string>): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  const line = (name: string): string => {
    const summary = summaries.get(name);
    return summary === undefined ? `  ${name}` : `  ${name.padEnd(width)}  ${summary}`;
  };
  return [
    "usage: ftk <command> [options]",
    "",
    "commands:",
    ...names.map(line),
    "",
    "options:",
    "  --debug      with any command: on an error, print its stack trace too",
    "  --version    print ftk's version",
    "  --help       this text",
    "",
    "Run 'ftk <command> --help' for the options of a command.",
    "",
  ].join("\n");
}

/** Every command's summary and flag table, by loading each module (a module that fails to load is left out). */
export async function loadCommandInfo(): Promise<Map<string, CommandInfo>> {
  const entries = await Promise.all(
    Object.entries(COMMANDS).map(async ([name, load]) => {
      try {
        const { command } = await load();
        return [name, { summary: command.summary, flags: command.flags ?? {} }] as const;
      } catch {
        return undefined;
      }
    }),
  );
  return new Map(entries.filter((e) => e !== undefined));
}

/** Where the build writes loadCommandInfo()'s answer (tools/command-manifest.mjs), so help loads no module. */
export const COMMAND_MANIFEST = new URL("./commands.json", import.meta.url);

/** The summaries from the build's manifest when it names every command; else from the modules themselves. */
async function summaries(): Promise<Map<string, string>> {
  try {
    const manifest = JSON.parse(readFileSync(COMMAND_MANIFEST, "utf8")) as Record<string, { summary?: unknown }>;
    const out = new Map<string, string>();
    for (const name of Object.keys(COMMANDS)) {
      const s = manifest[name]?.summary;
      if (typeof s !== "string") throw new Error(`manifest has no '${name}'`);
      out.set(name, s);
    }
    return out;
  } catch {
    return new Map([...(await loadCommandInfo())].map(([name, info]) => [name, info.summary]));
  }
}

/** ftk's version, from its package.json. */
async function version(): Promise<string> {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit status. */
export async function main(
  argv: string[],
  io: Partial<Pick<CliContext, "stdout" | "stderr" | "env" | "signal">> = {},
): Promise<number> {
  // --debug is ftk's wherever it stands, except in the argv of a program that a command runs (commandStart).
  let debug = argv.includes("--debug");
  let args = argv.filter((a) => a !== "--debug");
  // Getters: process.stdout and process.stderr build their streams when first read (issue 11: start-up).
  let sink: TextSink | undefined;
  const ctx: CliContext = {
    get stdout() {
      return io.stdout ?? process.stdout;
    },
    get stdoutSink() {
      return io.stdout ?? (sink ??= stdoutSink());
    },
    get stderr() {
      return io.stderr ?? process.stderr;
    },
    env: io.env ?? process.env,
    signal: io.signal ?? new AbortController().signal,
    debug,
  };
  const name = args[0];
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    ctx.stdoutSink.write(usage(await summaries()));
    return 0;
  }
  if (name === "--version" || name === "-V") {
    ctx.stdoutSink.write(`ftk version ${await version()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    ctx.stderr.write(`ftk: unknown command '${name}': run 'ftk --help' for the list\n`);
    return 2;
  }
  markShortLived();
  try {
    const { command } = await load();
    if (command.commandStart !== undefined) {
      const at = argv.indexOf(name);
      const rest = argv.slice(at + 1);
      const start = command.commandStart(rest);
      const own = [...argv.slice(0, at), ...rest.slice(0, start)];
      debug = ctx.debug = own.includes("--debug");
      args = [name, ...rest.slice(0, start).filter((a) => a !== "--debug"), ...rest.slice(start)];
    }
    return await command.run(args.slice(1), ctx);
  } catch (e) {
    if (isFtkError(e)) {
      ctx.stderr.write(`ftk ${name}: ${e.message}\n`);
      if (debug && e.stack) ctx.stderr.write(e.stack + "\n");
      return e.exitCode;
    }
    const msg = e instanceof Error ? e.message : String(e);
    ctx.stderr.write(`ftk: internal error: ${msg} (run with --debug for details)\n`);
    if (debug && e instanceof Error && e.stack) ctx.stderr.write(e.stack + "\n");
    return 1;
  }
}
