// One Symbolizer per trace: kernel addresses through the file's kallsyms; user addresses through the
// saved maps (PROCMAPS) to ELF symbols (.symtab, else .dynsym), then the process's perf map; what stays
// unresolved reads "module+0xOFF" or "[unknown]". ELF tables are read once per file.
import { OPTION } from "../tracedat/index.js";
import type { Kallsyms } from "../events/index.js";
import type { TraceFile } from "../tracedat/index.js";
import { ElfSymbols, moduleOffsetName } from "./elf-symbols.js";
import { PerfMap } from "./perf-map.js";
import { parseProcMaps } from "./proc-maps.js";
import type { MappedFile, ProcessMaps } from "./proc-maps.js";

/** The name of an address nothing resolves. */
export const UNKNOWN_FRAME = "[unknown]";

interface ProcessState {
  maps: MappedFile[];
  perfMap?: PerfMap;
  names: Map<number, string>;
}

/** Resolves stack addresses to names; see the file comment for the order. */
export class Symbolizer {
  private readonly processes = new Map<number, ProcessState>();
  private readonly files = new Map<string, Promise<ElfSymbols | undefined>>();
  private readonly kernelNames = new Map<bigint, string>();
  /** Files that could not be read, with the reason (for one warning each). */
  readonly unreadable = new Map<string, string>();
  /** Perf-map lines skipped as junk, over all processes. */
  perfMapJunkLines = 0;

  constructor(
    private readonly kallsyms: Kallsyms | undefined,
    processes: readonly ProcessMaps[],
  ) {
    for (const p of processes) {
      const state: ProcessState = { maps: p.maps, names: new Map() };
      if (p.perfMap !== undefined) {
        const { map, skipped } = PerfMap.parse(p.perfMap);
        state.perfMap = map;
        this.perfMapJunkLines += skipped;
      }
      this.processes.set(p.pid, state);
    }
  }

  /**
   * A symbolizer over a trace file's kallsyms and PROCMAPS options.
   * @example
   * const sym = Symbolizer.forTrace(await openTrace("trace.dat"));
   * console.log(sym.kernelName(0xffffffff81000000n), await sym.userName(1234, 0x401136));
   */
  static forTrace(trace: TraceFile): Symbolizer {
    const processes: ProcessMaps[] = [];
    for (const o of trace.options) {
      if (o.id !== OPTION.PROCMAPS) continue;
      const p = parseProcMaps(o.payload);
      if (p !== undefined) processes.push(p);
    }
    return new Symbolizer(trace.kallsymsTable, processes);
  }

  /** True when the trace saved maps for this process. */
  hasMaps(pid: number): boolean {
    return this.processes.has(pid);
  }

  /** The kernel function at `addr`, or "[unknown]". */
  kernelName(addr: bigint): string {
    let name = this.kernelNames.get(addr);
    if (name === undefined) {
      name = this.kallsyms?.nameOf(addr) ?? UNKNOWN_FRAME;
      this.kernelNames.set(addr, name);
    }
    return name;
  }

  private fileSymbols(path: string): Promise<ElfSymbols | undefined> {
    let p = this.files.get(path);
    if (p === undefined) {
      p = path.startsWith("/")
        ? ElfSymbols.load(path).catch((e: unknown) => {
            this.unreadable.set(path, (e as Error).message ?? String(e));
            return undefined;
          })
        : Promise.resolve(undefined);
      this.files.set(path, p);
    }
    return p;
  }

  /** The user function at `addr` in process `pid` (its tgid), by maps -> ELF -> perf map. */
  async userName(pid: number, addr: number): Promise<string> {
    const proc = this.processes.get(pid);
    if (proc === undefined) return UNKNOWN_FRAME;
    let name = proc.names.get(addr);
    if (name !== undefined) return name;
    const map = findMap(proc.maps, addr);
    if (map !== undefined) {
      const syms = await this.fileSymbols(map.path);
      name = syms?.findName(syms.vaddrOf(addr, map.start)) ?? proc.perfMap?.findName(addr) ?? moduleOffsetName(map.path, addr - map.start);
    } else {
      name = proc.perfMap?.findName(addr) ?? UNKNOWN_FRAME;
    }
    proc.names.set(addr, name);
    return name;
  }
}

function findMap(maps: readonly MappedFile[], addr: number): MappedFile | undefined {
  let lo = 0;
  let hi = maps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (maps[mid]!.start <= addr) lo = mid + 1;
    else hi = mid;
  }
  const m = maps[lo - 1];
  return m !== undefined && addr < m.end ? m : undefined;
}
