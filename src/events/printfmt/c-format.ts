// C printf conversions as libtraceevent 1.7.1 uses them (ring-buffer-and-events.md §5.5): the directive
// splitter of its parse_args() and C's integer/string formatting with flags, width and precision.

/** One piece of a split format: literal text (escapes done) or a conversion directive. */
export type FormatPiece =
  | { kind: "text"; text: string }
  | { kind: "digit" | "pointer" | "string"; directive: Directive };

/** A parsed `%...` directive. */
export interface Directive {
  /** The directive text as written, e.g. `%-08lx`, `%pS`, `%*phC`. */
  text: string;
  conv: string;
  /** Length modifier: -2 hh, -1 h, 0 none, 1 l/z, 2 ll/L. */
  ls: number;
  minus: boolean;
  zero: boolean;
  hash: boolean;
  /** Width: a number, "*" (from an argument) or undefined. */
  width: number | "*" | undefined;
  precision: number | "*" | undefined;
  /** Whether a `*` takes an argument. */
  star: boolean;
  /** Index in `text` of the `*` (or -1) and of the conversion letter (`p` for pointers). */
  starAt: number;
  convAt: number;
  /** For pointers: the extension letters after `p` (e.g. "S", "MR", "I4", "hC"). */
  ext: string;
}

/** Processes `\n \t \r \\ \X` escapes and `%%` in literal text (parse_arg_string). */
export function unescapeText(s: string): string {
  if (s.indexOf("\\") < 0 && s.indexOf("%") < 0) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\" && i + 1 < s.length) {
      const n = s[++i]!;
      out += n === "n" ? "\n" : n === "t" ? "\t" : n === "r" ? "\r" : n;
    } else if (c === "\\") {
      // A trailing backslash: libtraceevent copies the NUL after it, i.e. nothing.
    } else if (c === "%" && s[i + 1] === "%") {
      out += "%";
      i++;
    } else out += c;
  }
  return out;
}

/** Length of the pointer extension after `%p` (parse_arg_format_pointer). */
function pointerExtLength(f: string, at: number): number {
  const c = f[at];
  const c1 = f[at + 1];
  switch (c) {
    case "F":
    case "S":
    case "f":
    case "s":
      return 1;
    case "M":
    case "m":
      return c1 === "R" || c1 === "F" ? 2 : 1;
    case "I":
    case "i": {
      let ret = 0;
      let index = 2;
      if (c1 === "S") {
        while ("pfs".includes(f[at + index] ?? "!") && f[at + index] !== undefined) {
          ret++;
          index++;
        }
      }
      if (c1 === "S" || c1 === "4") {
        if ("hnlb".includes(f[at + index] ?? "!") && f[at + index] !== undefined) {
          ret++;
          index++;
        }
        if (c1 === "4") return ret + 2;
      }
      if (c1 === "S" || c1 === "6") {
        if (f[at + index] === "c") ret++;
        ret++;
      }
      return ret + 1;
    }
    case "U":
      return c1 === "L" || c1 === "l" || c1 === "B" || c1 === "b" ? 2 : 1;
    case "h":
      return c1 === "C" || c1 === "D" || c1 === "N" ? 2 : 1;
    default:
      return 0;
  }
}

/**
 * Splits a format into pieces, as parse_args() does. Returns the pieces and the number of arguments
 * the directives consume (a `*` counts as one). Unsupported conversions become text `>X<`.
 */
