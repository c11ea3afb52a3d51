// `-F '<events>[:<filter>]'` text -> event patterns and an expression AST (report-output.md §7.1).
// The grammar is the one libtraceevent 1.7.1 accepts: '&&' and '||' have the SAME precedence and
// group from the left, '!' takes one comparison or one parenthesised group, and a term is
// `field <compare> value` or `operand <arith> operand` (true when non-zero). Errors name the column.
import { UsageError } from "../../base/index.js";
import { createFilterScanner, type FilterScanner, type FilterTokenKind } from "./filter-scanner.js";

/** Comparison operators. */
export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "=~" | "!~";
/** Arithmetic operators; "~" parses but fails every record it is evaluated on, as in libtraceevent 1.7.1. */
export type ArithOp = "+" | "-" | "*" | "/" | "%" | ">>" | "<<" | "&" | "|" | "^" | "~";

/** An operand: a field name (maybe not in every event), a number, or a quoted string. */
export type FilterValue =
  | { kind: "field"; name: string; pos: number }
  | { kind: "number"; value: bigint; pos: number }
  | { kind: "string"; value: string; pos: number };

/** The expression AST; positions are offsets in the whole `-F` text. */
export type FilterNode =
  | { kind: "logic"; op: "&&" | "||"; left: FilterNode; right: FilterNode }
  | { kind: "not"; operand: FilterNode }
  | { kind: "compare"; op: CompareOp; field: { name: string; pos: number }; value: FilterValue; pos: number }
  | { kind: "arith"; op: ArithOp; left: FilterValue; right: FilterValue; pos: number };

/** One entry of the event list: `name` alone matches a system or an event name. */
export interface EventPattern {
  system: string | undefined;
  name: string;
  /** Offset of the entry in the `-F` text. */
  pos: number;
}

/** A parsed `-F` argument. */
export interface FilterSpec {
  text: string;
  events: EventPattern[];
  /** undefined when there is no ':' part: every record of those events passes. */
  expr: FilterNode | undefined;
}

const COMPARE_OPS: ReadonlySet<string> = new Set(["==", "!=", "<", "<=", ">", ">=", "=~", "!~"]);
const ARITH_OPS: ReadonlySet<string> = new Set(["+", "-", "*", "/", "%", ">>", "<<", "&", "|", "^", "~"]);

/** Throws the UsageError for a problem at `pos` of the `-F` text. */
export function filterError(text: string, reason: string, pos: number): never {
  throw new UsageError(`bad filter '${text}': ${reason} at column ${pos + 1}`);
}

/** C strtoull(text, NULL, 0) on an item that starts with a digit: hex, octal or decimal prefix. */
export function parseCNumber(text: string): bigint {
  let digits: RegExpExecArray | null;
  let value: bigint;
  if ((digits = /^0[xX]([0-9a-fA-F]+)/.exec(text)) !== null) value = BigInt("0x" + digits[1]!);
  else if (text.startsWith("0")) value = BigInt("0o" + (/^[0-7]+/.exec(text)?.[0] ?? "0"));
  else value = BigInt(/^[0-9]+/.exec(text)![0]);
  // strtoull saturates on overflow.
  return value > 0xffffffffffffffffn ? 0xffffffffffffffffn : value;
}

/** Splits the event list (before the first ':') into patterns, as libtraceevent does. */
function parseEventList(text: string, listEnd: number): EventPattern[] {
  const events: EventPattern[] = [];
  let start = 0;
  for (;;) {
    const comma = text.indexOf(",", start);
    const end = comma >= 0 && comma < listEnd ? comma : listEnd;
    const item = text.slice(start, end);
    // strtok: empty pieces between '/' are skipped; only the first two pieces count.
    const parts = item.split("/").filter((s) => s.length > 0);
    if (parts.length === 0) filterError(text, "empty event name", start);
    const first = parts[0]!.trim();
    const second = parts[1]?.trim();
    events.push(second === undefined ? { system: undefined, name: first, pos: start } : { system: first, name: second, pos: start });
    if (end === listEnd) return events;
    start = end + 1;
  }
}

