// Probe specifications -> kernel dynamic-event lines (tracefs-control.md §3.4):
//   uprobe  'BINARY:FUNC[%return] [ARG...]'  -> p|r:GROUP/EVENT PATH:0xFILEOFFSET ARGS   (uprobe_events)
//   kprobe  'FUNC[+OFFS][%return] [ARG...]'   -> p|r:GROUP/EVENT FUNC[+OFFS] ARGS          (kprobe_events)
// and the entry/return pairs of `record -p ufuncgraph`. Nothing here touches tracefs.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { ProbeError, UsageError } from "../base/index.js";
import { expandFetchArgs, sanitizeName } from "./fetch-args.js";
import { findFunctionOrThrow, matchFunctions, nearMatches, readFunctions } from "./functions.js";
import type { ProbeableFunction } from "./functions.js";
import { resolveBinary } from "./library.js";

/** One dynamic event to create. */
export interface ProbeDefinition {
  kind: "uprobe" | "uretprobe" | "kprobe" | "kretprobe";
  group: string;
  event: string;
  /** Exactly what is written to uprobe_events / kprobe_events. */
  line: string;
  /** The probed file (uprobes). */
  binary?: string;
  /** The probed function as named in the symbol table (or the kernel symbol). */
  symbol?: string;
  /** File offset of the probed instruction (uprobes). */
  fileOffset?: number;
  /**
   * Another location of the event an earlier definition in the same list creates (same fetch-arg names
   * and types): the kernel appends it to that event, which is then enabled, disabled and removed once.
   */
  append?: boolean;
}

/** Suffix of return-probe event names; report/ufuncgraph strips it to pair entries with returns. */
export const RETURN_SUFFIX = "__return";

/** Default limit on the functions `planUfuncgraph()` probes (each function costs two uprobes). */
export const UFUNCGRAPH_DEFAULT_LIMIT = 256;

/** Group name for probes on `binaryPath`: `probe_libc` for libc.so.6, like perf probe. */
export function defaultUprobeGroup(binaryPath: string, prefix = "probe"): string {
  const stem = basename(binaryPath).replace(/\.so(\..*)?$/, "").replace(/\..*$/, "");
  return sanitizeName(`${prefix}_${stem}`);
}

function checkPathForLine(path: string): void {
  if (/\s/.test(path)) {
    throw new ProbeError(`cannot probe '${path}': uprobe_events cannot take a path with spaces: use a symlink without spaces`, {
      code: "bad-path", path,
    });
  }
}

function checkGroup(group: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(group)) {
    throw new UsageError(`bad group name '${group}': use letters, digits and '_' (at most 64, not starting with a digit)`);
  }
  return group;
}

/**
 * Throws ProbeError with near matches when `symbol` is not a text symbol of kallsyms (`MOD:SYM` is checked
 * by its SYM part). Skipped when kallsyms cannot be read: the kernel will judge.
 */
async function checkKernelSymbol(symbol: string, kallsymsPath: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(kallsymsPath, "latin1");
  } catch {
    return;
  }
  const name = symbol.slice(symbol.indexOf(":") + 1);
  // "ffffffff81000000 T _text" or "... t name\t[module]"
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  if (new RegExp(`^[0-9a-f]+ [tTwW] ${escaped}(?:\\s|$)`, "m").test(text)) return;
  const names: string[] = [];
  for (const m of text.matchAll(/^[0-9a-f]+ [tTwW] (\S+)/gm)) names.push(m[1]!);
  if (names.length === 0) return;
  const near = nearMatches(name, names);
  const hint = near.length > 0 ? `: did you mean ${near.map((n) => `'${n}'`).join(", ")}?` : "";
  throw new ProbeError(`kernel function '${name}' not found in '${kallsymsPath}'${hint}`, { code: "no-symbol", path: kallsymsPath });
}

/** Splits 'HEAD ARG ARG' on whitespace. */
function words(spec: string): string[] {
  return spec.trim().split(/\s+/).filter((w) => w !== "");
}

/** Builds the uprobe line for one function of a binary. */
function uprobeDefinition(options: {
  path: string; fn: ProbeableFunction; offset: number; isReturn: boolean; group: string; event: string; args: string[]; machine: number;
}): ProbeDefinition {
  const { path, fn, isReturn, group, event } = options;
  checkPathForLine(path);
  const args = expandFetchArgs(options.args, { machine: options.machine, isReturn, symbol: fn.name });
  const fileOffset = fn.fileOffset + options.offset;
  const line = [`${isReturn ? "r" : "p"}:${group}/${event}`, `${path}:0x${fileOffset.toString(16)}`, ...args].join(" ");
  return { kind: isReturn ? "uretprobe" : "uprobe", group, event, line, binary: path, symbol: fn.name, fileOffset };
}

/**
 * Parses one probe spec into the definitions to write.
 * Uprobe: `BINARY:FUNC[+OFFS][%return] [NAME=]FETCHARG[:TYPE]...` (BINARY a path or short library name).
 * Kprobe: `FUNC[+OFFS][%return] ...` (no `:` in the first word). Throws ProbeError/UsageError with one line.
 * @example
 * const [def] = await resolveProbeSpec("libc:getenv name=+0(%di):string");
 * // def.line === "p:probe_libc/getenv /usr/lib/x86_64-linux-gnu/libc.so.6:0x3f0b0 name=+0(%di):string"
 */
