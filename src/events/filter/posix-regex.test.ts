import { test } from "node:test";
import assert from "node:assert/strict";
import { compilePosixBasicRegex, PosixRegexError } from "./posix-regex.js";

const cases: [pattern: string, yes: string[], no: string[]][] = [
  ["^sched.*$", ["sched", "sched_switch", "SCHED_X"], ["xsched"]],
  ["^a+$", ["a+"], ["aa", "a"]],
  ["^a\\+$", ["a", "aaa"], ["a+"]],
  ["^\\(ab\\)*c$", ["c", "ababc"], ["abac"]],
  ["^irq\\|sched$", ["irq", "sched", "irqx"], ["xirq", "schedx"]],
  ["^*a$", ["*a"], ["a"]],
  ["a**", ["b"], []],
  ["^[^0-9]\\{2,3\\}$", ["ab", "abc"], ["a", "abcd", "a1"]],
  ["^[[:digit:]]x$", ["1x"], ["ax"]],
  ["^[]a]$", ["]", "a"], ["b"]],
  ["^[a\\]$", ["a", "\\"], ["]"]],
  ["a$b", ["a$b"], ["ab"]],
  ["x^", ["x^"], ["x"]],
  ["kw.*/0", ["kworker/0:1"], ["kworker/1:1"]],
  ["\\<ab\\>", ["x ab y"], ["xab"]],
  ["^(a)|{b}?$", ["(a)|{b}?"], ["a"]],
];

for (const [pattern, yes, no] of cases) {
  test(`compilePosixBasicRegex() '${pattern}' follows POSIX basic syntax, case-insensitive`, () => {
    const re = compilePosixBasicRegex(pattern, true);
    for (const s of yes) assert.ok(re.test(s), `'${pattern}' should match '${s}'`);
    for (const s of no) assert.ok(!re.test(s), `'${pattern}' should not match '${s}'`);
  });
}

test("compilePosixBasicRegex() is case-sensitive without ignoreCase", () => {
  assert.ok(!compilePosixBasicRegex("^abc$", false).test("ABC"));
});

test("compilePosixBasicRegex() refuses what glibc refuses", () => {
  for (const bad of ["[abc", "\\(a", "a\\)", "a\\", "\\{2\\}", "a\\{2", "[[:nope:]]", "[z-a]", "\\(a\\)\\2"]) {
    assert.throws(() => compilePosixBasicRegex(bad, true), PosixRegexError, bad);
  }
});
