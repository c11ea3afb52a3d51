// Print-fmt AST -> closures (style.md §6). Everything that can be decided per event is decided here:
// field offsets/sizes, number vs bigint evaluation, constant folding, directive splitting. A record is
// rendered by one closure call; no record walks the AST. Semantics: libtraceevent 1.7.1 (§5).
import type { RawRecord } from "../../ringbuf/index.js";
import type { FieldDef, FileInfo } from "../event-format.js";
import { latin1Z } from "../field-readers.js";
import type { Kallsyms } from "../kallsyms.js";
import type { PrintkFormats } from "../printk-formats.js";
import { formatInt, formatPointer, formatString, hex2, hexHL, splitFormat, type Directive, type FormatPiece } from "./c-format.js";
import { evalTypeStr, strtoull, type FlagPair, type Node, type PrintFmtAst } from "./parser.js";

/** What compiling needs besides the AST. */
export interface CompileContext {
  fields: readonly FieldDef[];
  findField(name: string): FieldDef | undefined;
  info: FileInfo;
  kallsyms: Kallsyms;
  printk: PrintkFormats;
  /** Plugin print functions are available (not `report -N`). */
  plugins: boolean;
  /** Told when a length taken from a record ran past its end and was clamped (`what`: the helper). */
  onClamp?: (what: string) => void;
}

type Rec = RawRecord;
/** A numeric closure: small (exact JS number below 2^53) or big (u64 bigint). */
export type NumC = { small: true; bits: number; f: (rec: Rec) => number; konst?: number } | { small: false; f: (rec: Rec) => bigint; konst?: bigint };
type StrC = (rec: Rec) => string;

/** A compiled directive/text piece; `field` is the field its argument reads (casts ignored), for -R. */
export interface CompiledPiece {
  kind: "text" | "digit" | "pointer" | "string";
  text: string;
  render: StrC;
  field: FieldDef | undefined;
}

/** The compiled print fmt of one event. */
export interface CompiledFormat {
  render: StrC;
  pieces: CompiledPiece[];
}

class CompileError extends Error {}

/** Fake address base for pointers into the record (`__get_dynamic_array`), so plugin functions can read them. */
export const RECORD_PTR_BASE = 0x100000000000n;

const ZERO: NumC = { small: true, bits: 0, f: () => 0, konst: 0 };

function bigOf(c: NumC): (rec: Rec) => bigint {
  if (!c.small) return c.f;
  const f = c.f;
  return (rec) => BigInt(f(rec));
}

function constNum(v: bigint): NumC {
  v = BigInt.asUintN(64, v);
  if (v < 2n ** 53n) {
    const n = Number(v);
    return { small: true, bits: n === 0 ? 0 : n.toString(2).length, f: () => n, konst: n };
  }
  return { small: false, f: () => v, konst: v };
}

function isConst(c: NumC): boolean {
  return c.konst !== undefined;
}

function konstBig(c: NumC): bigint {
  return typeof c.konst === "number" ? BigInt(c.konst) : (c.konst as bigint);
}

function fieldNum(field: FieldDef, info: FileInfo): NumC {
  const off = field.offset;
  const le = info.littleEndian;
  const end = off + field.size;
  switch (field.size) {
    case 1:
      return { small: true, bits: 8, f: (rec) => (end <= rec.len ? rec.buf[rec.pos + off]! : 0) };
    case 2:
      return { small: true, bits: 16, f: (rec) => (end <= rec.len ? rec.view.getUint16(rec.pos + off, le) : 0) };
    case 4:
      return { small: true, bits: 32, f: (rec) => (end <= rec.len ? rec.view.getUint32(rec.pos + off, le) : 0) };
    case 8:
      return { small: false, f: (rec) => (end <= rec.len ? rec.view.getBigUint64(rec.pos + off, le) : 0n) };
    default:
      return ZERO;
  }
}

/** Reads `size` bytes at a computed offset from the record start (tep_read_number; bounds-checked). */
function readDyn(rec: Rec, off: number, size: number, le: boolean): bigint {
  if (off + size > rec.len || off < 0) return 0n;
  const at = rec.pos + off;
  switch (size) {
    case 1:
      return BigInt(rec.buf[at]!);
    case 2:
      return BigInt(rec.view.getUint16(at, le));
    case 4:
      return BigInt(rec.view.getUint32(at, le));
    case 8:
      return rec.view.getBigUint64(at, le);
    default:
      return 0n;
  }
}

/** (offset from record start, length) of a dynamic field, libtraceevent dynamic_offset_field(). */
export function dynLocator(field: FieldDef, info: FileInfo): (rec: Rec) => number {
  // Returns offset * 65536 + len packed into one number (both < 65536 + field offsets).
  const off = field.offset;
  const size = field.size;
  const le = info.littleEndian;
  const rel = field.isRelLoc ? off + size : 0;
  return (rec) => {
    if (off + size > rec.len) return 0;
    // Read at the field's size (a 1-byte `bool cmdbuf` shadows `__data_loc u32[] cmdbuf` on 3.10);
    // of a u64 only the low 32 bits matter.
    const at = rec.pos + off;
    const v =
      size === 4 ? rec.view.getUint32(at, le)
      : size === 2 ? rec.view.getUint16(at, le)
      : size === 1 ? rec.buf[at]!
      : size === 8 ? rec.view.getUint32(le ? at : at + 4, le)
      : 0;
    const o = v & 0xffff;
    const l = size === 2 ? rec.len - o : v >>> 16;
    const oo = o > rec.len ? 0 : o;
    const ll = o + l > rec.len ? 0 : l;
    return (oo + rel) * 65536 + ll;
  };
}

/** Numeric value of an atom (strtoull, else a kernel symbol's address, else 0). */
function atomValue(text: string, kallsyms: Kallsyms): bigint {
  const v = strtoull(text);
  if (v !== 0n) return v;
  if (/^[0-9]/.test(text)) return 0n;
  return kallsyms.addressOf(text) ?? 0n;
}

