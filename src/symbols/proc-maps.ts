// PROCMAPS option payloads (trace-dat-format.md §6): "<pid-hex> <count-hex> <comm>" then `count` lines
// "<start-hex> <end-hex> <path>". ftk appends "# perf-map PATH" and that file's lines after them
// (trace-cmd reads only the `count` lines, so the file stays readable by 3.1.6).

/** One file mapped into a process. */
export interface MappedFile {
  start: number;
  end: number;
  path: string;
}

/** The saved maps of one process. */
export interface ProcessMaps {
  pid: number;
  comm: string;
  /** Sorted by start. */
  maps: MappedFile[];
  /** Text of the process's /tmp/perf-PID.map, when it was saved. */
  perfMap?: string;
}

/** Parses one PROCMAPS payload; undefined when its first line is malformed (bad lines are skipped). */
export function parseProcMaps(payload: Uint8Array | string): ProcessMaps | undefined {
  let text = typeof payload === "string" ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("latin1");
  const nul = text.indexOf("\0");
  if (nul >= 0) text = text.slice(0, nul);
  const lines = text.split("\n");
  const head = /^([0-9a-fA-F]+) ([0-9a-fA-F]+) (\S+)/.exec(lines[0] ?? "");
  if (head === null) return undefined;
  const count = parseInt(head[2]!, 16);
  const maps: MappedFile[] = [];
  let i = 1;
  for (; i <= count && i < lines.length; i++) {
    const m = /^([0-9a-fA-F]+) ([0-9a-fA-F]+) (.+)$/.exec(lines[i]!);
    if (m === null) continue;
    const start = parseInt(m[1]!, 16);
    const end = parseInt(m[2]!, 16);
    if (Number.isSafeInteger(start) && Number.isSafeInteger(end) && end > start) maps.push({ start, end, path: m[3]! });
  }
  maps.sort((a, b) => a.start - b.start);
  const out: ProcessMaps = { pid: parseInt(head[1]!, 16), comm: head[3]!, maps };
  if (lines[i]?.startsWith("# perf-map ")) out.perfMap = lines.slice(i + 1).join("\n");
  return out;
}
