// `restore` (trace-cmd restore): a trace.dat from the per-CPU files that an interrupted record left
// (`<output>.cpuN`, `<output>.<instance>.cpuN`). The metadata comes from the running kernel (every
// event's format, as extract stores), or from a partial trace.dat made earlier with `restore -c`.
import { UsageError } from "../base/index.js";
import { metadataOf, openTrace, writeTraceDat } from "../tracedat/index.js";
import type { TraceDatBuffer, TraceDatMetadata, TraceDatWriteResult } from "../tracedat/index.js";
import type { Tracefs } from "../tracefs/index.js";
import { FTK_VERSION_STRING, collectMetadata, randomTraceId, unameString } from "./metadata.js";

/** How restore writes its file. */
export interface RestoreOptions {
  /** A trace.dat (from `restore -c`, or any recording of this machine) whose metadata is used. */
  header?: string;
  version?: 6 | 7;
  compression?: "none" | "zstd" | "zlib";
  /** kallsyms text to store instead of the running kernel's (`restore -k FILE`). */
  kallsyms?: string;
}

/** Groups `<base>.cpuN` / `<base>.<instance>.cpuN` files into buffers (the top first). */
export function groupCpuFiles(files: readonly string[]): { name: string; cpuFiles: (string | undefined)[] }[] {
  const parsed = files.map((path) => {
    const m = /^(.*)\.cpu(\d+)$/.exec(path);
    if (m === null) throw new UsageError(`'${path}' is not a per-CPU file of a record (its name must end in .cpuN)`);
    return { path, prefix: m[1]!, cpu: Number(m[2]) };
  });
  const base = parsed.map((p) => p.prefix).reduce((a, b) => (b.length < a.length ? b : a));
  const buffers = new Map<string, (string | undefined)[]>();
  for (const p of parsed) {
    let name = "";
    if (p.prefix !== base) {
      if (!p.prefix.startsWith(base + ".")) throw new UsageError(`'${p.path}' does not belong to the record of '${base}'`);
      name = p.prefix.slice(base.length + 1);
    }
    let cpus = buffers.get(name);
    if (cpus === undefined) buffers.set(name, (cpus = []));
    if (cpus[p.cpu] !== undefined) throw new UsageError(`two files for CPU ${p.cpu}: '${cpus[p.cpu]}' and '${p.path}'`);
    cpus[p.cpu] = p.path;
  }
  if (!buffers.has("")) buffers.set("", []);
  return [...buffers].sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : 0)).map(([name, cpuFiles]) => ({ name, cpuFiles }));
}

async function liveMetadata(fs: Tracefs, kallsyms?: string): Promise<TraceDatMetadata> {
  const meta = await collectMetadata(fs, await fs.availableEvents());
  return kallsyms === undefined ? meta : { ...meta, kallsyms };
}

/**
 * Writes `output` from per-CPU files of an interrupted record. The clock and page size are the running
 * kernel's (a record with -C stored its clock nowhere else; give -i a file recorded with it).
 */
export async function restoreTraceDat(fs: Tracefs, cpuFiles: readonly string[], output: string, options: RestoreOptions = {}): Promise<TraceDatWriteResult> {
  if (cpuFiles.length === 0) throw new UsageError("no per-CPU files given (the <output>.cpuN files of the record)");
  const groups = groupCpuFiles(cpuFiles);
  const top = fs.topInstance();
  const clockText = await top.readFile("trace_clock");
  const clock = (await top.traceClock()).current;
  let meta: TraceDatMetadata;
  let pageSize = await top.pageSize();
  if (options.header !== undefined) {
    const t = await openTrace(options.header);
    try {
      meta = metadataOf(t);
      pageSize = t.pageSize;
    } finally {
      await t.close();
    }
  } else {
    meta = await liveMetadata(fs, options.kallsyms);
  }
  const buffers: TraceDatBuffer[] = groups.map((g) => ({ name: g.name, clock, pageSize, cpuFiles: g.cpuFiles }));
  const version = options.version ?? 7;
  return writeTraceDat(output, meta, buffers, {
    version,
    compression: version === 6 ? "none" : (options.compression ?? "zstd"),
    pageSize,
    cpuCount: Math.max(fs.cpuCount(), ...groups.map((g) => g.cpuFiles.length)),
    traceClock: clockText,
    uname: unameString(),
    traceCmdVersion: FTK_VERSION_STRING,
    traceId: randomTraceId(),
  });
}

/** `restore -c`: a trace.dat with this kernel's metadata and no data, for `restore -i` later (or elsewhere). */
export async function writePartialTraceDat(fs: Tracefs, output: string, options: Pick<RestoreOptions, "kallsyms"> = {}): Promise<TraceDatWriteResult> {
  const top = fs.topInstance();
  const pageSize = await top.pageSize();
  return writeTraceDat(output, await liveMetadata(fs, options.kallsyms), [{ name: "", clock: (await top.traceClock()).current, pageSize, cpuFiles: [] }], {
    version: 7,
    compression: "zstd",
    pageSize,
    cpuCount: fs.cpuCount(),
    traceClock: await top.readFile("trace_clock"),
    uname: unameString(),
    traceCmdVersion: FTK_VERSION_STRING,
    traceId: randomTraceId(),
  });
}