export function splitFormat(format: string): FormatPiece[] {
  const pieces: FormatPiece[] = [];
  let i = 0;
  const n = format.length;
  while (i < n) {
    if (format[i] === "%" && format[i + 1] !== "%") {
      const start = i;
      i++;
      let ls = 0;
      let star = false;
      let done = false;
      for (; i < n && !done; i++) {
        const c = format[i]!;
        switch (c) {
          case "#":
          case ".":
          case "-":
          case "0": case "1": case "2": case "3": case "4":
          case "5": case "6": case "7": case "8": case "9":
            break;
          case "h":
            ls--;
            break;
          case "l":
            ls++;
            break;
          case "L":
            ls = 2;
            break;
          case "z":
          case "Z":
            ls = 1;
            break;
          case "*":
            star = true;
            break;
          case "p": {
            const ext = pointerExtLength(format, i + 1);
            const text = format.slice(start, i + 1 + ext);
            pieces.push({ kind: "pointer", directive: parseDirective(text, "p", ls, star, format.slice(i + 1, i + 1 + ext), i - start) });
            i += ext;
            done = true;
            break;
          }
          case "d": case "u": case "i": case "x": case "X": case "o":
            pieces.push({ kind: "digit", directive: parseDirective(format.slice(start, i + 1), c, ls, star, "", i - start) });
            done = true;
            break;
          case "s":
            pieces.push({ kind: "string", directive: parseDirective(format.slice(start, i + 1), "s", 0, star, "", i - start) });
            done = true;
            break;
          default:
            pieces.push({ kind: "text", text: ">" + c + "<" });
            done = true;
            break;
        }
      }
      continue;
    }
    // Literal text up to the next single '%'.
    let j = i;
    while (j < n) {
      if (format[j] === "\\") {
        j += 2;
        continue;
      }
      if (format[j] === "%") {
        if (format[j + 1] === "%") {
          j += 2;
          continue;
        }
        break;
      }
      j++;
    }
    if (j > n) j = n;
    pieces.push({ kind: "text", text: unescapeText(format.slice(i, j)) });
    i = j;
  }
  return pieces;
}

