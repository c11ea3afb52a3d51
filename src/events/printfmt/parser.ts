// print fmt -> AST (ring-buffer-and-events.md §5). The grammar and its quirks follow libtraceevent 1.7.1
// (the output we must match): quoted strings are atoms, operators of equal priority group to the right,
// a ternary's else-branch is a single operand, and unknown functions or operators fail the whole event.
import { createScanner, type Scanner, type TokenKind } from "./scanner.js";

/** Field lookup used while parsing (EventFormat.findField and own-field lookup). */
export interface FieldSource {
  findField(name: string): import("../event-format.js").FieldDef | undefined;
  readonly fields: readonly import("../event-format.js").FieldDef[];
}

/** One flag/symbol pair: value text (evaluated at parse time) and the string. */
export interface FlagPair {
  value: string;
  str: string;
}

/** AST node, a union tagged by kind. Nodes are mutable while parsing only. */
export type Node =
  | { kind: "null" }
  | { kind: "atom"; text: string }
  | { kind: "bstring"; text: string }
  | { kind: "field"; name: string }
  | { kind: "op"; op: string; left: Node | undefined; right: Node | undefined; prio: number }
  | { kind: "type"; type: string; item: Node }
  | { kind: "flags"; value: Node; delim: string | undefined; pairs: FlagPair[] }
  | { kind: "symbol"; value: Node; pairs: FlagPair[] }
  | { kind: "hex"; str: boolean; field: Node; size: Node }
  | { kind: "intArray"; field: Node; count: Node; elSize: Node }
  | { kind: "string"; name: string }
  | { kind: "bitmask"; name: string; cpumask: boolean }
  | { kind: "dynArray"; name: string }
  | { kind: "dynArrayLen"; name: string }
  | { kind: "func"; name: string; args: Node[] };

/** The parsed print fmt: the format string (escapes still as written) and its argument list. */
export interface PrintFmtAst {
  format: string;
  args: Node[];
  /** Names of plugin-provided functions used (they exist only when plugins are loaded). */
  pluginFuncs: string[];
}

/** Functions provided by libtraceevent plugins, with their argument kinds (§8.2 table). */
export const PLUGIN_FUNCTIONS: ReadonlyMap<string, readonly ("int" | "long" | "ptr" | "string")[]> = new Map([
  ["jbd2_dev_to_name", ["int"] as const],
  ["jiffies_to_msecs", ["long"] as const],
  ["__le16_to_cpup", ["ptr"] as const],
  ["scsi_trace_parse_cdb", ["ptr", "ptr", "int"] as const],
  ["xen_hypercall_name", ["int"] as const],
  ["is_writable_pte", ["long"] as const],
]);

class ParseError extends Error {}

function fail(msg: string): never {
  throw new ParseError(msg);
}

/** Replaces the contents of `target` with `src` (the C code's `*arg = *other`). */
function become(target: Node, src: Node): void {
  for (const k of Object.keys(target)) delete (target as Record<string, unknown>)[k];
  Object.assign(target, src);
}

function blank(): Node {
  return { kind: "null" };
}

type OpNode = Node & { kind: "op" };

function copy(n: Node): Node {
  return { ...n } as Node;
}

/** libtraceevent get_op_prio(); -1 for unknown operators. */
export function opPrio(op: string): number {
  switch (op) {
    case "~":
    case "!":
      return 4;
    case "*":
    case "/":
    case "%":
      return 6;
    case "+":
    case "-":
      return 7;
    case "<<":
    case ">>":
      return 8;
    case "<":
    case ">":
    case "<=":
    case ">=":
      return 9;
    case "==":
    case "!=":
      return 10;
    case "&":
      return 11;
    case "^":
      return 12;
    case "|":
      return 13;
    case "&&":
      return 14;
    case "||":
      return 15;
    case "?":
      return 16;
    case "++":
    case "--":
      return 3;
    default:
      return -1;
  }
}

const BINARY_OPS = new Set([">>", "<<", "&", "|", "&&", "||", "-", "+", "*", "^", "/", "%", "<", ">", "<=", ">=", "==", "!="]);

