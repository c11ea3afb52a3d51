// Folding, the frame tree and speedscope's file format (validated against the schema speedscope ships).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";
import type { WeightedStack } from "../model/index.js";
import { buildFlameTree, flameGraphHtml, flameGraphSvg, foldStacks, foldedText, speedscopeJson, topFrames, topFramesText } from "./index.js";

const require = createRequire(import.meta.url);

function stack(user: string[], kernel: string[], weightNs: number, count = 1, comm = "spin"): WeightedStack {
  return { kind: "on-cpu", pid: 7, comm, user, kernel, weightNs, count };
}

const STACKS = [
  stack(["main", "work", "spin_a"], [], 300),
  stack(["main", "work", "spin_b"], ["entry_SYSCALL_64", "do_syscall_64"], 100, 2),
  stack(["main", "odd;name\nhere"], [], 5),
  stack(["main"], [], 0),
];

test("foldStacks() puts the process name at the root, user frames below kernel ones, and sums", () => {
  const folded = foldStacks([...STACKS, stack(["main", "work", "spin_a"], [], 20)]);
  assert.equal(
    foldedText(folded),
    "spin;main;odd:name here 5\nspin;main;work;spin_a 320\nspin;main;work;spin_b;entry_SYSCALL_64;do_syscall_64 100\n",
  );
});

test("foldStacks() keeps only kernel or only user frames, and weighs by count when asked", () => {
  assert.deepEqual([...foldStacks(STACKS, { only: "kernel" })], [["spin", 305], ["spin;entry_SYSCALL_64;do_syscall_64", 100]]);
  assert.equal(
    foldedText(foldStacks(STACKS, { only: "user", weight: "count" })),
    "spin;main 1\nspin;main;odd:name here 1\nspin;main;work;spin_a 1\nspin;main;work;spin_b 2\n",
  );
});

test("topFrames() sums self (as the leaf) and total (anywhere, once per stack) per frame, most self first", () => {
  const folded = foldStacks([
    ...STACKS,
    stack(["main", "rec", "rec", "leaf"], [], 40),
    stack(["main", "rec"], [], 10, 1, "other"),
  ]);
  const top = topFrames(folded);
  assert.equal(top.total, 455);
  const row = (name: string) => top.frames.find((f) => f.name === name);
  assert.deepEqual(row("spin_a"), { name: "spin_a", self: 300, total: 300 });
  assert.deepEqual(row("do_syscall_64"), { name: "do_syscall_64", self: 100, total: 100 });
  assert.deepEqual(row("work"), { name: "work", self: 0, total: 400 });
  assert.deepEqual(row("rec"), { name: "rec", self: 10, total: 50 }, "a recursive frame counts once per stack");
  assert.deepEqual(row("main"), { name: "main", self: 0, total: 455 });
  assert.equal(row("spin"), undefined, "the process name is a root, not a frame");
  assert.deepEqual(top.frames.slice(0, 3).map((f) => f.name), ["spin_a", "do_syscall_64", "leaf"]);
  assert.equal(top.frames.reduce((t, f) => t + f.self, 0), top.total, "every stack has one leaf");
  const text = topFramesText(top, { limit: 2, unit: "ns" });
  assert.equal(
    text,
    [
      " self % total %   self seconds  total seconds  frame",
      "------- -------  -------------  -------------  ----------------",
      "  65.93   65.93    0.000000300    0.000000300  spin_a",
      "  21.98   21.98    0.000000100    0.000000100  do_syscall_64",
      "",
    ].join("\n"),
  );
  const colored = topFramesText(top, { unit: "count", color: true });
  assert.match(colored, /^\x1b\[1m self %.*samples  frame\x1b\[0m\n/);
  assert.match(colored, /\x1b\[31m {2}65\.93\x1b\[0m/);
  assert.equal(colored.replace(/\x1b\[\d+m/g, ""), topFramesText(top, { unit: "count" }));
});

test("buildFlameTree() sums each frame over the stacks through it", () => {
  const tree = buildFlameTree(foldStacks(STACKS));
  assert.equal(tree.value, 405);
  const work = tree.children[0]!.children[0]!.children.find((c) => c.name === "work")!;
  assert.deepEqual(work.children.map((c) => [c.name, c.value]), [["spin_a", 300], ["spin_b", 100]]);
});

test("speedscopeJson() validates against speedscope's file-format-schema.json", async () => {
  let schemaPath: string;
  try {
    schemaPath = require.resolve("speedscope/dist/release/file-format-schema.json");
  } catch {
    return test.skip?.("speedscope not installed");
  }
  const { default: Ajv } = (await import("ajv")) as unknown as { default: new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } } };
  const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(schemaPath, "utf8")));
  const doc = JSON.parse(speedscopeJson(foldStacks(STACKS), { name: "spin", unit: "nanoseconds" }));
  assert.ok(validate(doc), JSON.stringify(validate.errors));
  assert.equal(doc.profiles[0].endValue, 405);
  const names = doc.shared.frames.map((f: { name: string }) => f.name);
  assert.deepEqual(doc.profiles[0].samples[1].map((i: number) => names[i]), ["spin", "main", "work", "spin_a"]);
  assert.ok(validate(JSON.parse(speedscopeJson(new Map(), { name: "empty", unit: "none" }))));
});

test("flameGraphHtml()/Svg() inline everything: no URL to fetch, and frame names cannot end the script", () => {
  const tree = buildFlameTree(foldStacks([stack(["</script><script>alert(1)</script>", "]]>"], [], 10)]));
  for (const text of [flameGraphHtml(tree, { title: "<t>", unit: "ns" }), flameGraphSvg(tree, { title: "<t>", unit: "ns" })]) {
    assert.equal(text.match(/<\/script>/g)?.length, 1, "one closing script tag");
    assert.ok(!/\b(src|href)=/.test(text), "no src/href");
    assert.ok(!/https?:\/\/(?!www\.w3\.org)/.test(text), "no URL but the SVG namespace");
    assert.ok(text.includes("&lt;t&gt;"));
  }
  assert.equal(flameGraphSvg(tree, { title: "t", unit: "ns" }).match(/\]\]>/g)?.length, 1, "one CDATA end");
});