class ExpressionParser {
  private readonly s: FilterScanner;

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.s = createFilterScanner(text, start, (reason, pos) => filterError(text, reason, pos));
  }

  private fail(reason: string, pos = this.s.pos): never {
    filterError(this.text, reason, pos);
  }

  /** True when the current token has this kind (and this text). */
  private is(kind: FilterTokenKind, value?: string): boolean {
    return this.s.kind === kind && (value === undefined || this.s.value === value);
  }

  private describe(): string {
    return this.is("end") ? "the end of the filter" : `'${this.s.value}'`;
  }

  parse(): FilterNode {
    this.s.scan();
    if (this.is("end")) this.fail("empty filter after ':'");
    const node = this.chain();
    if (this.is("delim", ")")) this.fail("unbalanced ')'");
    if (this.is("delim", ",")) this.fail("',' is not allowed in a filter expression (give another -F)");
    if (!this.is("end")) this.fail(`expected '&&' or '||' before ${this.describe()}`);
    return node;
  }

  private chain(): FilterNode {
    let left = this.unary(true);
    while (this.is("op") && (this.s.value === "&&" || this.s.value === "||")) {
      const op = this.s.value;
      this.s.scan();
      left = { kind: "logic", op, left, right: this.unary(false) };
    }
    return left;
  }

  /** `first`: the first term of its chain (libtraceevent parses '!' and '(' operands as new chains). */
  private unary(first: boolean): FilterNode {
    if (this.is("op", "!")) {
      this.s.scan();
      return { kind: "not", operand: this.unary(true) };
    }
    if (this.is("delim", "(")) {
      const open = this.s.pos;
      this.s.scan();
      if (this.is("delim", ")")) this.fail("empty parentheses");
      const inner = this.chain();
      if (!this.is("delim", ")")) {
        if (this.is("end")) this.fail("unbalanced '('", open);
        this.fail(`expected ')' before ${this.describe()}`);
      }
      this.s.scan();
      return inner;
    }
    return this.term(first);
  }

  private value(): FilterValue {
    const { kind, value, pos } = this.s;
    if (kind === "item") {
      this.s.scan();
      const c = value.charCodeAt(0);
      if (c >= 0x30 && c <= 0x39) return { kind: "number", value: parseCNumber(value), pos };
      return { kind: "field", name: value, pos };
    }
    if (kind === "string" || kind === "char") {
      // One character in single quotes is a C char constant, which libtraceevent 1.7.1 compares as
      // a pointer value; refuse it rather than match nothing.
      this.s.scan();
      return { kind: "string", value, pos };
    }
    if (kind === "delim" && value === ",") this.fail("illegal ','");
    if (kind === "delim" && value === "(") this.fail("'(' cannot follow an operator (libtraceevent allows only a field or a value here)");
    this.fail(`expected a field, number or string, found ${this.describe()}`);
  }

  private term(first: boolean): FilterNode {
    const leftText = this.s.value;
    const left = this.value();
    if (!this.is("op")) {
      if (this.is("end") || (this.is("delim", ")"))) {
        this.fail(`'${leftText}' needs a comparison, e.g. '${leftText} == 1'`, left.pos);
      }
      this.fail(`expected an operator after '${leftText}', found ${this.describe()}`);
    }
    let op = this.s.value;
    let opPos = this.s.pos;
    if (!COMPARE_OPS.has(op) && !ARITH_OPS.has(op)) {
      if (op === "&&" || op === "||" || op === "!") this.fail(`'${op}' needs a comparison on its left`);
      this.fail(`unknown operator '${op}'${op === "=" ? " (use '==')" : ""}`);
    }
    this.s.scan();
    // libtraceevent 1.7.1 keeps only the LAST of consecutive operators in the first term of a chain:
    // `f == -1` is `f - 1` and `f / -1` is `f - 1` (trace-cmd report -T prints "prev_prio - 1").
    // After '&&' or '||' the same text is a syntax error (or a crash) there.
    while (this.is("op") && (COMPARE_OPS.has(this.s.value) || ARITH_OPS.has(this.s.value))) {
      if (!first) this.fail(`'${this.s.value}' cannot follow '${op}' (a negative number? compare with 0xffffffff...)`);
      op = this.s.value;
      opPos = this.s.pos;
      this.s.scan();
    }
    const rightToken: { kind: FilterTokenKind; value: string } = { kind: this.s.kind, value: this.s.value };
    const right = this.value();
    if (ARITH_OPS.has(op)) return { kind: "arith", op: op as ArithOp, left, right, pos: opPos };

    if (left.kind !== "field") this.fail(`the left side of '${op}' must be a field name`, left.pos);
    if (right.kind === "field") {
      this.fail(`cannot compare '${left.name}' with field '${right.name}': use a number or a quoted string`, right.pos);
    }
    if (right.kind === "number" && (op === "=~" || op === "!~")) this.fail(`'${op}' needs a quoted regular expression`, right.pos);
    if (rightToken.kind === "char" && rightToken.value.length === 1 && op !== "=~" && op !== "!~") {
      this.fail(`'${rightToken.value}' in single quotes is a C character: use double quotes`, right.pos);
    }
    return { kind: "compare", op: op as CompareOp, field: { name: left.name, pos: left.pos }, value: right, pos: opPos };
  }
}

/** Parses one `-F` argument; throws UsageError naming the column of the problem. */
export function parseFilterSpec(text: string): FilterSpec {
  const colon = text.indexOf(":");
  const listEnd = colon >= 0 ? colon : text.length;
  const events = parseEventList(text, listEnd);
  if (colon < 0) return { text, events, expr: undefined };
  return { text, events, expr: new ExpressionParser(text, colon + 1).parse() };
}
