import assert from "node:assert/strict";
import { test } from "node:test";
import { formatInt, formatPointer, formatString, splitFormat, type Directive } from "./c-format.js";

function dir(text: string): Directive {
  const p = splitFormat(text)[0]!;
  if (p.kind === "text") throw new Error("not a directive: " + text);
  return p.directive;
}

test("formatInt() follows C printf for flags, width, precision and length", () => {
  const cases: [string, number | bigint, string][] = [
    ["%d", 42, "42"],
    ["%d", 0xfffffffe, "-2"],
    ["%u", 0xfffffffe, "4294967294"],
    ["%03d", 7, "007"],
    ["%-5u|", 12, "12   "],
    ["%5d", 0xffffffff, "   -1"],
    ["%#x", 255, "0xff"],
    ["%#x", 0, "0"],
    ["%#o", 8, "010"],
    ["%X", 0xabc, "ABC"],
    ["%lx", 0xfffffffffffffffen, "fffffffffffffffe"],
    ["%ld", 0xffffffff, "4294967295"],
    ["%lld", 0xffffffffffffffffn, "-1"],
    ["%llu", 0xffffffffffffffffn, "18446744073709551615"],
    ["%hhd", 0x1ff, "-1"],
    ["%hu", 0x12345, "9029"],
    ["%.3d", 5, "005"],
    ["%5.3x", 10, "  00a"],
    ["%08.3d", 1, "     001"],
    ["%.0d", 0, ""],
    ["%-#6x|", 1, "0x1   "],
    ["%08lx", 0x1234n, "00001234"],
  ];
  for (const [f, v, want] of cases) {
    const d = dir(f);
    assert.equal(formatInt(d, v, 0), want, f);
  }
});

test("formatInt() takes a * width from the length argument (negative = left-justify)", () => {
  const d = dir("%*d");
  assert.equal(formatInt(d, 5, 4), "   5");
  assert.equal(formatInt(d, 5, -4), "5   ");
});

test("formatString() and formatPointer()", () => {
  assert.equal(formatString(dir("%-6s"), "ab", 0), "ab    ");
  assert.equal(formatString(dir("%6s"), "ab", 0), "    ab");
  assert.equal(formatString(dir("%.2s"), "abcd", 0), "ab");
  assert.equal(formatString(dir("%.*s"), "abcd", 3), "abc");
  assert.equal(formatPointer(0), "(nil)");
  assert.equal(formatPointer(0xffff888012345678n), "0xffff888012345678");
});

test("splitFormat() handles escapes, %%, unsupported conversions and pointer extensions", () => {
  const p = splitFormat("a\\tb %% c=%c after=%d %pS %*phC %px\\n");
  const kinds = p.map((x) => (x.kind === "text" ? "T:" + x.text : x.kind + ":" + x.directive.text));
  assert.deepEqual(kinds, ["T:a\tb % c=", "T:>c<", "T: after=", "digit:%d", "T: ", "pointer:%pS", "T: ", "pointer:%*phC", "T: ", "pointer:%p", "T:x\n"]);
  const ip = splitFormat("%pI4h %pISpc %pMR %pUb")
    .filter((x) => x.kind === "pointer")
    .map((x) => (x.kind === "pointer" ? x.directive.ext : ""));
  assert.deepEqual(ip, ["I4h", "ISpc", "MR", "Ub"]);
});
