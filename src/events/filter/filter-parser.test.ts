import { test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../../base/index.js";
import { parseCNumber, parseFilterSpec, type FilterNode, type FilterValue } from "./filter-parser.js";

/** The AST as compact text: (a && b), !x, field==value, left&right. */
function show(node: FilterNode | undefined): string {
  const v = (x: FilterValue): string => (x.kind === "field" ? x.name : x.kind === "number" ? `${x.value}` : JSON.stringify(x.value));
  if (node === undefined) return "TRUE";
  switch (node.kind) {
    case "logic":
      return `(${show(node.left)} ${node.op} ${show(node.right)})`;
    case "not":
      return `!${show(node.operand)}`;
    case "compare":
      return `${node.field.name}${node.op}${v(node.value)}`;
    case "arith":
      return `${v(node.left)}${node.op}${v(node.right)}`;
  }
}

const expressions: [text: string, ast: string][] = [
  // '&&' and '||' have the same precedence and group from the left (trace-cmd report -T shows
  // "((prev_pid == 0) || (next_pid == 0)) && (prev_pid == 0)" for the first one).
  ["e:prev_pid==0 || next_pid==0 && prev_pid==0", "((prev_pid==0 || next_pid==0) && prev_pid==0)"],
  ["e:a==1 && b==2 || c==3", "((a==1 && b==2) || c==3)"],
  ["e:a==1 || (b==2 && c==3)", "(a==1 || (b==2 && c==3))"],
  ["e:!a==1 && b==2", "(!a==1 && b==2)"],
  ["e:!(a==1 && b==2)", "!(a==1 && b==2)"],
  ["e:!!a==1", "!!a==1"],
  ["e:((a<=1))", "a<=1"],
  ["e:flags & 0x10", "flags&16"],
  ["e:1 & flags", "1&flags"],
  ["e:comm =~ \"^k.*\" || comm !~ 'x'", '(comm=~"^k.*" || comm!~"x")'],
  ["e:name == \"a\" \"b\"", 'name=="ab"'],
  ["e:a!=0x7fffffffffffffff", "a!=9223372036854775807"],
  // libtraceevent 1.7.1 reads `f == -1` as `f - 1` (trace-cmd report -T prints "prev_prio - 1").
  ["e:prev_prio==-1", "prev_prio-1"],
  ["e:flags/-1", "flags-1"],
  ["e:flags & == 1", "flags==1"],
  ["e:a==1 && (b>=-1)", "(a==1 && b-1)"],
  ["e:a==1 || !b==-1", "(a==1 || !b-1)"],
  ["e:x ~ \"k*\"", 'x~"k*"'],
];

for (const [text, ast] of expressions) {
  test(`parseFilterSpec() '${text}' parses as ${ast}`, () => {
    assert.equal(show(parseFilterSpec(text).expr), ast);
  });
}

test("parseFilterSpec() splits the event list at commas and slashes, before the first ':' only", () => {
  const spec = parseFilterSpec(" irq / irq_handler_entry ,sched_wakeup,/sched_switch/:a==1");
  assert.deepEqual(
    spec.events.map((e) => [e.system, e.name, e.pos]),
    [
      ["irq", "irq_handler_entry", 0],
      [undefined, "sched_wakeup", 26],
      [undefined, "sched_switch", 39],
    ],
  );
  assert.equal(parseFilterSpec("sched").expr, undefined);
});

const errors: [text: string, message: string][] = [
  ["", "empty event name at column 1"],
  ["a,,b", "empty event name at column 3"],
  ["sched_switch,", "empty event name at column 14"],
  ["e:", "empty filter after ':' at column 3"],
  ["e:x=1", "unknown operator '=' (use '==') at column 4"],
  ["e:x", "'x' needs a comparison, e.g. 'x == 1' at column 3"],
  ["e:(x==1", "unbalanced '(' at column 3"],
  ["e:x==1)", "unbalanced ')' at column 7"],
  ["e:x==1 y==2", "expected '&&' or '||' before 'y' at column 8"],
  ["e:x==y", "cannot compare 'x' with field 'y': use a number or a quoted string at column 6"],
  ["e:1==x", "the left side of '==' must be a field name at column 3"],
  ["e:x=~1", "'=~' needs a quoted regular expression at column 6"],
  ["e:x=='k'", "'k' in single quotes is a C character: use double quotes at column 6"],
  ["e:x==\"abc", "unterminated string at column 6"],
  ["e:x==1,y==2", "',' is not allowed in a filter expression (give another -F) at column 7"],
  ["e:&& x==1", "expected a field, number or string, found '&&' at column 3"],
  ["e:x==1 &&", "expected a field, number or string, found the end of the filter at column 10"],
  ["e:x==(1)", "'(' cannot follow an operator (libtraceevent allows only a field or a value here) at column 6"],
  ["e:()", "empty parentheses at column 4"],
  ["e:x->y==1", "unknown operator '->' at column 4"],
  ["e:a==1 && b>=-1", "'-' cannot follow '>=' (a negative number? compare with 0xffffffff...) at column 14"],
];

for (const [text, message] of errors) {
  test(`parseFilterSpec() rejects '${text}': ${message}`, () => {
    assert.throws(
      () => parseFilterSpec(text),
      (e: unknown) => e instanceof UsageError && e.message === `bad filter '${text}': ${message}` && e.exitCode === 2,
    );
  });
}

test("parseCNumber() reads the prefix strtoull(…, 0) reads: hex, octal, decimal, saturating", () => {
  assert.equal(parseCNumber("0x1F"), 31n);
  assert.equal(parseCNumber("017"), 15n);
  assert.equal(parseCNumber("09"), 0n);
  assert.equal(parseCNumber("12abc"), 12n);
  assert.equal(parseCNumber("0x"), 0n);
  assert.equal(parseCNumber("18446744073709551615"), 0xffffffffffffffffn);
  assert.equal(parseCNumber("99999999999999999999999"), 0xffffffffffffffffn);
});
