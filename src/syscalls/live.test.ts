// The live view's name lookup in saved_cmdlines text agrees with the decoder's full parse (TaskNames).
import assert from "node:assert/strict";
import { test } from "node:test";
import { TaskNames } from "../events/index.js";
import { findComm } from "./live.js";

test("findComm() gives the name TaskNames.parse() gives, for one pid, without parsing the rest", () => {
  const text = "1 systemd\n11 kworker/0:1\n111 sh with spaces\n  7 padded\n-1 odd\n2111 later\n\n12 \n";
  const all = TaskNames.parse(text);
  for (const pid of [1, 11, 111, 7, -1, 2111, 12, 2, 21, 1111, 99]) assert.equal(findComm(text, pid), all.find(pid), `pid ${pid}`);
  assert.equal(findComm("", 1), undefined);
});
