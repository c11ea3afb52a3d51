// Filter AST -> one predicate closure per event (style.md §6). Fields are resolved once per event;
// a field the event does not have makes its term FALSE and the constants fold away, as
// libtraceevent 1.7.1 does. Values are unsigned 64-bit after sign extension (report-output.md §7.1):
// comparisons with constants below 2^53 run on numbers, the rest on bigint.
import type { RawRecord } from "../../ringbuf/index.js";
import type { EventFormat, FieldDef, FileInfo } from "../event-format.js";
import { fieldBigIntReader, fieldDataLocator, fieldNumberReader, fieldSignedReader, fieldStringReader } from "../field-readers.js";
import { compilePosixBasicRegex, PosixRegexError } from "./posix-regex.js";
import { filterError, type ArithOp, type CompareOp, type FilterNode, type FilterValue } from "./filter-parser.js";

/** A compiled term: a constant (decided when compiling) or a closure over the record. */
export type FilterPredicate = boolean | ((rec: RawRecord) => boolean);

/** Task names for the COMM pseudo field (TaskNames satisfies it). */
export interface CommSource {
  comm(pid: number): string;
}

/** Kernel symbols, for string comparisons on pointer and long fields (Kallsyms satisfies it). */
export interface SymbolSource {
  lookup(addr: bigint): { name: string } | undefined;
}

/** What one event's compilation needs. */
export interface FilterCompileEnv {
  /** The whole `-F` text, for error messages. */
  text: string;
  info: FileInfo;
  tasks: CommSource | undefined;
  kallsyms: SymbolSource | undefined;
}