function maskOfType(type: string): number {
  // Width a (non-pointer) cast masks to: 8/16/32, or 64 (no change).
  const t = type.length < 2 ? "" : type;
  if (t === "" || t.endsWith("*") || t.startsWith("struct")) return 64;
  switch (t) {
    case "u8": case "s8": return 8;
    case "u16": case "s16": return 16;
    case "u32": case "s32": return 32;
  }
  const u = t.startsWith("unsigned ") ? t.slice(9) : t;
  if (u === "char") return 8;
  if (u === "short") return 16;
  if (u === "int") return 32;
  return 64;
}

/** Compiles print-fmt ASTs of one event. */
export class Compiler {
  constructor(private readonly ctx: CompileContext) {}

  private field(name: string): FieldDef | undefined {
    return this.ctx.findField(name);
  }

  private ownField(name: string): FieldDef {
    const f = this.ctx.fields.find((x) => x.name === name);
    if (!f) throw new CompileError(`field '${name}' not found`);
    return f;
  }

  /** eval_num_arg() compiled. */
  num(n: Node): NumC {
    const c = this.numRaw(n);
    if (c.konst === undefined && this.isConstNode(n)) {
      const dummy = { buf: new Uint8Array(0), view: new DataView(new ArrayBuffer(0)), pos: 0, len: 0, ts: 0, cpu: 0, missedEvents: 0 };
      const v = c.small ? BigInt(c.f(dummy)) : c.f(dummy);
      return constNum(v);
    }
    return c;
  }

  private isConstNode(n: Node): boolean {
    switch (n.kind) {
      case "null":
      case "atom":
      case "bstring":
        return true;
      case "op":
        return (n.left === undefined || this.isConstNode(n.left)) && (n.right === undefined || this.isConstNode(n.right));
      case "type":
        return this.isConstNode(n.item);
      default:
        return false;
    }
  }

  private numRaw(n: Node): NumC {
    const { info, kallsyms } = this.ctx;
    switch (n.kind) {
      case "null":
      case "flags":
      case "symbol":
      case "intArray":
      case "hex":
      case "string":
      case "bstring":
      case "bitmask":
        return ZERO;
      case "atom":
        return constNum(atomValue(n.text, kallsyms));
      case "field": {
        const f = this.field(n.name);
        return f ? fieldNum(f, info) : ZERO;
      }
      case "type": {
        const item = this.num(n.item);
        const w = maskOfType(n.type);
        if (w === 64) return item;
        if (item.small) {
          const f = item.f;
          if (item.bits <= w) return item;
          if (w === 32) return { small: true, bits: 32, f: (rec) => f(rec) % 4294967296 };
          const m = w === 8 ? 0xff : 0xffff;
          return { small: true, bits: w, f: (rec) => f(rec) & m };
        }
        const f = item.f;
        const mask = (1n << BigInt(w)) - 1n;
        return { small: true, bits: w, f: (rec) => Number(f(rec) & mask) };
      }
      case "func":
        return this.funcNum(n);
      case "dynArrayLen": {
        const loc = dynLocator(this.ownField(n.name), info);
        return { small: true, bits: 16, f: (rec) => loc(rec) % 65536 };
      }
      case "dynArray": {
        const loc = dynLocator(this.ownField(n.name), info);
        return { small: false, f: (rec) => RECORD_PTR_BASE + BigInt(Math.floor(loc(rec) / 65536)) };
      }
      case "op":
        return this.opNum(n);
    }
  }

