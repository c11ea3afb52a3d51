// `ftk sql`: SQL over trace.dat files with DuckDB (tables named as in Perfetto; see `--tables`).
import { createInterface } from "node:readline";
import { HEAVY_TABLES, TraceDatabase, formatCsv, formatJson, formatTable } from "../sql/index.js";
import { UsageError } from "../base/index.js";
import type { QueryResult } from "../sql/index.js";
import { parseOrderedArgs, type FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";
import { progressText } from "./progress.js";

const HELP = `usage: ftk sql [-i FILE]... [--csv | --json] [--tables] [QUERY]

Loads trace.dat files into DuckDB and runs QUERY. With no QUERY: a small REPL on a terminal, else the
SQL read from stdin.

Tables (Perfetto's names; each has a 'trace' column naming its file):
  thread(utid, tid, name, upid)            process(upid, pid, name)
  sched_slice(ts, dur, cpu, utid, end_state, priority)
  thread_state(ts, dur, utid, state, cpu)  counter(ts, name, cpu, value)
  slice(ts, dur, depth, name, category, utid)   calls: funcgraph, ufuncgraph, syscall
  ftrace_event(ts, cpu, utid, name, system, args)   every event, fields as JSON
  SYSTEM__EVENT(ts, cpu, utid, FIELD...)    one table per event type, e.g. sched__sched_switch
Times are ns as in the file; dur is -1 for what was still open at the end.

  -i FILE      input file (default trace.dat); repeat to load several
  --csv        CSV output
  --json       JSON output (an array of row objects)
  --tables     list the tables and their columns
  -h, --help   this text
`;

const FLAGS: Record<string, FlagSpec> = {
  input: { type: "string", short: "i" },
  csv: { type: "boolean" },
  json: { type: "boolean" },
  tables: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export const command: Command = {
  summary: "SQL over trace.dat files (DuckDB; Perfetto's table names)",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "sql");
    const has = (name: string): boolean => flags.some((f) => f.name === name);
    if (has("help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    if (has("csv") && has("json")) throw new UsageError("--csv and --json cannot be used together");
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}': give the query as one argument (quote it)`);
    const inputs = flags.filter((f) => f.name === "input").map((f) => f.value!);
    if (inputs.length === 0) inputs.push("trace.dat");
    const format = (r: QueryResult): string => (has("csv") ? formatCsv(r) : has("json") ? formatJson(r) : formatTable(r));
    const tty = (ctx.stderr as { isTTY?: boolean }).isTTY === true;
    // The costly model tables are filled only when the query names them (all of them for stdin and the REPL).
    const query0 = positionals[0];
    const skipTables = has("tables") ? [...HEAVY_TABLES] : query0 === undefined ? [] : HEAVY_TABLES.filter((t) => !new RegExp(`\\b${t}\\b`, "i").test(query0));
    const db = await TraceDatabase.open(inputs, {
      skipTables,
      onWarning: (m) => ctx.stderr.write(`${tty ? "\n" : ""}ftk sql: warning: ${m}\n`),
      signal: ctx.signal,
      ...(tty ? { onProgress: (n: number, f: number, path: string) => void ctx.stderr.write(`\rftk sql: loading '${path}': ${progressText(n, f)}`) } : {}),
    });
    if (tty) ctx.stderr.write("\n");
    try {
      if (has("tables")) {
        for (const t of await db.tables()) ctx.stdout.write(`${t.table}(${t.columns.map((c) => `${c.name} ${c.type}`).join(", ")})\n`);
        return 0;
      }
      let query = positionals[0];
      const stdinTty = process.stdin.isTTY === true && ctx.stdout === process.stdout;
      if (query === undefined && stdinTty) return await repl(db, format, ctx);
      query ??= await readStdin();
      ctx.stdout.write(format(await db.query(query)));
      return 0;
    } finally {
      db.close();
    }
  },
};

/** A small REPL: statements end with ';' (or a line without one when it is the first), `.tables`, `.quit`. */
async function repl(db: TraceDatabase, format: (r: QueryResult) => string, ctx: CliContext): Promise<number> {
  const rl = createInterface({ input: process.stdin, output: ctx.stdout as NodeJS.WritableStream, prompt: "ftk> " });
  let buf = "";
  rl.prompt();
  for await (const line of rl) {
    const t = line.trim();
    if (buf === "" && (t === ".quit" || t === ".exit")) break;
    if (buf === "" && t === ".tables") {
      for (const x of await db.tables()) ctx.stdout.write(`${x.table}(${x.columns.map((c) => c.name).join(", ")})\n`);
    } else if (t !== "") {
      buf += line + "\n";
      if (t.endsWith(";")) {
        try {
          ctx.stdout.write(format(await db.query(buf)));
        } catch (e) {
          ctx.stderr.write(`ftk sql: ${(e as Error).message}\n`);
        }
        buf = "";
      }
    }
    rl.setPrompt(buf === "" ? "ftk> " : "...> ");
    rl.prompt();
  }
  rl.close();
  return 0;
}
