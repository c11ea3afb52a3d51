import { test } from "node:test";
import assert from "node:assert/strict";
import { createFilterScanner } from "./filter-scanner.js";

function tokens(text: string): string[] {
  const s = createFilterScanner(text, 0, (reason, pos) => {
    throw new Error(`${reason} at column ${pos + 1}`);
  });
  const out: string[] = [];
  while (s.scan() !== "end") out.push(`${s.kind}:${s.value}@${s.pos}`);
  return out;
}

test("createFilterScanner() splits items, operators and delimiters like libtraceevent", () => {
  assert.deepEqual(tokens("prev_pid>=0x1f&&(x!=2)"), [
    "item:prev_pid@0",
    "op:>=@8",
    "item:0x1f@10",
    "op:&&@14",
    "delim:(@16",
    "item:x@17",
    "op:!=@18",
    "item:2@20",
    "delim:)@21",
  ]);
});

test("createFilterScanner() glues '~' to '=' and '!' and reads two-character operators", () => {
  assert.deepEqual(
    tokens("a=~b!~c<<d>>=e->f&g|h!i=j~k").filter((t) => t.startsWith("op:")),
    ["op:=~@1", "op:!~@4", "op:<<@7", "op:>>=@10", "op:->@14", "op:&@17", "op:|@19", "op:!@21", "op:=@23", "op:~@25"],
  );
});

test("createFilterScanner() drops quotes, keeps backslashes and joins adjacent double-quoted strings", () => {
  assert.deepEqual(tokens(`x=="a\\"b" "c" 'd'`), ["item:x@0", "op:==@1", 'string:a\\"bc@3', "char:d@14"]);
  assert.deepEqual(tokens(`'a' 'b'`), ["char:a@0", "char:b@4"]);
});

test("createFilterScanner() reports an unterminated string and control characters with their column", () => {
  assert.throws(() => tokens(`x == "abc`), { message: "unterminated string at column 6" });
  assert.throws(() => tokens("x == \u0001"), { message: /unexpected character .* at column 6/ });
});

test("createFilterScanner() lookAhead() does not move the scanner", () => {
  const s = createFilterScanner("a == 1", 0, (reason) => {
    throw new Error(reason);
  });
  s.scan();
  assert.deepEqual(s.lookAhead(), { kind: "op", value: "==" });
  assert.equal(s.value, "a");
  assert.equal(s.scan(), "op");
});