  private opNum(n: Node & { kind: "op" }): NumC {
    const le = this.ctx.info.littleEndian;
    if (n.op === "[") {
      const right = this.num(n.right ?? { kind: "null" });
      let larg = n.left ?? { kind: "null" };
      let typearg: string | undefined;
      while (larg.kind === "type") {
        if (typearg === undefined) typearg = larg.type;
        larg = larg.item;
      }
      const rb = bigOf(right);
      const cast = (v: bigint): bigint => (typearg === undefined ? v : evalTypeStr(v, typearg, true));
      if (larg.kind === "dynArray") {
        const fld = this.ownField(larg.name);
        const loc = dynLocator(fld, this.ctx.info);
        const size = fld.elementSize || this.ctx.info.longSize;
        return { small: false, f: (rec) => cast(readDyn(rec, Math.floor(loc(rec) / 65536) + Number(BigInt.asIntN(32, rb(rec))), size, le)) };
      }
      if (larg.kind === "field") {
        const fld = this.field(larg.name);
        if (!fld) return ZERO;
        const size = fld.elementSize;
        const off = fld.offset;
        if (right.konst !== undefined) {
          const idx = Number(BigInt.asIntN(32, konstBig(right)));
          const at = off + idx * size;
          return { small: false, f: (rec) => cast(readDyn(rec, at, size, le)) };
        }
        return { small: false, f: (rec) => cast(readDyn(rec, off + Number(BigInt.asIntN(32, rb(rec))) * size, size, le)) };
      }
      return ZERO;
    }
    if (n.op === "?") {
      const cond = this.num(n.left ?? { kind: "null" });
      const colon = n.right;
      if (!colon || colon.kind !== "op") return ZERO;
      const a = this.num(colon.left ?? { kind: "null" });
      const b = this.num(colon.right ?? { kind: "null" });
      if (cond.small && a.small && b.small) {
        const c = cond.f, af = a.f, bf = b.f;
        return { small: true, bits: Math.max(a.bits, b.bits), f: (rec) => (c(rec) ? af(rec) : bf(rec)) };
      }
      const c = bigOf(cond), af = bigOf(a), bf = bigOf(b);
      return { small: false, f: (rec) => (c(rec) ? af(rec) : bf(rec)) };
    }
    const l = this.num(n.left ?? { kind: "null" });
    const r = this.num(n.right ?? { kind: "null" });
    const op = n.op;
    if (l.small && r.small) {
      const a = l.f, b = r.f;
      switch (op) {
        case "==": return { small: true, bits: 1, f: (rec) => (a(rec) === b(rec) ? 1 : 0) };
        case "!=": return { small: true, bits: 1, f: (rec) => (a(rec) !== b(rec) ? 1 : 0) };
        case "<": return { small: true, bits: 1, f: (rec) => (a(rec) < b(rec) ? 1 : 0) };
        case ">": return { small: true, bits: 1, f: (rec) => (a(rec) > b(rec) ? 1 : 0) };
        case "<=": return { small: true, bits: 1, f: (rec) => (a(rec) <= b(rec) ? 1 : 0) };
        case ">=": return { small: true, bits: 1, f: (rec) => (a(rec) >= b(rec) ? 1 : 0) };
        case "&&": return { small: true, bits: 1, f: (rec) => (a(rec) && b(rec) ? 1 : 0) };
        case "||": return { small: true, bits: 1, f: (rec) => (a(rec) || b(rec) ? 1 : 0) };
        case "!": return { small: true, bits: 1, f: (rec) => (b(rec) ? 0 : 1) };
        case "&":
          if (l.bits <= 32 || r.bits <= 32) {
            const bits = Math.min(l.bits, r.bits);
            return { small: true, bits, f: (rec) => (((a(rec) % 4294967296) & (b(rec) % 4294967296)) >>> 0) };
          }
          break;
        case "|":
          if (l.bits <= 32 && r.bits <= 32) return { small: true, bits: Math.max(l.bits, r.bits), f: (rec) => (a(rec) | b(rec)) >>> 0 };
          break;
        case "^":
          if (l.bits <= 32 && r.bits <= 32) return { small: true, bits: Math.max(l.bits, r.bits), f: (rec) => (a(rec) ^ b(rec)) >>> 0 };
          break;
        case "+":
          if (Math.max(l.bits, r.bits) < 52) return { small: true, bits: Math.max(l.bits, r.bits) + 1, f: (rec) => a(rec) + b(rec) };
          break;
        case "*":
          if (l.bits + r.bits <= 53) return { small: true, bits: l.bits + r.bits, f: (rec) => a(rec) * b(rec) };
          break;
        case "/":
          return { small: true, bits: l.bits, f: (rec) => { const d = b(rec); return d === 0 ? 0 : Math.floor(a(rec) / d); } };
        case "%":
          return { small: true, bits: Math.min(l.bits, r.bits), f: (rec) => { const d = b(rec); return d === 0 ? 0 : a(rec) % d; } };
        case ">>":
          return { small: false, f: (rec) => { const s = b(rec); return s >= 64 ? 0n : BigInt(a(rec)) >> BigInt(s); } };
      }
    }
    const a = bigOf(l), b = bigOf(r);
    const u = (v: bigint): bigint => BigInt.asUintN(64, v);
    switch (op) {
      case "!": return { small: true, bits: 1, f: (rec) => (b(rec) ? 0 : 1) };
      case "~": return { small: false, f: (rec) => u(~b(rec)) };
      case "==": return { small: true, bits: 1, f: (rec) => (a(rec) === b(rec) ? 1 : 0) };
      case "!=": return { small: true, bits: 1, f: (rec) => (a(rec) !== b(rec) ? 1 : 0) };
      case "<": return { small: true, bits: 1, f: (rec) => (a(rec) < b(rec) ? 1 : 0) };
      case ">": return { small: true, bits: 1, f: (rec) => (a(rec) > b(rec) ? 1 : 0) };
      case "<=": return { small: true, bits: 1, f: (rec) => (a(rec) <= b(rec) ? 1 : 0) };
      case ">=": return { small: true, bits: 1, f: (rec) => (a(rec) >= b(rec) ? 1 : 0) };
      case "&&": return { small: true, bits: 1, f: (rec) => (a(rec) && b(rec) ? 1 : 0) };
      case "||": return { small: true, bits: 1, f: (rec) => (a(rec) || b(rec) ? 1 : 0) };
      case "&": return { small: false, f: (rec) => a(rec) & b(rec) };
      case "|": return { small: false, f: (rec) => a(rec) | b(rec) };
      case "^": return { small: false, f: (rec) => a(rec) ^ b(rec) };
      case "+": return { small: false, f: (rec) => u(a(rec) + b(rec)) };
      case "-": return { small: false, f: (rec) => u(a(rec) - b(rec)) };
      case "*": return { small: false, f: (rec) => u(a(rec) * b(rec)) };
      case "/": return { small: false, f: (rec) => { const d = b(rec); return d === 0n ? 0n : a(rec) / d; } };
      case "%": return { small: false, f: (rec) => { const d = b(rec); return d === 0n ? 0n : a(rec) % d; } };
      case "<<": return { small: false, f: (rec) => u(a(rec) << (b(rec) & 63n)) };
      case ">>": return { small: false, f: (rec) => a(rec) >> (b(rec) & 63n) };
      default: return ZERO;
    }
  }

  /** A plugin function in numeric context: its return value (its text is discarded). */
  private funcNum(n: Node & { kind: "func" }): NumC {
    const fn = this.func(n);
    return { small: false, f: (rec) => fn(rec).ret };
  }