/** Constant evaluation of a flag/symbol pair value (libtraceevent arg_eval / arg_num_eval). */
function argNumEval(n: Node): bigint | undefined {
  switch (n.kind) {
    case "atom":
      return BigInt.asIntN(64, strtoull(n.text));
    case "type": {
      const v = argNumEval(n.item);
      return v === undefined ? undefined : BigInt.asIntN(64, evalTypeStr(BigInt.asUintN(64, v), n.type, false));
    }
    case "op": {
      const op = n.op;
      const l = (): bigint | undefined => (n.left && n.left.kind === "null" && (op === "-" || op === "+") ? 0n : n.left ? argNumEval(n.left) : undefined);
      const r = (): bigint | undefined => (n.right ? argNumEval(n.right) : undefined);
      if (op === "~") {
        const b = r();
        return b === undefined ? undefined : ~b;
      }
      const a = l();
      if (a === undefined) return undefined;
      const b = r();
      if (b === undefined) return undefined;
      const s = (v: bigint): bigint => BigInt.asIntN(64, v);
      switch (op) {
        case "|": return a | b;
        case "||": return a || b ? 1n : 0n;
        case "&": return a & b;
        case "&&": return a && b ? 1n : 0n;
        case "<": return a < b ? 1n : 0n;
        case "<<": return s(a << (b & 63n));
        case "<=": return a <= b ? 1n : 0n;
        case ">": return a > b ? 1n : 0n;
        case ">>": return a >> (b & 63n);
        case ">=": return a >= b ? 1n : 0n;
        case "==": return a === b ? 1n : 0n;
        case "!=": return a !== b ? 1n : 0n;
        case "-": return s(a - b);
        case "+": return s(a + b);
        default: return undefined;
      }
    }
    default:
      return undefined;
  }
}

function argEval(n: Node): string | undefined {
  switch (n.kind) {
    case "atom":
      return n.text;
    case "type":
      return argEval(n.item);
    case "op": {
      const v = argNumEval(n);
      return v === undefined ? undefined : v.toString();
    }
    default:
      return undefined;
  }
}

/** C strtoull(text, NULL, 0) on the leading part of text (0 when no digits). */
export function strtoull(text: string): bigint {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (!m) return 0n;
  let body = m[2]!;
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (body.length > 1 && body[0] === "0") v = BigInt("0o" + body.slice(1));
  else v = BigInt(body === "" ? "0" : body);
  body = "";
  v = BigInt.asUintN(64, v);
  return m[1] === "-" ? BigInt.asUintN(64, -v) : v;
}

/** libtraceevent eval_type_str(): the value of a cast (§5.4). */
export function evalTypeStr(val: bigint, type: string, pointer: boolean): bigint {
  const len = type.length;
  if (len < 2) return val;
  if (pointer) {
    if (type[len - 1] !== "*") return val;
    return evalTypeStr(val, type.slice(0, len - 2), false);
  }
  if (type[len - 1] === "*") return val;
  if (type.startsWith("struct")) return val;
  switch (type) {
    case "u8": return val & 0xffn;
    case "u16": return val & 0xffffn;
    case "u32": return val & 0xffffffffn;
    case "u64":
    case "s64": return val;
    case "s8": return BigInt.asUintN(64, BigInt.asIntN(8, val)) & 0xffn;
    case "s16": return BigInt.asUintN(64, BigInt.asIntN(16, val)) & 0xffffn;
    case "s32": return BigInt.asUintN(64, BigInt.asIntN(32, val)) & 0xffffffffn;
  }
  const t = type.startsWith("unsigned ") ? type.slice(9) : type;
  if (t === "char") return val & 0xffn;
  if (t === "short") return val & 0xffffn;
  if (t === "int") return val & 0xffffffffn;
  return val;
}

class Parser {
  readonly pluginFuncs: string[] = [];
  constructor(
    private readonly sc: Scanner,
    private readonly ev: FieldSource,
  ) {}

  private expect(kind: TokenKind, text?: string): void {
    const k = this.sc.readItem();
    if (k !== kind || (text !== undefined && this.sc.text !== text)) fail(`expected '${text ?? kind}' but got '${this.sc.text}'`);
  }
  private expectRaw(kind: TokenKind, text?: string): void {
    const k = this.sc.read();
    if (k !== kind || (text !== undefined && this.sc.text !== text)) fail(`expected '${text ?? kind}' but got '${this.sc.text}'`);
  }

  /** process_arg: reads a token and parses one operand. Returns [next token kind, its text]. */
  processArg(arg: Node): [TokenKind, string] {
    const k = this.sc.read();
    return this.processArgToken(arg, k, this.sc.text);
  }

