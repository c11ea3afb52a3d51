// `ftk restore`: a trace.dat from the per-CPU files left by an interrupted record, like trace-cmd restore.
import { Tracefs } from "../tracefs/index.js";
import { FtkError, UsageError, describeErrno } from "../base/index.js";
import { readFile } from "node:fs/promises";
import { restoreTraceDat, writePartialTraceDat } from "../record/index.js";
import { parseOrderedArgs } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk restore [-c] [-o file] [-i file] [-t dir] [-k kallsyms] cpu-file [cpu-file ...]

Makes a trace.dat from the per-CPU files an interrupted 'ftk record' (or trace-cmd record) left behind
(trace.dat.cpu0, trace.dat.cpu1, ..., and trace.dat.NAME.cpuN for instances). The event formats,
kallsyms and the clock are taken from the running kernel, or from the file given with -i.

  -c            only write a trace.dat with this kernel's metadata and no data (for -i later)
  -o FILE       output file (default trace.dat)
  -i FILE       take the metadata from FILE (made with -c, or any recording of the same kernel)
  -t DIR        the tracing directory to read the metadata from (default: the mounted tracefs)
  -k FILE       the kernel symbols to store, from FILE (kallsyms text) instead of /proc/kallsyms
  --file-version 6|7, --compression none|zstd|zlib   as for record
  -h, --help    this help
`;

const FLAGS: Record<string, FlagSpec> = {
  c: { type: "boolean", short: "c" }, o: { type: "string", short: "o" }, i: { type: "string", short: "i" },
  t: { type: "string", short: "t" }, k: { type: "string", short: "k" },
  "file-version": { type: "string" }, compression: { type: "string" }, help: { type: "boolean", short: "h" },
};

/** Restores a trace.dat from per-CPU files. */
export const command: Command = {
  summary: "make a trace.dat from the per-CPU files of an interrupted record",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "restore");
    if (flags.some((f) => f.name === "help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    const last = (n: string) => flags.filter((f) => f.name === n).pop()?.value;
    const output = last("o") ?? "trace.dat";
    const versionText = last("file-version") ?? "7";
    if (versionText !== "6" && versionText !== "7") throw new UsageError(`--file-version: bad version '${versionText}': give 6 or 7`);
    const compression = last("compression") ?? (versionText === "6" ? "none" : "zstd");
    if (compression !== "none" && compression !== "zstd" && compression !== "zlib") throw new UsageError(`--compression: unknown algorithm '${compression}': give none, zstd or zlib`);
    if (versionText === "6" && compression !== "none") throw new UsageError(`--compression '${compression}' needs --file-version 7`);
    const root = last("t");
    const kallsymsPath = last("k");
    let kallsyms: string | undefined;
    if (kallsymsPath !== undefined) {
      try {
        kallsyms = await readFile(kallsymsPath, "latin1");
      } catch (e) {
        throw new FtkError(`cannot read kallsyms file '${kallsymsPath}': ${describeErrno(e)}`, { code: "kallsyms", path: kallsymsPath, cause: e });
      }
    }
    const fs = await Tracefs.open(root !== undefined ? { root } : {});
    if (flags.some((f) => f.name === "c")) {
      if (positionals.length > 0) throw new UsageError("-c writes the metadata only: give no per-CPU files");
      await writePartialTraceDat(fs, output, kallsyms !== undefined ? { kallsyms } : {});
      return 0;
    }
    const header = last("i");
    await restoreTraceDat(fs, positionals, output, {
      version: versionText === "6" ? 6 : 7,
      compression,
      ...(header !== undefined ? { header } : {}),
      ...(kallsyms !== undefined ? { kallsyms } : {}),
    });
    return 0;
  },
};