  /** A plugin print function: its text and return value. */
  func(n: Node & { kind: "func" }): (rec: Rec) => { text: string; ret: bigint } {
    if (!this.ctx.plugins) throw new CompileError(`function ${n.name} not defined`);
    const args = n.args.map((a) => bigOf(this.num(a)));
    const le = this.ctx.info.littleEndian;
    const out = { text: "", ret: 0n };
    const readPtr = (rec: Rec, p: bigint, size: number): bigint => {
      const off = Number(p - RECORD_PTR_BASE);
      if (p < RECORD_PTR_BASE || off + size > rec.len) return 0n;
      return readDyn(rec, off, size, le);
    };
    switch (n.name) {
      case "jbd2_dev_to_name": {
        const a0 = args[0]!;
        return (rec) => {
          const dev = Number(a0(rec) & 0xffffffffn);
          out.text = String(dev >>> 20) + ":" + String(dev & 0xfffff);
          out.ret = 0n;
          return out;
        };
      }
      case "jiffies_to_msecs": {
        const a0 = args[0]!;
        return (rec) => {
          const v = a0(rec);
          out.text = BigInt.asIntN(64, v).toString();
          out.ret = v;
          return out;
        };
      }
      case "__le16_to_cpup": {
        const a0 = args[0]!;
        return (rec) => {
          const p = a0(rec);
          out.text = "";
          out.ret = p === 0n ? 0n : readPtr(rec, p, 2);
          return out;
        };
      }
      case "is_writable_pte": {
        const a0 = args[0]!;
        return (rec) => {
          out.text = "";
          out.ret = a0(rec) & 2n;
          return out;
        };
      }
      case "xen_hypercall_name": {
        const a0 = args[0]!;
        return (rec) => {
          const op = Number(BigInt.asUintN(32, a0(rec)));
          const name = XEN_HYPERCALLS[op];
          out.text = name === undefined ? "" : "(" + name + ")";
          out.ret = 0n;
          return out;
        };
      }
      case "scsi_trace_parse_cdb": {
        const a1 = args[1]!;
        return (rec) => {
          // The plugin reads the CDB bytes its opcode needs whatever cmd_len says (libtraceevent
          // plugin_scsi.c): the record's bytes, zeros past its end.
          const p = a1(rec);
          const off = p >= RECORD_PTR_BASE && p - RECORD_PTR_BASE < BigInt(rec.len) ? Number(p - RECORD_PTR_BASE) : rec.len;
          out.text = scsiParseCdb((i) => (off + i < rec.len ? rec.buf[rec.pos + off + i]! : 0));
          out.ret = 0n;
          return out;
        };
      }
      default:
        throw new CompileError(`function ${n.name} not defined`);
    }
  }

  /** print_str_arg() compiled; `d` formats each piece that libtraceevent formats with the directive. */
  str(n: Node, d: Directive, lenArgC: NumC | undefined): StrC {
    const lenArg = lenArgC ? lenArgC : undefined;
    const fmt = (s: string, rec: Rec): string => formatString(d, s, lenArg ? Number(BigInt.asIntN(32, bigOf(lenArg)(rec))) : 0);
    const plain = d.width === undefined && d.precision === undefined;
    const F = plain ? (s: string): string => s : undefined;
    const { info, printk } = this.ctx;
    switch (n.kind) {
      case "null":
      case "type":
      case "dynArray":
      case "dynArrayLen":
        return () => "";
      case "atom":
      case "bstring": {
        const t = n.text;
        if (F) return () => t;
        return (rec) => fmt(t, rec);
      }
      case "field": {
        const f = this.field(n.name);
        if (!f) return () => "";
        if (f.arrayLen < 0 && !(f.isDynamic && f.size === 2) && f.size === info.longSize) {
          // libtraceevent dereferences the field in host byte order (no swap): little-endian hosts.
          const rd = fieldNum(f, { ...info, littleEndian: true });
          const rb = bigOf(rd);
          return (rec) => {
            const addr = rb(rec);
            const s = printk.lookup(addr);
            return s !== undefined ? s : addr.toString(16);
          };
        }
        const off = f.offset;
        const size = f.size;
        return (rec) => {
          const len = size !== 0 ? size : rec.len - off;
          const s = latin1Z(rec.buf, rec.pos + off, rec.pos + off + Math.max(0, len));
          return F ? s : fmt(s, rec);
        };
      }
      case "flags": {
        const v = bigOf(this.num(n.value));
        const pairs = n.pairs.map((p) => ({ v: evalFlag(p.value), s: p.str }));
        const delim = n.delim;
        return (rec) => {
          let val = BigInt.asIntN(64, v(rec));
          let out = "";
          let printed = false;
          for (const p of pairs) {
            if (val === 0n && p.v < 0n) {
              out += F ? p.s : fmt(p.s, rec);
              break;
            }
            if (p.v > 0n && (val & p.v) === p.v) {
              if (printed && delim !== undefined) out += delim;
              out += F ? p.s : fmt(p.s, rec);
              printed = true;
              val &= ~p.v;
            }
          }
          if (val !== 0n) {
            if (printed && delim !== undefined) out += delim;
            out += "0x" + BigInt.asUintN(64, val).toString(16);
          }
          return out;
        };
      }
      case "symbol": {
        const c = this.num(n.value);
        const pairs = n.pairs.map((p) => ({ v: evalFlag(p.value), s: p.str }));
        const small = pairs.every((p) => p.v >= 0n && p.v < 2n ** 53n);
        if (c.small && small) {
          const f = c.f;
          const map = new Map<number, string>();
          for (const p of pairs) if (!map.has(Number(p.v))) map.set(Number(p.v), p.s);
          return (rec) => {
            const v = f(rec);
            const s = map.get(v);
            if (s !== undefined) return F ? s : fmt(s, rec);
            return "0x" + v.toString(16);
          };
        }
        const b = bigOf(c);
        return (rec) => {
          const v = BigInt.asIntN(64, b(rec));
          for (const p of pairs) if (p.v === v) return F ? p.s : fmt(p.s, rec);
          return "0x" + BigInt.asUintN(64, v).toString(16);
        };
      }
      case "hex": {
        const start = this.dataStart(n.field);
        const len = bigOf(this.num(n.size));
        const sep = n.str ? "" : " ";
        const what = n.str ? "__print_hex_str" : "__print_hex";
        return (rec) => {
          const from = start(rec);
          const at = rec.pos + from;
          let cnt = Number(BigInt.asIntN(32, len(rec)));
          if (cnt > rec.len - from) cnt = this.clamp(what, Math.max(0, rec.len - from));
          let out = "";
          for (let i = 0; i < cnt; i++) {
            if (i && sep) out += sep;
            out += hex2(rec.buf[at + i]!);
          }
          return out;
        };
      }
      case "intArray": {
        const start = this.dataStart(n.field);
        const count = bigOf(this.num(n.count));
        const elSize = bigOf(this.num(n.elSize));
        return (rec) => {
          const from = start(rec);
          let at = rec.pos + from;
          let cnt = Number(BigInt.asIntN(32, count(rec)));
          let el = Number(BigInt.asIntN(32, elSize(rec)));
          const step = el === 1 || el === 2 || el === 4 || el === 8 ? el : 1;
          if (cnt * step > rec.len - from) cnt = this.clamp("__print_array", Math.max(0, Math.floor((rec.len - from) / step)));
          let out = "";
          const b = rec.buf;
          for (let i = 0; i < cnt; i++) {
            if (i) out += " ";
            const byte = (k: number): number => b[at + k] ?? 0;
            if (el === 1) out += byte(0);
            else if (el === 2) out += byte(0) + byte(1) * 256;
            else if (el === 4) out += byte(0) + byte(1) * 256 + byte(2) * 65536 + byte(3) * 16777216;
            else if (el === 8) {
              let v = 0n;
              for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(byte(k));
              out += v.toString();
            } else {
              out += "BAD SIZE:" + el + " 0x" + byte(0).toString(16);
              el = 1;
            }
            at += el;
          }
          return out;
        };
      }
      case "string": {
        const f = this.field(n.name);
        if (!f) return () => "";
        const loc = dynLocator(f, info);
        return (rec) => {
          const v = loc(rec);
          const len = v % 65536;
          if (len === 0) return "";
          const at = rec.pos + Math.floor(v / 65536);
          const s = latin1Z(rec.buf, at, rec.buf.length);
          return F ? s : fmt(s, rec);
        };
      }
      case "bitmask": {
        const f = this.field(n.name);
        if (!f) return () => "";
        const loc = dynLocator(f, info);
        const le = info.littleEndian;
        const cpumask = n.cpumask;
        return (rec) => {
          const v = loc(rec);
          const len = v % 65536;
          const at = rec.pos + Math.floor(v / 65536);
          const s = cpumask ? cpumaskText(rec.buf, at, len, le) : bitmaskText(rec.buf, at, len, le);
          return F ? s : fmt(s, rec);
        };
      }
      case "op": {
        if (n.op !== "?") return () => "";
        const cond = this.num(n.left ?? { kind: "null" });
        const colon = n.right;
        if (!colon || colon.kind !== "op") return () => "";
        const a = this.str(colon.left ?? { kind: "null" }, d, lenArgC);
        const b = this.str(colon.right ?? { kind: "null" }, d, lenArgC);
        if (cond.konst !== undefined) return cond.konst ? a : b;
        const c = bigOf(cond);
        if (cond.small) {
          const cs = cond.f;
          return (rec) => (cs(rec) ? a(rec) : b(rec));
        }
        return (rec) => (c(rec) ? a(rec) : b(rec));
      }
      case "func": {
        const fn = this.func(n);
        return (rec) => fn(rec).text;
      }
    }
    return () => "";
  }