  processArgToken(arg: Node, kind: TokenKind, token: string): [TokenKind, string] {
    switch (kind) {
      case "item": {
        if (token === "REC") return this.processEntry(arg);
        let atom = token;
        let k = this.sc.readItem();
        if (k === "delim" && this.sc.text === "(") return this.processFunction(arg, atom);
        while (k === "item") {
          atom += " " + this.sc.text;
          k = this.sc.readItem();
        }
        become(arg, { kind: "atom", text: atom });
        return [k, this.sc.text];
      }
      case "dquote":
      case "squote": {
        become(arg, { kind: "atom", text: token });
        const k = this.sc.readItem();
        return [k, this.sc.text];
      }
      case "delim":
        if (token === "(") return this.processParen(arg);
        fail(`unexpected '${token}'`);
      // falls through (fail never returns)
      case "op": {
        become(arg, { kind: "op", op: token, left: undefined, right: undefined, prio: 0 });
        return this.processOp(arg, token);
      }
      default:
        fail(`unexpected token '${token}'`);
    }
  }

  private processEntry(arg: Node): [TokenKind, string] {
    let k = this.sc.readItem();
    if (k === "delim" && this.sc.text === ")") return ["item", ")"];
    if (k !== "op" || this.sc.text !== "->") fail(`expected '->' after REC`);
    k = this.sc.readItem();
    if (k !== "item") fail("expected a field name after REC->");
    become(arg, { kind: "field", name: this.sc.text });
    k = this.sc.read();
    return [k, this.sc.text];
  }

  private processParen(arg: Node): [TokenKind, string] {
    let [k, tok] = this.processArg(arg);
    if (k === "op") [k, tok] = this.processOp(arg, tok);
    if (k === "item" && tok === ")") return this.processEntry(arg);
    if (k !== "delim" || tok !== ")") fail(`expected ')' but got '${tok}'`);
    k = this.sc.readItem();
    tok = this.sc.text;
    if (k === "item" || k === "dquote" || k === "squote" || (k === "delim" && tok === "(")) {
      if (arg.kind !== "atom") fail("a cast needs a type name");
      const item: Node = blank();
      become(arg, { kind: "type", type: arg.text, item });
      return this.processArgToken(item, k, tok);
    }
    return [k, tok];
  }

  /** process_op: `arg` holds the left side (or is a unary op with no left yet); `token` is the operator. */
  processOp(arg: Node, token: string): [TokenKind, string] {
    let right: Node | undefined;
    let k: TokenKind;
    let tok: string;
    if (arg.kind === "op" && arg.left === undefined) {
      if (!["~", "!", "+", "-"].includes(token) || token.length !== 1) fail(`bad op token '${token}'`);
      arg.left = { kind: "null" };
      right = blank();
      arg.right = right;
      [k, tok] = this.processArg(right);
    } else if (token === "?") {
      const left = copy(arg);
      become(arg, { kind: "op", op: "?", left, right: undefined, prio: 0 });
      [k, tok] = this.processCond(arg as OpNode);
    } else if (BINARY_OPS.has(token)) {
      const left = copy(arg);
      const prio = left.kind === "null" ? 0 : opPrio(token);
      become(arg, { kind: "op", op: token, left, right: undefined, prio });
      k = this.sc.readItem();
      tok = this.sc.text;
      if (token === "*" && k === "delim" && tok === ")") {
        if (left.kind !== "atom") fail("bad pointer type");
        become(arg, { kind: "atom", text: left.text + " *" });
        return [k, tok];
      }
      right = blank();
      [k, tok] = this.processArgToken(right, k, tok);
      if (right.kind === "op" && arg.kind === "op" && opPrio(token) < opPrio(right.op)) {
        // libtraceevent 1.7.1 "rotates" a right operand whose operator has a lower priority, even a
        // parenthesised one: a * (b + c) evaluates as (a * b) + c there, so it does here too.
        // The C code swaps the two nodes in place, so `right` then names the rotated-down node (arg's new
        // left): an operator that follows with no higher priority applies to it, 2 * (4 - (2)) + 3 = 9.
        const tmp: Node = { ...arg, right: right.left };
        become(arg, { ...right, left: tmp });
        right = tmp;
      } else if (arg.kind === "op") {
        arg.right = right;
      }
    } else if (token === "[") {
      const left = copy(arg);
      become(arg, { kind: "op", op: "[", left, right: undefined, prio: 0 });
      [k, tok] = this.processArray(arg as OpNode);
    } else {
      fail(`unknown op '${token}'`);
    }
    if (k === "op" && tok !== ":") {
      const prio = opPrio(tok);
      const argPrio = arg.kind === "op" ? arg.prio : 0;
      if (prio > argPrio) return this.processOp(arg, tok);
      return this.processOp(right ?? arg, tok);
    }
    return [k, tok];
  }

