// `ftk probe`: add, list and delete uprobes/kprobes, in the spirit of `perf probe`. Parsing only; the work
// is done by probes/ (ELF symbols, specs) and tracefs/ (dynamic_events). Nothing user-given reaches a shell.
import { parseArgs } from "node:util";
import { ProbeError, UsageError } from "../base/index.js";
import { Tracefs } from "../tracefs/index.js";
import { addProbes, deleteProbes, listProbes, matchFunctions, readFunctions, resolveBinary, resolveProbeSpec } from "../probes/index.js";
import type { BinaryFunctions, ProbeEventLine } from "../probes/index.js";
import type { CliContext, Command } from "./context.js";
import { usageErrorFromParseArgs, type FlagSpec } from "./args.js";

const HELP = `usage: ftk probe [options] -x BINARY FUNC[+OFFS][%return] [[NAME=]FETCHARG[:TYPE]...]
       ftk probe [options] KERNEL_FUNC[%return] [ARG...]
       ftk probe -x BINARY --funcs [GLOB]
       ftk probe -l
       ftk probe -d NAME|GROUP:EVENT|'GROUP:*'

Adds a uprobe (user space, with -x) or a kprobe (kernel function) as a trace event.

  -x, --exec BINARY   the program or library: a path, or a library name such as 'libc'
  -p, --pid PID       find libraries in the maps of process PID
  --group GROUP       event group (default: probe_<binary>, or probe for kernel probes)
  --event EVENT       event name (default: the function name, FUNC__return for return probes)
  -F, --funcs         list the functions of BINARY that can be probed (optionally matching GLOB)
  -l, --list          list the existing probes
  -d, --del PATTERN   delete probes (GROUP:EVENT, EVENT, globs allowed); may be repeated
  -n, --dry-run       print the definition instead of adding it

Fetch arguments (kernel uprobetracer/kprobetrace syntax): %REG, @ADDR, +|-OFFS(FETCHARG), $stackN,
$retval (return probes), $comm; $arg1..$arg6 are the C ABI argument registers (x86_64: %di %si %dx %cx
%r8 %r9; arm64: %x0..%x5). Types: u8..u64 s8..s64 x8..x64 string ustring symbol ...
  ftk probe -x libc getenv name=+0(%di):string
  ftk probe -x libc getenv%return ret=\\$retval
`;

/** The flags `run` parses (shell completion reads them too). */
const FLAGS = {
  exec: { type: "string", short: "x" }, pid: { type: "string", short: "p" },
  group: { type: "string" }, event: { type: "string" },
  funcs: { type: "boolean", short: "F" }, list: { type: "boolean", short: "l" },
  del: { type: "string", short: "d", multiple: true }, "dry-run": { type: "boolean", short: "n" },
  help: { type: "boolean", short: "h" },
} as const satisfies Record<string, FlagSpec>;