  /** `n`, after telling the context that a record's length for `what` ran past its end. */
  private clamp(what: string, n: number): number {
    this.ctx.onClamp?.(what);
    return n;
  }

  /** Start (from the record start) of the data a __print_hex/__print_array argument points to. */
  private dataStart(n: Node): (rec: Rec) => number {
    if (n.kind === "dynArray") {
      const loc = dynLocator(this.ownField(n.name), this.ctx.info);
      return (rec) => Math.floor(loc(rec) / 65536);
    }
    if (n.kind === "field") {
      const f = this.field(n.name);
      if (!f) throw new CompileError(`field '${n.name}' not found`);
      const off = f.offset;
      return () => off;
    }
    return () => 0;
  }

  /** Compiles the whole print fmt into pieces and one render closure. */
  compile(ast: PrintFmtAst): CompiledFormat {
    return this.compilePieces(splitFormat(ast.format), ast.args);
  }

  compilePieces(split: FormatPiece[], args: Node[]): CompiledFormat {
    let ai = 0;
    const pieces: CompiledPiece[] = [];
    for (const p of split) {
      if (p.kind === "text") {
        const t = p.text;
        pieces.push({ kind: "text", text: t, render: () => t, field: undefined });
        continue;
      }
      const d = p.directive;
      let lenArg: NumC | undefined;
      if (d.star) {
        if (ai >= args.length) throw new CompileError("no argument match");
        lenArg = this.num(args[ai++]!);
      }
      if (ai >= args.length) throw new CompileError("no argument match");
      const arg = args[ai++]!;
      let base: Node = arg;
      while (base.kind === "type") base = base.item;
      const field = base.kind === "field" ? this.field(base.name) : undefined;
      pieces.push({ kind: p.kind, text: d.text, render: this.directive(p.kind, d, arg, lenArg), field });
    }
    return { render: joinPieces(pieces.map((p) => p.render)), pieces };
  }

  /** One directive with its argument. */
  directive(kind: "digit" | "pointer" | "string", d: Directive, arg: Node, lenArg: NumC | undefined): StrC {
    const lenF = lenArg ? bigOf(lenArg) : undefined;
    const lenOf = (rec: Rec): number => (lenF ? Number(BigInt.asIntN(32, lenF(rec))) : 0);
    if (kind === "digit") {
      const c = this.num(arg);
      if (c.small) {
        const f = c.f;
        return (rec) => formatInt(d, f(rec), lenOf(rec));
      }
      const f = c.f;
      return (rec) => formatInt(d, f(rec), lenOf(rec));
    }
    if (kind === "string") return this.str(arg, d, lenArg);
    return this.pointer(d, arg, lenF);
  }

