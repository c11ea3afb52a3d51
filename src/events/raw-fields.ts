// The raw field list (` name=value` per own field) printed by `report -R` and after `[FAILED TO PARSE]`
// (ring-buffer-and-events.md §5.9): a field used by a print-fmt directive is printed with that directive.
import type { RawRecord } from "../ringbuf/index.js";
import type { FieldDef, FileInfo } from "./event-format.js";
import { isWordSize, latin1Z, readUnsignedBig } from "./field-readers.js";
import { dynLocator, type CompiledPiece } from "./printfmt/compiler.js";

type StrC = (rec: RawRecord) => string;

function isPrintableOrSpace(b: number): boolean {
  return (b >= 0x20 && b <= 0x7e) || (b >= 0x09 && b <= 0x0d);
}

/** print_field_raw() for one field; `state.notString` mirrors libtraceevent clearing the string flag. */
function rawField(field: FieldDef, info: FileInfo): StrC {
  const le = info.littleEndian;
  const isArray = field.arrayLen >= 0 || (field.isDynamic && field.size === 2);
  if (isArray) {
    const loc = field.isDynamic ? dynLocator(field, info) : undefined;
    const off = field.offset;
    const size = field.size;
    let isString = field.isString;
    return (rec) => {
      let start: number;
      let len: number;
      if (loc) {
        const v = loc(rec);
        start = Math.floor(v / 65536);
        len = v % 65536;
      } else {
        start = off;
        len = size;
      }
      const at = rec.pos + start;
      const b = rec.buf;
      if (isString) {
        let ok = true;
        for (let i = 0; i < len && (b[at + i] ?? 0) !== 0; i++) {
          if (!isPrintableOrSpace(b[at + i] ?? 0)) {
            ok = false;
            break;
          }
        }
        if (ok) return latin1Z(b, at, b.length);
      }
      let out = "ARRAY[";
      for (let i = 0; i < len; i++) {
        if (i) out += ", ";
        const v = b[at + i] ?? 0;
        out += v < 16 ? "0" + v.toString(16) : v.toString(16);
      }
      isString = false;
      return out + "]";
    };
  }
  const off = field.offset;
  const size = field.size;
  const read = (rec: RawRecord): bigint => {
    if (off + size > rec.len && size !== 0) return 0n;
    return isWordSize(size) ? readUnsignedBig(rec.view, rec.pos + off, size, le) : 0n;
  };
  if (field.isPointer) return (rec) => "0x" + read(rec).toString(16);
  if (field.signed) {
    switch (size) {
      case 4:
        if (field.isLong) return (rec) => "0x" + BigInt.asUintN(32, read(rec)).toString(16);
        return (rec) => BigInt.asIntN(32, read(rec)).toString();
      case 2:
        return (rec) => BigInt.asIntN(16, read(rec)).toString().padStart(2, " ");
      case 1:
        return (rec) => BigInt.asIntN(8, read(rec)).toString();
      default:
        return (rec) => BigInt.asIntN(64, read(rec)).toString();
    }
  }
  if (field.isLong) return (rec) => "0x" + read(rec).toString(16);
  return (rec) => read(rec).toString();
}

/**
 * Compiles the raw field list of one event. `pieces` are the compiled print-fmt pieces (undefined when
 * the print fmt failed or for bprint): each field uses the next directive that prints exactly it.
 */
export function compileRawFields(fields: readonly FieldDef[], info: FileInfo, pieces: readonly CompiledPiece[] | undefined): StrC {
  const parts: StrC[] = [];
  let state = 0; // index of the piece where the next search starts; -1: none left
  for (const field of fields) {
    const name = " " + field.name + "=";
    parts.push(() => name);
    let use: StrC | undefined;
    const isArray = field.arrayLen >= 0 || (field.isDynamic && field.size === 2);
    if (pieces && pieces.length > 0 && state >= 0 && !isArray && !field.isString) {
      const start = state;
      let i = start;
      let has0x = false;
      do {
        const p = pieces[i]!;
        if (p.kind === "text") {
          has0x = p.text.length > 1 && p.text.endsWith("0x");
        } else if (p.field === field) {
          const r = p.render;
          use = has0x ? (rec) => "0x" + r(rec) : r;
          state = i + 1 < pieces.length ? i + 1 : -1;
          break;
        } else has0x = false;
        i = i + 1 < pieces.length ? i + 1 : 0;
      } while (i !== start);
    }
    parts.push(use ?? rawField(field, info));
  }
  const n = parts.length;
  return (rec) => {
    let s = "";
    for (let i = 0; i < n; i++) s += parts[i]!(rec);
    return s;
  };
}