/** Adds, lists and deletes probes. */
export const command: Command = {
  summary: "add, list and delete dynamic probes (uprobes, kprobes)",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv, allowPositionals: true, strict: true,
        options: FLAGS,
      });
    } catch (e) {
      throw usageErrorFromParseArgs(e, "probe");
    }
    const { values: v, positionals } = parsed;
    if (v.help === true) {
      ctx.stdout.write(HELP);
      return 0;
    }
    let pid: number | undefined;
    if (v.pid !== undefined) {
      if (!/^\d+$/.test(v.pid)) throw new UsageError(`bad pid '${v.pid}': give a process id`);
      pid = Number(v.pid);
    }
    const modes = [v.funcs === true, v.list === true, v.del !== undefined].filter(Boolean).length;
    if (modes > 1) throw new UsageError("choose one of --funcs, --list and --del");

    if (v.funcs === true) {
      if (v.exec === undefined) throw new UsageError("--funcs needs -x BINARY (kernel functions are in available_filter_functions)");
      if (positionals.length > 1) throw new UsageError("--funcs takes at most one GLOB");
      const binary = await readFunctions(await resolveBinary(v.exec, { pid }));
      // Every matching spelling, aliases included (strcasestr and __strcasestr are one function).
      const globs = positionals.length > 0 ? positionals : ["*"];
      const names = new Set<string>();
      for (const f of matchFunctions(binary.functions, globs)) {
        for (const n of [f.name, ...f.aliases]) if (matchFunctions([{ ...f, name: n, versionedName: n, aliases: [] }], globs).length > 0) names.add(n);
      }
      ctx.stdout.write([...names].sort().map((n) => n + "\n").join(""));
      return 0;
    }

    if (v.list === true) {
      if (positionals.length > 0) throw new UsageError("--list takes no arguments");
      const fs = await Tracefs.open();
      ctx.stdout.write((await describeProbes(await listProbes(fs))).join(""));
      return 0;
    }

    if (v.del !== undefined) {
      if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' with --del`);
      const fs = await Tracefs.open();
      for (const pattern of v.del) {
        for (const name of await deleteProbes(fs, pattern)) ctx.stdout.write(`removed ${name.replace("/", ":")}\n`);
      }
      return 0;
    }

    const [func, ...args] = positionals;
    if (func === undefined) throw new UsageError("no function given: see 'ftk probe --help'");
    if (func.includes(":") && v.exec === undefined) {
      throw new UsageError(`bad function '${func}': use -x BINARY FUNC for user-space probes`);
    }
    const spec = [v.exec !== undefined ? `${v.exec}:${func}` : func, ...args].join(" ");
    const defs = await resolveProbeSpec(spec, { pid, group: v.group, event: v.event });
    if (v["dry-run"] === true) {
      ctx.stdout.write(defs.map((d) => d.line + "\n").join(""));
      return 0;
    }
    const fs = await Tracefs.open();
    await addProbes(fs, defs);
    for (const d of defs) {
      const where = d.binary !== undefined
        ? `${d.kind} on ${d.symbol} in ${d.binary} at offset 0x${(d.fileOffset ?? 0).toString(16)}`
        : `${d.kind} on ${d.symbol}`;
      ctx.stdout.write(`added ${d.group}:${d.event} (${where})\n`);
    }
    ctx.stdout.write(`record it with 'ftk record -e ${defs[0]!.group}:${defs[0]!.event} ...'; delete it with 'ftk probe -d ${defs[0]!.group}:${defs[0]!.event}'\n`);
    return 0;
  },
};

/** `  group:event  (on FUNC[%return] in PATH with ARGS)` lines; uprobe offsets are mapped back to function names. */
async function describeProbes(probes: ProbeEventLine[]): Promise<string[]> {
  const binaries = new Map<string, BinaryFunctions | undefined>();
  const out: string[] = [];
  const width = Math.max(0, ...probes.map((p) => p.group.length + p.event.length + 1));
  for (const p of probes) {
    let where = p.location;
    const m = /^(\/.*):(0x[0-9a-fA-F]+)$/.exec(p.location);
    if (m !== null) {
      const [, path, off] = m as unknown as [string, string, string];
      if (!binaries.has(path)) binaries.set(path, await readFunctions(path).catch((e: unknown) => {
        if (e instanceof ProbeError) return undefined;
        throw e;
      }));
      const offset = Number(off);
      const fn = binaries.get(path)?.functions.find((f) => offset >= f.fileOffset && offset < f.fileOffset + Math.max(f.size, 1));
      const sym = fn === undefined ? `0x${offset.toString(16)}` : offset === fn.fileOffset ? fn.name : `${fn.name}+${offset - fn.fileOffset}`;
      where = `${sym}${p.type === "r" ? "%return" : ""} in ${path}`;
    } else if (p.type === "r") {
      where += "%return";
    }
    const args = p.args.length > 0 ? ` with ${p.args.join(" ")}` : "";
    out.push(`  ${`${p.group}:${p.event}`.padEnd(width)}  (on ${where}${args})\n`);
  }
  return out;
}