/** One event's predicate: a constant, or a closure that is true when the record matches. */
export function compileFilterForEvent(node: FilterNode, event: EventFormat, env: FilterCompileEnv): FilterPredicate {
  // A term libtraceevent cannot evaluate (arithmetic on a string, the '~' operator) makes the whole
  // match fail when it is reached, even under '!': it raises this flag, checked once at the end.
  const state = { err: false };
  let poisoned = false;
  const poison = (): FilterPredicate => {
    poisoned = true;
    return () => {
      state.err = true;
      return false;
    };
  };

  type Operand =
    | { kind: "absent" }
    | { kind: "const"; value: bigint }
    | { kind: "string" }
    | { kind: "comm" }
    | { kind: "cpu" }
    | { kind: "field"; field: FieldDef };

  const operand = (v: FilterValue): Operand => {
    if (v.kind === "number") return { kind: "const", value: v.value };
    if (v.kind === "string") return { kind: "string" };
    const field = event.findField(v.name);
    if (field !== undefined) return { kind: "field", field };
    if (v.name === "COMM") return { kind: "comm" };
    if (v.name === "CPU") return { kind: "cpu" };
    return { kind: "absent" };
  };

  /**
   * The operand in a numeric context. libtraceevent 1.7.1 reads an uninitialised value for fields
   * that are not 1, 2, 4 or 8 bytes wide (char arrays) and the address of the name for COMM; both
   * behave like a large, aligned address (checked against trace-cmd: `prev_comm > 119` is true,
   * `prev_comm & 1` and `prev_comm & 0x8000000000000000` are false).
   */
  const numeric = (o: Operand): Operand => {
    if (o.kind === "comm") return { kind: "const", value: ADDRESS_LIKE };
    if (o.kind === "field" && o.field.size !== 1 && o.field.size !== 2 && o.field.size !== 4 && o.field.size !== 8) {
      return { kind: "const", value: ADDRESS_LIKE };
    }
    return o;
  };

  /** u64 value as bigint (sign-extended first when the field is signed). */
  const bigReader = (o: Operand): ((rec: RawRecord) => bigint) => {
    if (o.kind === "const") {
      const c = o.value;
      return () => c;
    }
    if (o.kind === "cpu") return (rec) => BigInt(rec.cpu);
    if (o.kind !== "field") throw new Error("bigReader: not a numeric operand");
    const f = o.field;
    if (f.size === 8) return fieldBigIntReader(f, env.info);
    if (f.signed) {
      const read = fieldSignedReader(f, env.info);
      return (rec) => BigInt.asUintN(64, BigInt(read(rec)));
    }
    const read = fieldNumberReader(f, env.info);
    return (rec) => BigInt(read(rec));
  };

  /** Value as a number for comparing with constants below 2^53: any value >= 2^53 compares the same. */
  const smallReader = (o: Operand): ((rec: RawRecord) => number) => {
    if (o.kind === "cpu") return (rec) => rec.cpu;
    if (o.kind !== "field") throw new Error("smallReader: not a numeric operand");
    const f = o.field;
    if (!f.signed) return fieldNumberReader(f, env.info);
    // A negative value is >= 2^63 as u64: above every constant this reader is used with.
    const read = fieldSignedReader(f, env.info);
    return (rec) => {
      const v = read(rec);
      return v < 0 ? Infinity : v;
    };
  };

  /**
   * The text a string comparison sees. A number that is not a kernel symbol becomes "0x<hex>" for
   * == and !=, but libtraceevent 1.7.1 hands the regex a stack buffer that is gone by then, so
   * `=~` sees "" (trace-cmd: `pid =~ "."` matches nothing, `pid == "0x8"` works).
   */
  const stringReader = (o: Operand, forRegex: boolean): ((rec: RawRecord) => string) => {
    if (o.kind === "comm") {
      const pidField = event.findField("common_pid");
      if (pidField === undefined) return () => "<...>";
      const readPid = fieldSignedReader(pidField, env.info);
      const tasks = env.tasks;
      if (tasks !== undefined) return (rec) => tasks.comm(readPid(rec));
      return (rec) => (readPid(rec) === 0 ? "<idle>" : "<...>");
    }
    if (o.kind === "field" && o.field.isString) return fieldStringReader(o.field, env.info);
    // Numbers compare as text: a kernel symbol for pointers and longs, else 0x<hex>.
    const read = bigReader(o);
    const symbols = o.kind === "field" && (o.field.isPointer || o.field.isLong) ? env.kallsyms : undefined;
    if (symbols !== undefined) {
      return (rec) => {
        const v = read(rec);
        return symbols.lookup(v)?.name ?? (forRegex ? "" : "0x" + v.toString(16));
      };
    }
    if (forRegex) return () => "";
    return (rec) => "0x" + read(rec).toString(16);
  };

  const compareString = (op: CompareOp, o: Operand, value: string, pos: number, valuePos: number): FilterPredicate => {
    if ((op === "==" || op === "!=") && o.kind === "field" && o.field.isString) {
      // Compare the record's bytes in place: no string is made per record.
      const equal = stringEquals(o.field, env.info, value);
      return op === "==" ? equal : (rec) => !equal(rec);
    }
    const read = stringReader(o, op === "=~" || op === "!~");
    switch (op) {
      case "==":
        return (rec) => read(rec) === value;
      case "!=":
        return (rec) => read(rec) !== value;
      case "=~":
      case "!~": {
        let re: RegExp;
        try {
          re = compilePosixBasicRegex(value, true);
        } catch (e) {
          if (!(e instanceof PosixRegexError)) throw e;
          filterError(env.text, `bad regular expression "${value}": ${e.message}`, valuePos);
        }
        return op === "=~" ? (rec) => re.test(read(rec)) : (rec) => !re.test(read(rec));
      }
      default:
        filterError(env.text, `'${op}' cannot compare strings (use ==, !=, =~ or !~)`, pos);
    }
  };

  const compareNumber = (op: CompareOp, o: Operand, c: bigint): FilterPredicate =>
    c < 2n ** 53n ? ordered(op, smallReader(o), Number(c)) : ordered(op, bigReader(o), c);

  const compare = (node: Extract<FilterNode, { kind: "compare" }>): FilterPredicate => {
    const o = operand({ kind: "field", name: node.field.name, pos: node.field.pos });
    if (o.kind === "absent") return false;
    const v = node.value;
    if (v.kind === "string") return compareString(node.op, o, v.value, node.pos, v.pos);
    if (v.kind !== "number") throw new Error("compare: the parser only allows numbers and strings on the right");
    const n = numeric(o);
    if (n.kind === "const") {
      const fixed = ordered(node.op, () => n.value, v.value);
      return typeof fixed === "boolean" ? fixed : fixed(EMPTY_RECORD);
    }
    return compareNumber(node.op, n, v.value);
  };

  const u32Safe = (o: Operand): boolean =>
    o.kind === "cpu" ||
    (o.kind === "const" && o.value < 2n ** 32n) ||
    (o.kind === "field" && !o.field.signed && o.field.size <= 4);

  const arith = (node: Extract<FilterNode, { kind: "arith" }>): FilterPredicate => {
    const l = numeric(operand(node.left));
    const r = numeric(operand(node.right));
    if (l.kind === "absent" || r.kind === "absent") return false;
    if (l.kind === "string" || r.kind === "string" || node.op === "~") return poison();
    const op = node.op;
    if ((op === "&" || op === "|" || op === "^") && u32Safe(l) && u32Safe(r)) {
      const a = l.kind === "const" ? Number(l.value) : smallReader(l);
      const b = r.kind === "const" ? Number(r.value) : smallReader(r);
      if (typeof a === "number" && typeof b === "number") return bitwise(op, a, b) !== 0;
      const ra = typeof a === "number" ? () => a : a;
      const rb = typeof b === "number" ? () => b : b;
      if (op === "&") return (rec) => (ra(rec) & rb(rec)) !== 0;
      if (op === "|") return (rec) => (ra(rec) | rb(rec)) !== 0;
      return (rec) => (ra(rec) ^ rb(rec)) !== 0;
    }
    const ra = bigReader(l);
    const rb = bigReader(r);
    const f = arithmetic(op);
    if (l.kind === "const" && r.kind === "const") return f(l.value, r.value) !== 0n;
    return (rec) => f(ra(rec), rb(rec)) !== 0n;
  };

  const walk = (node: FilterNode): FilterPredicate => {
    switch (node.kind) {
      case "compare":
        return compare(node);
      case "arith":
        return arith(node);
      case "not": {
        const p = walk(node.operand);
        return typeof p === "boolean" ? !p : (rec) => !p(rec);
      }
      case "logic": {
        const a = walk(node.left);
        const b = walk(node.right);
        // Fold constants whichever side they are on, as libtraceevent's collapse_tree() does.
        const absorbing = node.op === "||";
        if (a === absorbing || b === absorbing) return absorbing;
        if (typeof a === "boolean") return b;
        if (typeof b === "boolean") return a;
        return absorbing ? (rec) => a(rec) || b(rec) : (rec) => a(rec) && b(rec);
      }
    }
  };

  const pred = walk(node);
  if (!poisoned || typeof pred === "boolean") return pred;
  return (rec) => {
    state.err = false;
    return pred(rec) && !state.err;
  };
}

