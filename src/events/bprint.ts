// ftrace:bprint (trace_printk with a format): the format comes from printk_formats by the `fmt` address,
// the arguments are packed in `buf` (ring-buffer-and-events.md §5.8). Each distinct format is split once
// and cached; per record only the argument bytes are decoded.
import type { RawRecord } from "../ringbuf/index.js";
import type { EventFormat, FileInfo } from "./event-format.js";
import { isWordSize, latin1Z, readUnsignedBig } from "./field-readers.js";
import type { Kallsyms } from "./kallsyms.js";
import { formatInt, formatPointer, formatString, splitFormat, type FormatPiece } from "./printfmt/c-format.js";
import { symbolText } from "./printfmt/compiler.js";
import type { PrintkFormats } from "./printk-formats.js";

const MAX_ARGS = 64;

/** Renders bprint records of one event. */
export class BprintRenderer {
  private readonly cache = new Map<string, FormatPiece[]>();
  /** Set once a record's format needed more arguments than it carried; libtraceevent then marks the
   * bprint event failed, so later records print [FAILED TO PARSE]. */
  failed = false;
  private readonly nums: bigint[] = new Array<bigint>(MAX_ARGS).fill(0n);
  private readonly strs: (string | undefined)[] = new Array<string | undefined>(MAX_ARGS).fill(undefined);
  private readonly fmtOff: number;
  private readonly fmtSize: number;
  private readonly ipOff: number;
  private readonly ipSize: number;
  private readonly bufOff: number;

  private constructor(
    private readonly info: FileInfo,
    private readonly kallsyms: Kallsyms,
    private readonly printk: PrintkFormats,
    fmt: { offset: number; size: number },
    ip: { offset: number; size: number },
    buf: { offset: number },
  ) {
    this.fmtOff = fmt.offset;
    this.fmtSize = fmt.size;
    this.ipOff = ip.offset;
    this.ipSize = ip.size;
    this.bufOff = buf.offset;
  }

  /** A renderer for the event, or undefined when it lacks the fmt/ip/buf fields. */
  static create(ev: EventFormat, info: FileInfo, kallsyms: Kallsyms, printk: PrintkFormats): BprintRenderer | undefined {
    const f = ev.fields.find((x) => x.name === "fmt");
    const ip = ev.fields.find((x) => x.name === "ip");
    const buf = ev.fields.find((x) => x.name === "buf");
    if (!f || !ip || !buf) return undefined;
    return new BprintRenderer(info, kallsyms, printk, f, ip, buf);
  }

  private read(rec: RawRecord, off: number, size: number): bigint {
    if (off + size > rec.len) return 0n;
    return isWordSize(size) ? readUnsignedBig(rec.view, rec.pos + off, size, this.info.littleEndian) : 0n;
  }

  /** The event text of one bprint record. */
  render(rec: RawRecord): string {
    const addr = this.read(rec, this.fmtOff, this.fmtSize);
    const p = this.printk.lookup(addr);
    const format = p !== undefined ? "%ps: " + p : "%ps: (NO FORMAT FOUND at " + addr.toString(16) + ")\n";
    let pieces = this.cache.get(format);
    if (!pieces) {
      pieces = splitFormat(format);
      this.cache.set(format, pieces);
    }
    const nargs = this.decodeArgs(rec, format);
    return this.renderPieces(pieces, nargs);
  }

  /** make_bprint_args(): fills nums/strs; returns the argument count. */
  private decodeArgs(rec: RawRecord, fmt: string): number {
    const nums = this.nums;
    const strs = this.strs;
    nums[0] = this.read(rec, this.ipOff, this.ipSize);
    strs[0] = undefined;
    let n = 1;
    const end = rec.len;
    let bp = this.bufOff;
    const longSize = this.info.longSize;
    const push = (v: bigint | undefined, s: string | undefined): void => {
      if (n >= MAX_ARGS) return;
      nums[n] = v ?? 0n;
      strs[n] = s;
      n++;
    };
    for (let i = 5; i < fmt.length && bp < end; i++) {
      if (fmt[i] !== "%") continue;
      let ls = 0;
      let vsize = 0;
      for (;;) {
        i++;
        const c = fmt[i];
        if (c === undefined) break;
        if (c === "%") break;
        if (c === "l") { ls++; continue; }
        if (c === "L") { ls = 2; continue; }
        if ((c >= "0" && c <= "9") || c === "." || c === "#") continue;
        if (c === "z" || c === "Z") { ls = 1; continue; }
        let isString = c === "s";
        let numeric = "duixXo*".includes(c);
        if (c === "p") {
          ls = 1;
          numeric = true;
          const nx = fmt[i + 1];
          if (nx !== undefined && /[A-Za-z0-9]/.test(nx)) {
            i++;
            const pc = fmt[i]!;
            const plain = pc === "s" || pc === "S" || pc === "x" || ((pc === "f" || pc === "F") && fmt[i + 1] !== "w");
            if (!plain) {
              const b = rec.buf[rec.pos + bp] ?? 0;
              if (b >= 0x20 && b <= 0x7e) {
                isString = true;
                numeric = false;
              }
            }
          }
        }
        if (numeric) {
          vsize = c === "*" ? 4 : ls === 0 ? 4 : ls === 1 ? longSize : ls === 2 ? 8 : ls;
          bp = (bp + 3) & ~3;
          push(this.read(rec, bp, vsize), undefined);
          bp += vsize;
          if (c === "*") continue;
          break;
        }
        if (isString) {
          const at = rec.pos + bp;
          let e = at;
          const b = rec.buf;
          while (e < b.length && b[e] !== 0) e++;
          push(undefined, latin1Z(b, at, e));
          bp += e - at + 1;
        }
        break;
      }
    }
    return n;
  }

  private renderPieces(pieces: FormatPiece[], nargs: number): string {
    let s = "";
    let ai = 0;
    const nums = this.nums;
    const strs = this.strs;
    for (const p of pieces) {
      if (p.kind === "text") {
        s += p.text;
        continue;
      }
      const d = p.directive;
      let lenArg = 0;
      if (d.star) {
        if (ai >= nargs) {
          // parse_args(): a directive without an argument marks the event failed; its text from the
          // `*` on is then read as literal text.
          this.failed = true;
          s += d.text.slice(d.starAt);
          continue;
        }
        lenArg = Number(BigInt.asIntN(32, strs[ai] === undefined ? nums[ai]! : 0n));
        ai++;
      }
      if (ai >= nargs) {
        this.failed = true;
        s += d.text.slice(d.convAt);
        continue;
      }
      const str = strs[ai];
      const num = str === undefined ? nums[ai]! : 0n;
      ai++;
      if (p.kind === "digit") s += formatInt(d, num, lenArg);
      else if (p.kind === "string") s += formatString(d, str ?? BigInt.asIntN(64, num).toString(), lenArg);
      else if (str !== undefined) s += str;
      else {
        const c0 = d.ext[0];
        if (c0 === "F" || c0 === "f" || c0 === "S" || c0 === "s") s += symbolText(this.kallsyms, num, c0 === "F" || c0 === "S");
        else if (c0 === "M" || c0 === "m" || c0 === "U" || ((c0 === "I" || c0 === "i") && "46S".includes(d.ext[1] ?? "!"))) s += "ARG TYPE NOT FIELD BUT 1";
        else if (c0 === "h") s += "ARG TYPE NOT FIELD BUT 1";
        else if (c0 === "I" || c0 === "i") s += "";
        else s += formatPointer(num);
      }
    }
    return s;
  }
}
