// A small layer over util.parseArgs for subcommands whose flags depend on their order (as getopt's
// do in trace-cmd: `-v` changes the `-F` after it, `-F` and `--ts-offset` belong to the last `-i`).
import { parseArgs } from "node:util";
import { UsageError } from "../base/index.js";

/** One flag: its value type and optional one-letter alias. */
export interface FlagSpec {
  type: "boolean" | "string";
  short?: string;
  /** Given to util.parseArgs as is (parseOrderedArgs keeps every occurrence anyway). */
  multiple?: boolean;
}

/** One parsed flag occurrence, in command-line order. */
export interface FlagToken {
  name: string;
  /** The value of a string flag; undefined for booleans. */
  value: string | undefined;
}

/** Turns a util.parseArgs error into one line in our style: its first sentence, then where to look. */
export function usageErrorFromParseArgs(e: unknown, command: string): UsageError {
  const first = ((e as Error).message.split("\n")[0] ?? "").split(/\.( |$)/)[0] ?? "";
  return new UsageError(`${first.charAt(0).toLowerCase()}${first.slice(1)}: run 'ftk ${command} --help'`, { cause: e });
}

/** Parses `argv` into flags in their order and the positional arguments; throws UsageError when bad. */
export function parseOrderedArgs(
  argv: string[],
  flags: Record<string, FlagSpec>,
  command: string,
): { flags: FlagToken[]; positionals: string[] } {
  const options: Record<string, { type: "boolean" | "string"; short?: string; multiple: true }> = {};
  for (const [name, spec] of Object.entries(flags)) {
    options[name] = { type: spec.type, multiple: true, ...(spec.short !== undefined ? { short: spec.short } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw usageErrorFromParseArgs(e, command);
  }
  const out: FlagToken[] = [];
  const positionals: string[] = [];
  for (const t of parsed.tokens ?? []) {
    if (t.kind === "option") out.push({ name: t.name, value: typeof t.value === "string" ? t.value : undefined });
    else if (t.kind === "positional") positionals.push(t.value);
  }
  return { flags: out, positionals };
}

/** Parses a decimal integer flag value; throws UsageError naming the flag otherwise. */
export function parseIntegerFlag(value: string | undefined, flag: string): number {
  const v = (value ?? "").trim();
  if (!/^[-+]?\d+$/.test(v)) throw new UsageError(`bad value '${value ?? ""}' for ${flag}: expected an integer`);
  return Number(v);
}

const VERBOSE_LEVELS = /^([0-6]|none|crit|err|warn|info|debug|all)$/;

/**
 * Drops trace-cmd's `--verbose[=LEVEL]` from argv (an optional value glued to the flag, which
 * util.parseArgs cannot express) after checking the level; ftk has no more to log at any level.
 */
export function withoutVerbose(argv: readonly string[]): string[] {
  return argv.filter((arg) => {
    if (arg !== "--verbose" && !arg.startsWith("--verbose=")) return true;
    const level = arg.slice("--verbose=".length);
    if (arg !== "--verbose" && !VERBOSE_LEVELS.test(level)) throw new UsageError(`invalid verbose level '${level}': use 0-6 or none, crit, err, warn, info, debug, all`);
    return false;
  });
}