  private processCond(top: OpNode): [TokenKind, string] {
    const left: Node = blank();
    const right: Node = blank();
    let [k, tok] = this.processArg(left);
    while (k === "op" && tok !== ":") [k, tok] = this.processOp(left, tok);
    if (k !== "op" || tok !== ":") fail("expected ':' in a conditional");
    const arg: Node = { kind: "op", op: ":", left, right, prio: 0 };
    [k, tok] = this.processArg(right);
    top.right = arg;
    return [k, tok];
  }

  private processArray(top: OpNode): [TokenKind, string] {
    const arg: Node = blank();
    let [k, tok] = this.processArg(arg);
    if (k !== "op" || tok !== "]") fail("expected ']'");
    top.right = arg;
    k = this.sc.readItem();
    return [k, this.sc.text];
  }

  /** Parses one full expression up to `delim` (alloc_and_process_delim). */
  private delimited(delim: string): Node {
    const n: Node = blank();
    let [k, tok] = this.processArg(n);
    if (k === "op") [k, tok] = this.processOp(n, tok);
    if (k !== "delim" || tok !== delim) fail(`expected '${delim}' but got '${tok}'`);
    return n;
  }

  private fieldArg(): [Node, TokenKind, string] {
    const n: Node = blank();
    let [k, tok] = this.processArg(n);
    while (k === "op") [k, tok] = this.processOp(n, tok);
    return [n, k, tok];
  }

  private processFields(): [FlagPair[], TokenKind, string] {
    const pairs: FlagPair[] = [];
    let k: TokenKind;
    let tok: string;
    do {
      k = this.sc.readItem();
      tok = this.sc.text;
      if (k !== "op" || tok !== "{") break;
      const v: Node = blank();
      [k, tok] = this.processArg(v);
      if (k === "op") [k, tok] = this.processOp(v, tok);
      if (k !== "delim" || tok !== ",") fail("expected ',' in a flag pair");
      const value = argEval(v);
      if (value === undefined) fail("cannot evaluate a flag value");
      const s: Node = blank();
      [k, tok] = this.processArg(s);
      if (k !== "op" || tok !== "}") fail("expected '}' in a flag pair");
      const str = argEval(s);
      if (str === undefined) fail("cannot evaluate a flag string");
      pairs.push({ value, str });
      k = this.sc.readItem();
      tok = this.sc.text;
    } while (k === "delim" && tok === ",");
    return [pairs, k, tok];
  }

  private ownField(name: string): void {
    if (!this.ev.fields.some((f) => f.name === name)) fail(`field '${name}' not found`);
  }

  private processFunction(arg: Node, name: string): [TokenKind, string] {
    switch (name) {
      case "__print_flags": {
        const [value, k0, t0] = this.fieldArg();
        if (k0 !== "delim" || t0 !== ",") fail("expected ',' after the __print_flags value");
        let k = this.sc.readItem();
        let delim: string | undefined;
        if (k === "item" || k === "dquote" || k === "squote") {
          delim = this.sc.text;
          k = this.sc.readItem();
        }
        if (k !== "delim" || this.sc.text !== ",") fail("expected ',' after the __print_flags delimiter");
        const [pairs, k2, t2] = this.processFields();
        if (k2 !== "delim" || t2 !== ")") fail("expected ')' after __print_flags");
        become(arg, { kind: "flags", value, delim, pairs });
        return [this.sc.readItem(), this.sc.text];
      }
      case "__print_symbolic": {
        const [value, k0, t0] = this.fieldArg();
        if (k0 !== "delim" || t0 !== ",") fail("expected ',' after the __print_symbolic value");
        const [pairs, k2, t2] = this.processFields();
        if (k2 !== "delim" || t2 !== ")") fail("expected ')' after __print_symbolic");
        become(arg, { kind: "symbol", value, pairs });
        return [this.sc.readItem(), this.sc.text];
      }
      case "__print_hex":
      case "__print_hex_str": {
        const field = this.delimited(",");
        const size = this.delimited(")");
        become(arg, { kind: "hex", str: name === "__print_hex_str", field, size });
        return [this.sc.readItem(), this.sc.text];
      }
      case "__print_array": {
        const field = this.delimited(",");
        const count = this.delimited(",");
        const elSize = this.delimited(")");
        become(arg, { kind: "intArray", field, count, elSize });
        return [this.sc.readItem(), this.sc.text];
      }
      case "__get_str":
      case "__get_rel_str":
      case "__get_bitmask":
      case "__get_rel_bitmask":
      case "__get_cpumask":
      case "__get_rel_cpumask": {
        this.expect("item");
        const field = this.sc.text;
        this.expect("delim", ")");
        if (name.endsWith("_str")) become(arg, { kind: "string", name: field });
        else become(arg, { kind: "bitmask", name: field, cpumask: name.endsWith("cpumask") });
        return [this.sc.read(), this.sc.text];
      }
      case "__get_dynamic_array":
      case "__get_rel_dynamic_array":
      case "__get_sockaddr":
      case "__get_sockaddr_rel": {
        const k = this.sc.read();
        if (k !== "item") fail(`expected a field name in ${name}`);
        const field = this.sc.text;
        this.ownField(field);
        this.expect("delim", ")");
        become(arg, { kind: "dynArray", name: field });
        const k2 = this.sc.readItem();
        // 1.7.1 rejects an index directly after the call (inverted test in process_dynamic_array).
        if (k2 === "op" && this.sc.text === "[") fail(`index after ${name}() is not supported`);
        return [k2, this.sc.text];
      }
      case "__get_dynamic_array_len":
      case "__get_rel_dynamic_array_len": {
        this.expect("item");
        const field = this.sc.text;
        this.ownField(field);
        this.expect("delim", ")");
        become(arg, { kind: "dynArrayLen", name: field });
        return [this.sc.read(), this.sc.text];
      }
      case "__builtin_expect": {
        const [k, tok] = this.processArg(arg);
        if (k !== "delim" || tok[0] !== ",") fail("expected ',' in __builtin_expect");
        this.expect("item");
        this.expect("delim", ")");
        return [this.sc.readItem(), this.sc.text];
      }
      case "sizeof":
        return this.processSizeof(arg);
    }
    const params = PLUGIN_FUNCTIONS.get(name);
    if (!params) fail(`function ${name} not defined`);
    this.pluginFuncs.push(name);
    const args: Node[] = [];
    for (let i = 0; i < params.length; i++) {
      const a: Node = blank();
      const [k, tok] = this.processArg(a);
      const want = i < params.length - 1 ? "," : ")";
      if (k !== "delim" || tok !== want) fail(`function '${name}()' expects ${params.length} arguments`);
      args.push(a);
    }
    become(arg, { kind: "func", name, args });
    return [this.sc.read(), this.sc.text];
  }

