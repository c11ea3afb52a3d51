import assert from "node:assert/strict";
import { test } from "node:test";
import { pluginOptionMap, pluginOptionSet } from "./options.js";

test("pluginOptionSet accepts plugin-qualified, bare and valued options", () => {
  assert.equal(pluginOptionSet(["fgraph:tailprint"], ["fgraph"], "tailprint"), true);
  assert.equal(pluginOptionSet(["tailprint"], ["fgraph"], "tailprint"), true);
  assert.equal(pluginOptionSet(["ftrace:tailprint"], ["fgraph"], "tailprint"), false);
  assert.equal(pluginOptionSet(["fgraph:depth=1"], ["fgraph"], "depth"), true);
  assert.equal(pluginOptionSet(["fgraph:depth=true", "fgraph:depth=0"], ["fgraph"], "depth"), false);
  assert.equal(pluginOptionSet(undefined, ["fgraph"], "depth"), false);
});

test("pluginOptionSet toggles a bare boolean given twice (libtraceevent)", () => {
  assert.equal(pluginOptionSet(["fgraph:depth", "fgraph:depth"], ["fgraph"], "depth"), false);
});

test("pluginOptionMap keeps keys with their plugin prefix", () => {
  assert.deepEqual([...pluginOptionMap(["parent", "ftrace:indent=0"])], [["parent", true], ["ftrace:indent", "0"]]);
});