export async function resolveProbeSpec(
  spec: string, options: { pid?: number; group?: string; event?: string; /** tests */ kallsymsPath?: string } = {},
): Promise<ProbeDefinition[]> {
  const [head, ...args] = words(spec);
  if (head === undefined) throw new UsageError("empty probe spec: give 'BINARY:FUNC [ARG...]' or a kernel function");
  const colon = head.lastIndexOf(":");
  const target = colon < 0 ? head : head.slice(colon + 1);
  const m = /^([^+%]+)(?:\+(0x[0-9a-fA-F]+|\d+))?(%return)?$/.exec(target);
  if (m === null) {
    throw new UsageError(`bad probe location '${target}': use FUNC, FUNC+OFFSET or FUNC%return`);
  }
  const symbol = m[1]!;
  const offset = m[2] === undefined ? 0 : Number(m[2]);
  const isReturn = m[3] !== undefined;
  if (isReturn && offset !== 0) throw new UsageError(`bad probe location '${target}': a return probe takes no offset`);
  const suffix = isReturn ? RETURN_SUFFIX : "";
  const event = options.event !== undefined ? sanitizeName(options.event) : sanitizeName(symbol).slice(0, 64 - suffix.length) + suffix;

  if (colon < 0) {
    // Kernel probe: the kernel resolves the symbol and $argN itself; we only check the name exists.
    await checkKernelSymbol(symbol, options.kallsymsPath ?? "/proc/kallsyms");
    const group = checkGroup(options.group ?? "probe");
    const args2 = expandFetchArgs(args, { isReturn, symbol });
    const loc = offset !== 0 ? `${symbol}+${offset}` : symbol;
    const line = [`${isReturn ? "r" : "p"}:${group}/${event}`, loc, ...args2].join(" ");
    return [{ kind: isReturn ? "kretprobe" : "kprobe", group, event, line, symbol }];
  }

  const binaryName = head.slice(0, colon);
  const path = await resolveBinary(binaryName, { pid: options.pid });
  const binary = await readFunctions(path);
  const fn = findFunctionOrThrow(binary, symbol, binaryName);
  if (offset >= Math.max(fn.size, 1)) {
    throw new ProbeError(`offset ${offset} is beyond the end of '${fn.name}' (${fn.size} bytes) in '${path}'`, { code: "bad-offset", path });
  }
  const group = checkGroup(options.group ?? defaultUprobeGroup(path));
  return [uprobeDefinition({ path, fn, offset, isReturn, group, event, args, machine: binary.machine })];
}

/**
 * Entry and return uprobes for every function of `binary` matching the globs (`!GLOB` excludes), two
 * definitions per function: event `FUNC` and `FUNC__return` in group `ufuncgraph_<binary>`.
 * Throws ProbeError when nothing matches or more than `limit` functions (default 256) match.
 */
export async function planUfuncgraph(options: {
  binary: string; globs: string[]; pid?: number; limit?: number; group?: string;
}): Promise<ProbeDefinition[]> {
  const limit = options.limit ?? UFUNCGRAPH_DEFAULT_LIMIT;
  const globs = options.globs.length > 0 ? options.globs : ["*"];
  const path = await resolveBinary(options.binary, { pid: options.pid });
  const binary = await readFunctions(path);
  const matched = matchFunctions(binary.functions, globs);
  const shown = globs.map((g) => `'${g}'`).join(", ");
  if (matched.length === 0) {
    const exact = globs.find((g) => !/[*?[!]/.test(g));
    if (exact !== undefined) findFunctionOrThrow(binary, exact, options.binary); // throws with near matches
    throw new ProbeError(`no function of '${path}' matches ${shown}: list them with 'ftk probe -x ${options.binary} --funcs'`, {
      code: "no-symbol", path,
    });
  }
  if (matched.length > limit) {
    throw new ProbeError(`${shown} matches ${matched.length} functions of '${path}', more than the limit of ${limit}: narrow the pattern`, {
      code: "too-many", path,
    });
  }
  const group = checkGroup(options.group ?? defaultUprobeGroup(path, "ufuncgraph"));
  const used = new Set<string>();
  const defs: ProbeDefinition[] = [];
  for (const fn of matched) {
    let base = sanitizeName(fn.name).slice(0, 64 - RETURN_SUFFIX.length - 4);
    for (let n = 1; used.has(base); n++) base = `${sanitizeName(fn.name).slice(0, 64 - RETURN_SUFFIX.length - 4)}_${n}`;
    used.add(base);
    const common = { path, fn, offset: 0, group, args: [], machine: binary.machine };
    defs.push(uprobeDefinition({ ...common, isReturn: false, event: base }));
    defs.push(uprobeDefinition({ ...common, isReturn: true, event: base + RETURN_SUFFIX }));
  }
  return defs;
}