  private processSizeof(arg: Node): [TokenKind, string] {
    let k = this.sc.readItem();
    let token = this.sc.text;
    let ok = false;
    let value = "";
    if (token === "unsigned") {
      k = this.sc.readItem();
      token = this.sc.text;
      if (k !== "item") ok = true;
    }
    if (ok || token === "int") {
      value = "4";
    } else if (token === "long") {
      k = this.sc.readItem();
      token = this.sc.text;
      if (token === "long") value = "8";
      else {
        value = String(this.longSize);
        ok = true;
      }
    } else if (token === "REC") {
      this.expect("op", "->");
      this.expect("item");
      const f = this.ev.findField(this.sc.text);
      if (!f || f.arrayLen >= 0) fail("sizeof of an array field is not supported");
      value = String(f.size);
    } else {
      fail(`sizeof(${token}) is not supported`);
    }
    if (!ok) {
      k = this.sc.readItem();
      token = this.sc.text;
    }
    if (k !== "delim" || token !== ")") fail("expected ')' after sizeof");
    become(arg, { kind: "atom", text: value });
    return [this.sc.readItem(), this.sc.text];
  }

  longSize = 8;
}

/**
 * Parses a print fmt (the text after `print fmt:`). Throws an Error with the reason when libtraceevent
 * 1.7.1 would fail to parse it (the event then prints `[FAILED TO PARSE]`).
 */
export function parsePrintFmt(src: string, ev: FieldSource, longSize = 8): PrintFmtAst {
  const sc = createScanner(src);
  const p = new Parser(sc, ev);
  p.longSize = longSize;
  let k = sc.readItem();
  if (k !== "dquote") fail("print fmt does not start with a string");
  const format = sc.text;
  const args: Node[] = [];
  k = sc.readItem();
  if (k === "none") return { format, args, pluginFuncs: p.pluginFuncs };
  if (k !== "delim" || sc.text !== ",") fail(`expected ',' after the format but got '${sc.text}'`);
  let tok: string;
  for (;;) {
    const arg: Node = blank();
    [k, tok] = p.processArg(arg);
    args.push(arg);
    if (k === "op") {
      [k, tok] = p.processOp(arg, tok);
      if (k === "delim" && tok === ",") continue;
      if (k === "none") break;
      // Like event_read_print_args: anything else after an operator expression ends the list.
      if (k === "newline") {
        k = sc.readItem();
        if (k === "none") break;
      }
      break;
    }
    if (k === "delim" && tok === ",") continue;
    break;
  }
  return { format, args, pluginFuncs: p.pluginFuncs };
}

export { ParseError };
