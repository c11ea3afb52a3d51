// What a plugin factory gets and returns (style.md §6: factories keyed "system:event" that resolve
// their fields once when bound). Output rules: ring-buffer-and-events.md §8.
import type { RawRecord } from "../../ringbuf/index.js";
import type { EventFormat, FieldDef, FileInfo } from "../event-format.js";
import { fieldNumberReader } from "../field-readers.js";
import type { Kallsyms } from "../kallsyms.js";
import type { TaskNames } from "../task-names.js";

/** Shared state and options handed to plugin factories. */
export interface PluginEnv {
  info: FileInfo;
  kallsyms: Kallsyms;
  tasks: TaskNames;
  /** Plugin option value: `-O alias:name[=v]` or `-O name[=v]`, else the default. */
  option(alias: string, name: string, dflt: boolean): boolean;
  /** Per-CPU function-name stacks of the function plugin (shared by all buffers, §8.2). */
  funcStacks: (string | undefined)[][];
}

/** A bound handler: returns its text; sets `result.pretty` when the print fmt output must follow it. */
export interface PluginHandler {
  render(rec: RawRecord): string;
  /** When true after render(), the event's normal print-fmt text is appended. */
  pretty: boolean;
}

/** A plugin factory; returns undefined when the event lacks what the plugin needs. */
export type PluginFactory = (ev: EventFormat, env: PluginEnv) => PluginHandler | undefined;

/** Own field by name (tep_find_field). */
export function ownField(ev: EventFormat, name: string): FieldDef | undefined {
  return ev.fields.find((f) => f.name === name);
}

/**
 * tep_get_field_val: a u64 reader for a field of size 1/2/4/8, or undefined when missing. The value is
 * returned as a number when exact (< 2^53) — callers that need all 64 bits use fieldU64.
 */
export function fieldU64(ev: EventFormat, name: string, info: FileInfo): ((rec: RawRecord) => bigint) | undefined {
  const f = ownField(ev, name);
  if (!f || ![1, 2, 4, 8].includes(f.size)) return undefined;
  const off = f.offset;
  const size = f.size;
  const le = info.littleEndian;
  if (size === 8) return (rec) => (off + 8 <= rec.len ? rec.view.getBigUint64(rec.pos + off, le) : 0n);
  const n = fieldNumberReader(f, info);
  return (rec) => BigInt(n(rec));
}

/** Small (≤ 4 bytes) field reader, or undefined when missing / larger. */
export function fieldSmall(ev: EventFormat, name: string, info: FileInfo): ((rec: RawRecord) => number) | undefined {
  const f = ownField(ev, name);
  if (!f || ![1, 2, 4].includes(f.size)) return undefined;
  return fieldNumberReader(f, info);
}

/** `%lld` of a u64 value. */
export function lld(v: bigint): string {
  return BigInt.asIntN(64, v).toString();
}

/** Symbol name + offset helpers of the function plugin: `name` or `name+0x<off> ` with -O offset. */
export function showFunction(kallsyms: Kallsyms, addr: bigint, withOffset: boolean): string | undefined {
  return showFunctionHL(kallsyms, Number((addr >> 32n) & 0xffffffffn), Number(addr & 0xffffffffn), withOffset);
}

/** showFunction() for an address given as 32-bit halves. */
export function showFunctionHL(kallsyms: Kallsyms, hi: number, lo: number, withOffset: boolean): string | undefined {
  const i = kallsyms.indexOfHL(hi, lo);
  if (i < 0) return undefined;
  const name = kallsyms.nameAt(i);
  if (!withOffset) return name;
  return name + "+0x" + (kallsyms.offsetAt(i, hi, lo) % 4294967296).toString(16) + " ";
}

/** A reader of a 4- or 8-byte address field into `out` [hi, lo]; undefined when missing. */
export function addressReader(ev: EventFormat, name: string, info: FileInfo): ((rec: RawRecord, out: Uint32Array) => void) | undefined {
  const f = ownField(ev, name);
  if (!f || (f.size !== 4 && f.size !== 8)) return undefined;
  const off = f.offset;
  const le = info.littleEndian;
  const end = off + f.size;
  if (f.size === 4) {
    return (rec, out) => {
      out[0] = 0;
      out[1] = end <= rec.len ? rec.view.getUint32(rec.pos + off, le) : 0;
    };
  }
  const loAt = le ? off : off + 4;
  const hiAt = le ? off + 4 : off;
  return (rec, out) => {
    const ok = end <= rec.len;
    out[0] = ok ? rec.view.getUint32(rec.pos + hiAt, le) : 0;
    out[1] = ok ? rec.view.getUint32(rec.pos + loAt, le) : 0;
  };
}