  private pointer(d: Directive, arg: Node, lenF: ((rec: Rec) => bigint) | undefined): StrC {
    if (arg.kind === "bstring") {
      const t = arg.text;
      return () => t;
    }
    const ext = d.ext;
    const { kallsyms, info } = this.ctx;
    const c0 = ext[0];
    if (c0 === "F" || c0 === "f" || c0 === "S" || c0 === "s") {
      const withOff = c0 === "F" || c0 === "S";
      let base: Node = arg;
      while (base.kind === "type" && maskOfType(base.type) === 64) base = base.item;
      const fld = base.kind === "field" ? this.field(base.name) : undefined;
      if (fld && (fld.size === 8 || fld.size === 4)) {
        // Hot path (function, kmem, irq events): the address is read as two u32 halves.
        const off = fld.offset;
        const le = info.littleEndian;
        const end = off + fld.size;
        if (fld.size === 4) return (rec) => symbolTextHL(kallsyms, 0, end <= rec.len ? rec.view.getUint32(rec.pos + off, le) : 0, withOff);
        const loAt = le ? off : off + 4;
        const hiAt = le ? off + 4 : off;
        return (rec) =>
          end <= rec.len ? symbolTextHL(kallsyms, rec.view.getUint32(rec.pos + hiAt, le), rec.view.getUint32(rec.pos + loAt, le), withOff) : symbolTextHL(kallsyms, 0, 0, withOff);
      }
      const v = bigOf(this.num(arg));
      return (rec) => symbolText(kallsyms, v(rec), withOff);
    }
    if (c0 === "M" || c0 === "m" || c0 === "I" || c0 === "i" || c0 === "U") {
      if (arg.kind === "func") {
        const fn = this.func(arg);
        return (rec) => fn(rec).text;
      }
      let base: Node = arg;
      while (base.kind === "type") base = base.item;
      if (c0 === "I" || c0 === "i") {
        const v = ext[1];
        if (v !== "4" && v !== "6" && v !== "S") {
          // Not an IP directive: libtraceevent prints nothing for it.
          return () => "";
        }
        if (v === "S") return this.sockaddr(c0, ext.slice(2), base);
      }
      if (base.kind !== "field") {
        const t = "ARG TYPE NOT FIELD BUT " + argTypeNumber(base);
        return () => t;
      }
      const f = this.field(base.name);
      if (!f) return () => "";
      return this.bytesDirective(d, f);
    }
    if (c0 === "h") {
      if (arg.kind === "func") {
        const fn = this.func(arg);
        return (rec) => fn(rec).text;
      }
      if (arg.kind !== "dynArray") {
        const t = "ARG TYPE NOT FIELD BUT " + argTypeNumber(arg);
        return () => t;
      }
      const loc = dynLocator(this.ownField(arg.name), info);
      const delim = ext[1] === "C" ? ":" : ext[1] === "D" ? "-" : ext[1] === "N" ? "" : " ";
      return (rec) => {
        const v = loc(rec);
        const arrLen = v % 65536;
        let plen = lenF ? Number(BigInt.asIntN(32, lenF(rec))) : 1;
        // C compares the unsigned array length with the int: a negative length prints the whole array.
        if (plen < 0 || arrLen < plen) plen = arrLen;
        if (plen < 1) return "";
        const at = rec.pos + Math.floor(v / 65536);
        let out = hex2(rec.buf[at] ?? 0);
        for (let i = 1; i < plen; i++) out += delim + hex2(rec.buf[at + i] ?? 0);
        return out;
      };
    }
    const v = this.num(arg);
    if (v.small) {
      const f = v.f;
      return (rec) => formatPointer(f(rec));
    }
    const f = v.f;
    return (rec) => formatPointer(f(rec));
  }

  /** %pIS / %piS (+p, c, h/n/b/l): an IPv4/IPv6 address from a sockaddr field or dynamic array. */
  private sockaddr(i: string, mods: string, base: Node): StrC {
    let k = 0;
    let port = false;
    let compressed = false;
    if (i === "I") {
      if (mods[k] === "p") {
        port = true;
        k++;
      }
      if (mods[k] === "c") {
        compressed = true;
        k++;
      }
    }
    const m = mods[k];
    const reverse = m === "h" ? this.ctx.info.littleEndian : m === "l";
    let locate: (rec: Rec) => number;
    if (base.kind === "field") {
      const f = this.field(base.name);
      if (!f) return () => "";
      const packed = f.offset * 65536 + f.size;
      locate = () => packed;
    } else if (base.kind === "dynArray") {
      locate = dynLocator(this.ownField(base.name), this.ctx.info);
    } else {
      const t = "ARG NOT FIELD NOR DYNAMIC ARRAY BUT TYPE " + argTypeNumber(base);
      return () => t;
    }
    return (rec) => {
      const v = locate(rec);
      const len = v % 65536;
      const at = rec.pos + Math.floor(v / 65536);
      const b = (n: number): number => rec.buf[at + n] ?? 0;
      const family = b(0) | (b(1) << 8);
      const portText = (): string => String(b(2) * 256 + b(3));
      if (family === 2) {
        if (len < 16) return "INVALIDIPv4";
        return ip4Text(i, reverse, (n) => b(4 + n)) + (port ? ":" + portText() : "");
      }
      if (family === 10) {
        if (len < 28) return "INVALIDIPv6";
        const a: number[] = [];
        for (let n = 0; n < 16; n++) a.push(b(8 + n));
        const t = compressed ? ip6cText(a) : ip6Text(i, a);
        return port ? "[" + t + "]:" + portText() : t;
      }
      return "";
    };
  }

