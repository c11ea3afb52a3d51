// function_graph rendering of trace-cmd 3.1.6 (ring-buffer-and-events.md §8.1): field access for
// ftrace:funcgraph_entry / funcgraph_exit, cached function names, and the three line shapes.
// The leaf look-ahead itself lives in the report loop, which owns the per-CPU streams.
import { fieldNumberReader, type EventTable, type FieldDef, type FileInfo, type Kallsyms } from "../events/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import { putBytes, type TextOutput } from "../base/index.js";
import { NESTED_PREFIX, depthIndentWidth, writeDepthIndent, writeDurationPrefix } from "./funcgraph-text.js";
import { latin1Bytes, putSpaces } from "./digits.js";

type NumberReader = (rec: RawRecord) => number;

/** Reads the low and high 32 bits of a (4- or 8-byte) address field without making a bigint. */
function addressReaders(field: FieldDef, info: FileInfo): [NumberReader, NumberReader] {
  const le = info.littleEndian;
  const off = field.offset;
  if (field.size < 8) {
    const num = fieldNumberReader(field, info);
    return [num, () => 0];
  }
  const loAt = le ? off : off + 4;
  const hiAt = le ? off + 4 : off;
  const end = off + 8;
  return [
    (rec) => (end <= rec.len ? rec.view.getUint32(rec.pos + loAt, le) : 0),
    (rec) => (end <= rec.len ? rec.view.getUint32(rec.pos + hiAt, le) : 0),
  ];
}

/**
 * rettime - calltime from the 32-bit halves of the two fields: a small number, where the 64-bit values
 * themselves are doubles past 2^31 that V8 boxes when a reader returns them (one allocation each).
 */
function durationReader(ct: FieldDef, rt: FieldDef, info: FileInfo): NumberReader {
  const calltime = fieldNumberReader(ct, info);
  const rettime = fieldNumberReader(rt, info);
  const slow: NumberReader = (rec) => graphDuration(rettime(rec), calltime(rec));
  if (ct.size !== 8 || rt.size !== 8) return slow;
  const le = info.littleEndian;
  const [cLo, cHi] = le ? [ct.offset, ct.offset + 4] : [ct.offset + 4, ct.offset];
  const [rLo, rHi] = le ? [rt.offset, rt.offset + 4] : [rt.offset + 4, rt.offset];
  const end = Math.max(ct.offset, rt.offset) + 8;
  return (rec) => {
    if (end > rec.len) return slow(rec);
    const v = rec.view;
    const p = rec.pos;
    const d = (v.getUint32(p + rHi, le) - v.getUint32(p + cHi, le)) * 4294967296 + (v.getUint32(p + rLo, le) - v.getUint32(p + cLo, le));
    return d >= 0 ? d : d + 18446744073709551616;
  };
}

/** Compiled accessors for the two function_graph events of one file; undefined when they are missing. */
export interface FuncGraphFields {
  entryId: number;
  exitId: number;
  pid: NumberReader;
  entryFuncLo: NumberReader;
  entryFuncHi: NumberReader;
  entryDepth: NumberReader;
  exitFuncLo: NumberReader;
  exitFuncHi: NumberReader;
  exitDepth: NumberReader;
  calltime: NumberReader;
  rettime: NumberReader;
  /** graphDuration(rettime, calltime) of an exit record. */
  duration: NumberReader;
}

/** Binds the funcgraph fields of `table`, or undefined if the file lacks the events or their fields. */
export function bindFuncGraphFields(table: EventTable): FuncGraphFields | undefined {
  let entry;
  let exit;
  for (const ev of table.all()) {
    if (ev.system !== "ftrace") continue;
    if (ev.name === "funcgraph_entry") entry = ev;
    else if (ev.name === "funcgraph_exit") exit = ev;
  }
  if (!entry || !exit) return undefined;
  const f = (ev: typeof entry, name: string): FieldDef | undefined => ev.findField(name);
  const pid = f(entry, "common_pid");
  const ef = f(entry, "func");
  const ed = f(entry, "depth");
  const xf = f(exit, "func");
  const xd = f(exit, "depth");
  const ct = f(exit, "calltime");
  const rt = f(exit, "rettime");
  const xpid = f(exit, "common_pid");
  if (!pid || !ef || !ed || !xf || !xd || !ct || !rt || !xpid) return undefined;
  if (xpid.offset !== pid.offset || xpid.size !== pid.size) return undefined;
  const info = table.info;
  const [entryFuncLo, entryFuncHi] = addressReaders(ef, info);
  const [exitFuncLo, exitFuncHi] = addressReaders(xf, info);
  return {
    entryId: entry.id,
    exitId: exit.id,
    pid: fieldNumberReader(pid, info),
    entryFuncLo,
    entryFuncHi,
    entryDepth: fieldNumberReader(ed, info),
    exitFuncLo,
    exitFuncHi,
    exitDepth: fieldNumberReader(xd, info),
    calltime: fieldNumberReader(ct, info),
    rettime: fieldNumberReader(rt, info),
    duration: durationReader(ct, rt, info),
  };
}

