import assert from "node:assert/strict";
import { test } from "node:test";
import { TaskNames } from "./task-names.js";

test("TaskNames keeps names registered before the first lookup, duplicates too, and the halving search picks one as trace-cmd's library does", () => {
  // saved_cmdlines names 10 to 50; a sched_switch printed before any lookup names 40 again (a shell that
  // became another program). Newest first, sorted stably: [10 a, 20 b, 30 c, 40 x, 40 d, 50 e]; the search
  // for 40 lands on index 3 (x). With 30 named again instead, [10 a, 20 b, 30 x, 30 c, 40 d, 50 e]: index 3 (c).
  const text = "10 a\n20 b\n30 c\n40 d\n50 e\n";
  const other = TaskNames.parse(text);
  other.register(30, "x");
  assert.equal(other.comm(30), "c");
  const t = TaskNames.parse(text);
  t.register(40, "x");
  assert.equal(t.comm(40), "x");
  assert.equal(t.comm(0), "<idle>");
  assert.equal(t.comm(99), "<...>");
  // After the first lookup a name is added only for a pid not found.
  const g = t.generation;
  t.register(10, "z");
  assert.equal(t.comm(10), "a");
  assert.equal(t.generation, g);
  // A new pid goes in its place, [5 n, 10 a, ..., 40 x, 40 d, 50 e]: the search for 40 now lands on d.
  t.register(5, "n");
  assert.equal(t.find(5), "n");
  assert.ok(t.generation > g);
  assert.equal(t.comm(40), "d");
});

test("TaskNames.rename() replaces every name of a pid (a live task's comm after exec)", () => {
  const t = TaskNames.parse("5 sh\n");
  t.register(5, "sleep");
  t.rename(5, "cat");
  assert.equal(t.comm(5), "cat");
  t.rename(6, "new");
  assert.equal(t.find(6), "new");
  assert.equal(t.find(7), undefined);
});