function parseDirective(text: string, conv: string, ls: number, star: boolean, ext: string, convAt: number): Directive {
  const m = /^%([-#0]*)(\d+|\*)?(?:\.(\*|\d*))?/.exec(text);
  const flags = m?.[1] ?? "";
  const w = m?.[2];
  const p = m?.[3];
  return {
    text,
    conv,
    ls,
    minus: flags.includes("-"),
    zero: flags.includes("0"),
    hash: flags.includes("#"),
    width: w === undefined ? undefined : w === "*" ? "*" : Number(w),
    precision: p === undefined ? undefined : p === "*" ? "*" : Number(p === "" ? 0 : p),
    star,
    starAt: text.indexOf("*"),
    convAt,
    ext,
  };
}

/** Width and precision of a directive, with a `*` taken from lenArg (C: negative width = left-justify). */
/**
 * Largest `*` width or precision taken from a record: a corrupt one (up to 2^31) would build a string of
 * gigabytes (V8 throws "Invalid string length"); real print fmts use a few dozen.
 */
const MAX_STAR = 4096;

function resolve(d: Directive, lenArg: number): { width: number; precision: number; minus: boolean } {
  let width = d.width === "*" ? lenArg : d.width ?? 0;
  let minus = d.minus;
  if (width < 0) {
    minus = true;
    width = -width;
  }
  if (d.width === "*" && width > MAX_STAR) width = MAX_STAR;
  let precision = d.precision === "*" ? Math.min(lenArg, MAX_STAR) : d.precision ?? -1;
  if (precision < 0) precision = -1;
  return { width, precision, minus };
}

/** C `%s` formatting of an already-produced string (width, precision, `-`). */
export function formatString(d: Directive, s: string, lenArg: number): string {
  if (d.width === undefined && d.precision === undefined) return s;
  // libtraceevent passes no length argument when it is negative, and glibc then prints the directive
  // itself (observed with trace-cmd 3.1.6: "name %.*s" for a negative namelen).
  if (d.star && lenArg < 0) return d.text;
  const r = resolve(d, lenArg);
  if (r.precision >= 0 && s.length > r.precision) s = s.slice(0, r.precision);
  if (s.length >= r.width) return s;
  const pad = " ".repeat(r.width - s.length);
  return r.minus ? s + pad : pad + s;
}

const TWO32 = 4294967296;

/** Bits of the C type a length modifier casts to (host: 64-bit long). */
function lsBits(ls: number): number {
  return ls <= -2 ? 8 : ls === -1 ? 16 : ls === 0 ? 32 : 64;
}

/** C integer formatting of a u64 value given as number (exact, < 2^53) or bigint, per directive. */
export function formatInt(d: Directive, value: number | bigint, lenArg: number): string {
  const bits = lsBits(d.ls);
  if (typeof value === "number" && d.width === undefined && d.precision === undefined && !d.hash && value < 2147483648 && (bits >= 32 || value < 2 ** (bits - 1))) {
    // Fast path: a small non-negative value printed without flags.
    const c = d.conv;
    if (c === "d" || c === "i" || c === "u") return "" + value;
    if (c === "x") return hexU32(value);
  }
  const signedConv = d.conv === "d" || d.conv === "i";
  let neg = false;
  let mag: number | bigint;
  if (typeof value === "number" && (bits <= 32 || value < 2 ** 53)) {
    if (bits <= 32) {
      let v = value < TWO32 ? value : value % TWO32;
      if (bits < 32) v = v % 2 ** bits;
      if (signedConv && v >= 2 ** (bits - 1)) {
        neg = true;
        mag = 2 ** bits - v;
      } else mag = v;
    } else mag = value;
  } else {
    const b = typeof value === "bigint" ? value : BigInt(value);
    if (signedConv) {
      const sv = BigInt.asIntN(bits, b);
      if (sv < 0n) {
        neg = true;
        mag = -sv;
      } else mag = sv;
    } else mag = BigInt.asUintN(bits, b);
  }
  const radix = d.conv === "x" || d.conv === "X" ? 16 : d.conv === "o" ? 8 : 10;
  let digits = mag.toString(radix);
  if (d.conv === "X") digits = digits.toUpperCase();
  const isZero = digits === "0";
  if (d.width === undefined && d.precision === undefined && !d.hash) return neg ? "-" + digits : digits;
  const r = resolve(d, lenArg);
  if (r.precision >= 0) {
    if (r.precision === 0 && isZero) digits = "";
    else if (digits.length < r.precision) digits = "0".repeat(r.precision - digits.length) + digits;
  }
  let prefix = neg ? "-" : "";
  if (d.hash) {
    if ((d.conv === "x" || d.conv === "X") && !isZero) prefix += d.conv === "x" ? "0x" : "0X";
    else if (d.conv === "o" && digits[0] !== "0") digits = "0" + digits;
  }
  const len = prefix.length + digits.length;
  if (len >= r.width) return prefix + digits;
  const padN = r.width - len;
  if (r.minus) return prefix + digits + " ".repeat(padN);
  if (d.zero && r.precision < 0) return prefix + "0".repeat(padN) + digits;
  return " ".repeat(padN) + prefix + digits;
}

/** C `%p`: `(nil)` for 0, else 0x + lowercase hex. */
export function formatPointer(value: number | bigint): string {
  if (value === 0 || value === 0n) return "(nil)";
  return "0x" + (typeof value === "bigint" ? BigInt.asUintN(64, value) : value).toString(16);
}

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? "0" : "") + i.toString(16));
const HEX1: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16));

/** Lowercase hex of a u32 without leading zeros (table driven: Number#toString(16) is slow). */
export function hexU32(n: number): string {
  if (n < 0x100) return HEX1[n]!;
  if (n < 0x10000) return HEX1[n >>> 8]! + HEX2[n & 255]!;
  if (n < 0x1000000) return HEX1[n >>> 16]! + HEX2[(n >>> 8) & 255]! + HEX2[n & 255]!;
  return HEX1[n >>> 24]! + HEX2[(n >>> 16) & 255]! + HEX2[(n >>> 8) & 255]! + HEX2[n & 255]!;
}

/** Lowercase hex of the 64-bit value hi * 2^32 + lo, without leading zeros. */
export function hexHL(hi: number, lo: number): string {
  if (hi === 0) return hexU32(lo);
  return hexU32(hi) + HEX2[lo >>> 24]! + HEX2[(lo >>> 16) & 255]! + HEX2[(lo >>> 8) & 255]! + HEX2[lo & 255]!;
}

/** Two lowercase hex digits of a byte. */
export function hex2(b: number): string {
  return HEX2[b & 255]!;
}