interface FunctionName {
  hi: number;
  name: string | undefined;
  text: string;
  bytes: Uint8Array | undefined;
}

const RECENT_MASK = 4095;

/** Function names by address, cached by the low 32 bits (kernel text shares the high half). */
export class FunctionNames {
  private readonly cache = new Map<number, FunctionName>();
  private readonly recentLo = new Int32Array(RECENT_MASK + 1);
  private readonly recent: (FunctionName | undefined)[] = new Array<FunctionName | undefined>(RECENT_MASK + 1).fill(undefined);

  constructor(private readonly kallsyms: Kallsyms) {}

  private entry(lo: number, hi: number): FunctionName {
    // `lo | 0` keeps the key a small integer (addresses above 2^31 would be heap numbers in the Map).
    const key = lo | 0;
    // A direct-mapped cache in front of the Map: a report looks up a function per line.
    const slot = (key >>> 4) & RECENT_MASK;
    const recent = this.recent[slot];
    if (recent !== undefined && this.recentLo[slot] === key && recent.hi === hi) return recent;
    let e = this.cache.get(key);
    if (e === undefined || e.hi !== hi) {
      const addr = (BigInt(hi) << 32n) | BigInt(lo);
      const name = this.kallsyms.nameOf(addr);
      const text = name ?? addr.toString(16);
      e = { hi, name, text, bytes: undefined };
      if (this.cache.size > 1 << 20) this.cache.clear();
      this.cache.set(key, e);
    }
    this.recentLo[slot] = key;
    this.recent[slot] = e;
    return e;
  }

  /** The name, or the address in hex without `0x` (`%llx`) when kallsyms has none. */
  text(lo: number, hi: number): string {
    return this.entry(lo, hi).text;
  }

  /** text() as latin1 bytes, for TextOutput.writeBytes(). */
  bytes(lo: number, hi: number): Uint8Array {
    const e = this.entry(lo, hi);
    return (e.bytes ??= latin1Bytes(e.text));
  }

  /** The name, or undefined when kallsyms has none. */
  name(lo: number, hi: number): string | undefined {
    return this.entry(lo, hi).name;
  }
}

/** Duration `rettime - calltime` as an unsigned 64-bit difference (a number; exact below 2^53). */
export function graphDuration(rettime: number, calltime: number): number {
  const d = rettime - calltime;
  return d >= 0 ? d : d + 18446744073709551616;
}

/** `-O fgraph:depth` suffix. */
function writeDepthSuffix(out: TextOutput, showDepth: boolean, depth: number): void {
  if (showDepth) out.write(" (" + depth + ")");
}

const NESTED_PREFIX_BYTES = latin1Bytes(NESTED_PREFIX);
const CALL_OPEN = latin1Bytes("() {");
const CALL_LEAF = latin1Bytes("();");

/** Writes the indentation, the function name and what follows it, with one reservation of room. */
function writeIndentedCall(out: TextOutput, depth: number, func: Uint8Array, tail: Uint8Array): void {
  const indent = depthIndentWidth(depth);
  const buf = out.room(indent + func.length + tail.length);
  let at = putSpaces(buf, out.at, indent);
  at = putBytes(buf, at, func);
  out.at = putBytes(buf, at, tail);
}

/** Entry that is not a leaf: `  <11 spaces>|  <indent>func() {`. `func`: FunctionNames.bytes(). */
export function writeGraphEntry(out: TextOutput, depth: number, func: Uint8Array, showDepth: boolean): void {
  out.writeBytes(NESTED_PREFIX_BYTES);
  writeIndentedCall(out, depth, func, CALL_OPEN);
  writeDepthSuffix(out, showDepth, depth);
}

/** Entry whose exit came next: `<marker><duration>|  <indent>func();`. */
export function writeGraphLeaf(out: TextOutput, durationNs: number, depth: number, func: Uint8Array, showDepth: boolean): void {
  writeDurationPrefix(out, durationNs);
  writeIndentedCall(out, depth, func, CALL_LEAF);
  writeDepthSuffix(out, showDepth, depth);
}

/** Exit: `<marker><duration>|  <indent>}` with the optional ` /* func *\/` (tailprint) and depth. */
export function writeGraphExit(out: TextOutput, durationNs: number, depth: number, tailName: string | undefined, showDepth: boolean): void {
  writeDurationPrefix(out, durationNs);
  writeDepthIndent(out, depth);
  if (tailName !== undefined) out.write("} /* " + tailName + " */");
  else {
    const buf = out.room(1);
    buf[out.at++] = 125;
  }
  writeDepthSuffix(out, showDepth, depth);
}
