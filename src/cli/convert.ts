// `ftk convert`: rewrites a trace.dat in another file version or compression, like trace-cmd convert.
import { UsageError } from "../base/index.js";
import { convertTraceDat } from "../tracedat/index.js";
import type { TraceDatCompression } from "../tracedat/index.js";
import { parseOrderedArgs } from "./args.js";
import type { FlagSpec } from "./args.js";
import type { CliContext, Command } from "./context.js";

const HELP = `usage: ftk convert [-i input] [-o output | output] [--file-version 6|7] [--compression none|zstd|zlib|any]

Writes the input trace.dat (default trace.dat) again as version 6 or 7, compressed or not; the events,
formats and options are kept, so reports of both files are the same.

  -i FILE              input file (default trace.dat)
  -o FILE              output file (or give it as the last argument)
  --file-version 6|7   version of the output (default 7)
  --compression ALG    none, zstd, zlib, or any (= zstd); version 7 only (default zstd)
  -h, --help           this help
`;

const FLAGS: Record<string, FlagSpec> = {
  i: { type: "string", short: "i" },
  o: { type: "string", short: "o" },
  "file-version": { type: "string" },
  compression: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/** Converts a trace.dat file. */
export const command: Command = {
  summary: "rewrite a trace.dat in another file version or compression",
  flags: FLAGS,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { flags, positionals } = parseOrderedArgs(argv, FLAGS, "convert");
    if (flags.some((f) => f.name === "help")) {
      ctx.stdout.write(HELP);
      return 0;
    }
    const last = (name: string) => flags.filter((f) => f.name === name).pop()?.value;
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}': run 'ftk convert --help'`);
    const output = last("o") ?? positionals[0];
    if (output === undefined) throw new UsageError("no output file: give -o FILE");
    const versionText = last("file-version") ?? "7";
    if (versionText !== "6" && versionText !== "7") throw new UsageError(`--file-version: bad version '${versionText}': give 6 or 7`);
    const version = versionText === "6" ? 6 : 7;
    const algo = last("compression");
    if (algo !== undefined && !["none", "zstd", "zlib", "any"].includes(algo)) {
      throw new UsageError(`--compression: unknown algorithm '${algo}': give none, zstd, zlib or any`);
    }
    if (version === 6 && algo !== undefined && algo !== "none") throw new UsageError(`--compression '${algo}' needs --file-version 7 (version 6 files are never compressed)`);
    const compression: TraceDatCompression = algo === undefined || algo === "any" ? (version === 6 ? "none" : "zstd") : (algo as TraceDatCompression);
    await convertTraceDat(last("i") ?? "trace.dat", output, { version, compression });
    return 0;
  },
};