  /** %pM %pm %pI4 %pI6 %pU on a fixed field. */
  private bytesDirective(d: Directive, f: FieldDef): StrC {
    const ext = d.ext;
    const off = f.offset;
    const size = f.size;
    const byteAt = (rec: Rec, i: number): number => rec.buf[rec.pos + off + i] ?? 0;
    const c0 = ext[0]!;
    if (c0 === "M" || c0 === "m") {
      if (size !== 6) return () => "INVALIDMAC";
      const sep = c0 === "m" ? "" : ext[1] === "F" ? "-" : ":";
      const reverse = ext[1] === "R";
      return (rec) => {
        let out = "";
        for (let i = 0; i < 6; i++) {
          if (i) out += sep;
          out += hex2(byteAt(rec, reverse ? 5 - i : i));
        }
        return out;
      };
    }
    if (c0 === "U") {
      if (size !== 16) return () => "INVALIDUUID";
      const upper = ext[1] === "L" || ext[1] === "B";
      const guid = ext[1] === "L" || ext[1] === "l";
      const index = guid ? [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
      return (rec) => {
        let out = "";
        for (let i = 0; i < 16; i++) {
          const h = hex2(byteAt(rec, index[i]!));
          out += upper ? h.toUpperCase() : h;
          if (i === 3 || i === 5 || i === 7 || i === 9) out += "-";
        }
        return out;
      };
    }
    // IP addresses.
    const i = c0;
    const ver = ext[1];
    if (ver === "4") {
      const mod = ext[2];
      const reverse = mod === "h" ? this.ctx.info.littleEndian : mod === "l";
      if (size !== 4) return () => "INVALIDIPv4";
      return (rec) => ip4Text(i, reverse, (k) => byteAt(rec, k));
    }
    if (ver === "6") {
      const compressed = i === "I" && ext[2] === "c";
      if (size !== 16) return () => "INVALIDIPv6";
      return (rec) => {
        const b: number[] = [];
        for (let k = 0; k < 16; k++) b.push(byteAt(rec, k));
        return compressed ? ip6cText(b) : ip6Text(i, b);
      };
    }
    return () => "";
  }
}

function joinPieces(fs: StrC[]): StrC {
  switch (fs.length) {
    case 0:
      return () => "";
    case 1:
      return fs[0]!;
    case 2: {
      const [a, b] = fs as [StrC, StrC];
      return (rec) => a(rec) + b(rec);
    }
    case 3: {
      const [a, b, c] = fs as [StrC, StrC, StrC];
      return (rec) => a(rec) + b(rec) + c(rec);
    }
    case 4: {
      const [a, b, c, d] = fs as [StrC, StrC, StrC, StrC];
      return (rec) => a(rec) + b(rec) + c(rec) + d(rec);
    }
    default: {
      const n = fs.length;
      return (rec) => {
        let s = "";
        for (let i = 0; i < n; i++) s += fs[i]!(rec);
        return s;
      };
    }
  }
}

/** libtraceevent eval_flag(): pair value text -> signed 64-bit value (-1 when unknown). */
function evalFlag(text: string): bigint {
  if (/^[0-9]/.test(text)) return BigInt.asIntN(64, strtoull(text));
  const known = KNOWN_FLAGS.get(text);
  return known !== undefined ? BigInt(known) : -1n;
}

const KNOWN_FLAGS = new Map<string, number>([
  ["HI_SOFTIRQ", 0], ["TIMER_SOFTIRQ", 1], ["NET_TX_SOFTIRQ", 2], ["NET_RX_SOFTIRQ", 3], ["BLOCK_SOFTIRQ", 4],
  ["IRQ_POLL_SOFTIRQ", 5], ["TASKLET_SOFTIRQ", 6], ["SCHED_SOFTIRQ", 7], ["HRTIMER_SOFTIRQ", 8], ["RCU_SOFTIRQ", 9],
  ["HRTIMER_NORESTART", 0], ["HRTIMER_RESTART", 1],
]);

/** %ps/%pS text of an address given in 32-bit halves: name (+0xoff) or 0x<hex>. */
export function symbolTextHL(kallsyms: Kallsyms, hi: number, lo: number, withOffset: boolean): string {
  const i = kallsyms.indexOfHL(hi, lo);
  if (i < 0) return "0x" + hexHL(hi, lo);
  const name = kallsyms.nameAt(i);
  return withOffset ? name + "+0x" + kallsyms.offsetAt(i, hi, lo).toString(16) : name;
}

/** %ps/%pS text: name (+0xoff) or 0x<hex>. */
export function symbolText(kallsyms: Kallsyms, v: bigint, withOffset: boolean): string {
  return symbolTextHL(kallsyms, Number((v >> 32n) & 0xffffffffn), Number(v & 0xffffffffn), withOffset);
}

function argTypeNumber(n: Node): number {
  const order = ["null", "atom", "field", "flags", "symbol", "hex", "intArray", "type", "string", "bstring", "dynArray", "op", "func", "bitmask", "dynArrayLen"];
  if (n.kind === "hex" && n.str) return 15;
  if (n.kind === "bitmask" && n.cpumask) return 16;
  return order.indexOf(n.kind);
}

function ip4Text(i: string, reverse: boolean, b: (k: number) => number): string {
  const vals = reverse ? [b(3), b(2), b(1), b(0)] : [b(0), b(1), b(2), b(3)];
  return vals.map((v) => (i === "i" ? String(v).padStart(3, "0") : String(v))).join(".");
}

function ip6Text(i: string, b: number[]): string {
  let out = "";
  for (let j = 0; j < 16; j += 2) {
    out += hex2(b[j]!) + hex2(b[j + 1]!);
    if (i === "I" && j < 14) out += ":";
  }
  return out;
}

function ip6cText(b: number[]): string {
  const w = (k: number): number => b[2 * k]! * 256 + b[2 * k + 1]!;
  const v4mapped = w(0) === 0 && w(1) === 0 && w(2) === 0 && w(3) === 0 && w(4) === 0 && w(5) === 0xffff;
  const isatap = (b[8]! | 0x02) === 0x02 && b[9] === 0 && b[10] === 0x5e && b[11] === 0xfe;
  const useV4 = v4mapped || isatap;
  const range = useV4 ? 6 : 8;
  const zl: number[] = new Array<number>(8).fill(0);
  for (let i = 0; i < range; i++) for (let j = i; j < range && w(j) === 0; j++) zl[i]!++;
  let longest = 1;
  let colonpos = -1;
  for (let i = 0; i < range; i++) if (zl[i]! > longest) { longest = zl[i]!; colonpos = i; }
  if (longest === 1) colonpos = -1;
  let out = "";
  let needcolon = false;
  for (let i = 0; i < range; i++) {
    if (i === colonpos) {
      if (needcolon || i === 0) out += ":";
      out += ":";
      needcolon = false;
      i += longest - 1;
      continue;
    }
    if (needcolon) {
      out += ":";
      needcolon = false;
    }
    const word = w(i);
    const hi = word >> 8;
    const lo = word & 0xff;
    out += hi ? hi.toString(16) + hex2(lo) : lo.toString(16);
    needcolon = true;
  }
  if (useV4) {
    if (needcolon) out += ":";
    out += [b[12], b[13], b[14], b[15]].join(".");
  }
  return out;
}

/** __get_bitmask text: hex of the mask, most significant byte first, a comma every 32 bits. */
export function bitmaskText(buf: Uint8Array, at: number, size: number, le: boolean): string {
  const nrBits = size * 8;
  let strSize = Math.floor((nrBits + 3) / 4);
  strSize += Math.floor((nrBits - 1) / 32);
  if (size === 0) return "";
  const chars: string[] = new Array<string>(strSize).fill("");
  let len = 0;
  for (let i = strSize - 2; i >= 0; i -= 2) {
    const index = le ? len : size - (len + 1);
    const h = hex2(buf[at + index] ?? 0);
    chars[i] = h[0]!;
    chars[i + 1] = h[1]!;
    len++;
    if (!(len & 3) && i > 0) {
      i--;
      chars[i] = ",";
    }
  }
  return chars.join("");
}

/** __get_cpumask text: CPU list with ranges (0-3,8-11). */
export function cpumaskText(buf: Uint8Array, at: number, size: number, le: boolean): string {
  const nrBits = size * 8;
  const bits: boolean[] = [];
  for (let i = 0; i < size; i++) {
    const byte = buf[at + (le ? i : size - (i + 1))] ?? 0;
    for (let k = 0; k < 8; k++) bits.push(((byte >> k) & 1) === 1);
  }
  const parts: string[] = [];
  let i = 0;
  while (i < nrBits) {
    if (!bits[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < nrBits && bits[j]) j++;
    parts.push(j - 1 > i ? `${i}-${j - 1}` : `${i}`);
    i = j;
  }
  return parts.join(",");
}

const XEN_HYPERCALLS: Record<number, string> = {
  0: "set_trap_table", 1: "mmu_update", 2: "set_gdt", 3: "stack_switch", 4: "set_callbacks", 5: "fpu_taskswitch",
  6: "sched_op_compat", 7: "platform_op", 8: "set_debugreg", 9: "get_debugreg", 10: "update_descriptor",
  12: "memory_op", 13: "multicall", 14: "update_va_mapping", 15: "set_timer_op", 16: "event_channel_op_compat",
  17: "xen_version", 18: "console_io", 19: "physdev_op_compat", 20: "grant_table_op", 21: "vm_assist",
  22: "update_va_mapping_otherdomain", 23: "iret", 24: "vcpu_op", 25: "set_segment_base", 26: "mmuext_op",
  27: "xsm_op", 28: "nmi_op", 29: "sched_op", 30: "callback_op", 31: "xenoprof_op", 32: "event_channel_op",
  33: "physdev_op", 34: "hvm_op", 48: "arch_0", 49: "arch_1", 50: "arch_2", 51: "arch_3", 52: "arch_4",
  53: "arch_5", 54: "arch_6", 55: "arch_7",
};

/** scsi_trace_parse_cdb() of the scsi plugin (§8.2 table), including C's int sign extension of `b << 24`. */
function scsiParseCdb(b: (i: number) => number): string {
  // (b[i] << 24 | ...) is a C int: sign-extended when stored in the 64-bit sector_t.
  const int32 = (i: number): bigint => BigInt.asUintN(64, BigInt((b(i) << 24) | (b(i + 1) << 16) | (b(i + 2) << 8) | b(i + 3)));
  const u32 = (i: number): number => ((b(i) << 24) | (b(i + 1) << 16) | (b(i + 2) << 8) | b(i + 3)) >>> 0;
  const lba64 = (i: number): bigint =>
    (BigInt(b(i)) << 56n) | (BigInt(b(i + 1)) << 48n) | (BigInt(b(i + 2)) << 40n) | (BigInt(b(i + 3)) << 32n) | int32(i + 4);
  const op = b(0);
  switch (op) {
    case 0x08:
    case 0x0a:
      return `lba=${((b(1) & 0x1f) << 16) | (b(2) << 8) | b(3)} txlen=${b(4)}`;
    case 0x28:
    case 0x2f:
    case 0x2a:
    case 0x41:
      return `lba=${int32(2)} txlen=${(b(7) << 8) | b(8)} protect=${b(1) >> 5}` + (op === 0x41 ? ` unmap=${(b(1) >> 3) & 1}` : "");
    case 0xa8:
    case 0xaf:
    case 0xaa:
      return `lba=${int32(2)} txlen=${int32(6)} protect=${b(1) >> 5}`;
    case 0x88:
    case 0x8f:
    case 0x8a:
    case 0x93:
      return `lba=${lba64(2)} txlen=${int32(10)} protect=${b(1) >> 5}` + (op === 0x93 ? ` unmap=${(b(1) >> 3) & 1}` : "");
    case 0x42:
      return `regions=${Math.floor((((b(7) << 8) | b(8)) - 8 >>> 0) / 16)}`;
    case 0x9e: {
      const sa = b(1) & 0x1f;
      const cmd = sa === 0x10 ? "READ_CAPACITY_16" : sa === 0x12 ? "GET_LBA_STATUS" : undefined;
      if (!cmd) return "UNKNOWN";
      return `${cmd} lba=${lba64(2)} alloc_len=${u32(10)}`;
    }
    case 0x7f: {
      const sa = (b(8) << 8) | b(9);
      const cmd = sa === 0x9 ? "READ" : sa === 0xa ? "VERIFY" : sa === 0xb ? "WRITE" : sa === 0xd ? "WRITE_SAME" : undefined;
      if (!cmd) return "-";
      return `${cmd}_32 lba=${lba64(12)} txlen=${int32(28)} protect=${b(10) >> 5} ei_lbrt=${u32(20)}` + (sa === 0xd ? ` unmap=${(b(10) >> 3) & 1}` : "");
    }
    default:
      return "-";
  }
}

export { CompileError, hexHL, type FlagPair };