/** The comparison `read(rec) op k`, one closure per operator. */
function ordered<T extends number | bigint>(op: CompareOp, read: (rec: RawRecord) => T, k: T): FilterPredicate {
  switch (op) {
    case "==":
      return (rec) => read(rec) === k;
    case "!=":
      return (rec) => read(rec) !== k;
    case "<":
      return (rec) => read(rec) < k;
    case "<=":
      return (rec) => read(rec) <= k;
    case ">":
      return (rec) => read(rec) > k;
    case ">=":
      return (rec) => read(rec) >= k;
    default:
      throw new Error(`ordered: '${op}' is not a numeric comparison`);
  }
}

/** `field == value` on the field's text up to its first NUL, comparing bytes (value is ASCII). */
function stringEquals(field: FieldDef, info: FileInfo, value: string): (rec: RawRecord) => boolean {
  const locate = fieldDataLocator(field, info);
  const where = new Int32Array(2);
  const want = Uint8Array.from(value, (c) => c.charCodeAt(0));
  const n = want.length;
  // A NUL inside the value can never match text that ends at its first NUL.
  if (want.includes(0)) return () => false;
  return (rec) => {
    locate(rec, where);
    const start = rec.pos + where[0]!;
    const len = where[1]!;
    if (len < n) return false;
    const buf = rec.buf;
    for (let i = 0; i < n; i++) if (buf[start + i] !== want[i]) return false;
    return len === n || buf[start + n] === 0;
  };
}

/** What libtraceevent's garbage reads behave like: a user-space address (see numeric()). */
const ADDRESS_LIKE = 0x7f0000000000n;

const EMPTY_RECORD: RawRecord = { buf: new Uint8Array(0), view: new DataView(new ArrayBuffer(0)), pos: 0, len: 0, ts: 0, cpu: 0, missedEvents: 0 };

function bitwise(op: "&" | "|" | "^", a: number, b: number): number {
  return op === "&" ? a & b : op === "|" ? a | b : a ^ b;
}

/** C unsigned long long arithmetic; division by zero gives 0 (libtraceevent would crash). */
function arithmetic(op: Exclude<ArithOp, "~">): (a: bigint, b: bigint) => bigint {
  switch (op) {
    case "+":
      return (a, b) => BigInt.asUintN(64, a + b);
    case "-":
      return (a, b) => BigInt.asUintN(64, a - b);
    case "*":
      return (a, b) => BigInt.asUintN(64, a * b);
    case "/":
      return (a, b) => (b === 0n ? 0n : a / b);
    case "%":
      return (a, b) => (b === 0n ? 0n : a % b);
    case ">>":
      return (a, b) => a >> (b & 63n);
    case "<<":
      return (a, b) => BigInt.asUintN(64, a << (b & 63n));
    case "&":
      return (a, b) => a & b;
    case "|":
      return (a, b) => a | b;
    case "^":
      return (a, b) => a ^ b;
  }
}
