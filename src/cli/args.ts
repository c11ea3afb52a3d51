// A small layer over util.parseArgs for subcommands whose flags depend on their order (as getopt's
// do in trace-cmd: `-v` changes the `-F` after it, `-F` and `--ts-offset` belong to the last `-i`).
import { parseArgs } from "node:util";
import { UsageError } from "../index.js";

/** One flag: its value type and optional one-letter alias. */
export interface FlagSpec {
  type: "boolean" | "string";
  short?: string;
}

/** One parsed flag occurrence, in command-line order. */
export interface FlagToken {
  name: string;
  /** The value of a string flag; undefined for booleans. */
  value: string | undefined;
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
    // parseArgs messages name the option; keep them as one line in our style.
    const msg = (e as Error).message.split("\n")[0]!.replace(/\.$/, "");
    throw new UsageError(`${msg.charAt(0).toLowerCase()}${msg.slice(1)}: run 'ftk ${command} --help'`);
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
