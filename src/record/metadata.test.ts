// nameCommand(): the traced command's pid gets its exec name in saved_cmdlines only where the kernel
// left the holder's name (or nothing).
import { test } from "node:test";
import assert from "node:assert/strict";
import { nameCommand } from "./metadata.js";

test("nameCommand() renames the command's pid from the launcher (sh) to the file it ran, cut to 15 bytes", () => {
  assert.equal(nameCommand("1 systemd\n42 sh\n7 kworker/0:1\n", 42, "/usr/bin/ls"), "1 systemd\n42 ls\n7 kworker/0:1\n");
  assert.equal(nameCommand("42 sh\n", 42, "./a-very-long-program-name"), "42 a-very-long-pro\n");
});

test("nameCommand() adds a missing pid and keeps any other name the kernel saved", () => {
  assert.equal(nameCommand("1 systemd\n", 42, "ls"), "1 systemd\n42 ls\n");
  assert.equal(nameCommand("", 42, "ls"), "42 ls\n");
  // The command may exec something else (env FOO=1 ls): the kernel's later name wins.
  const saved = "420 sh\n42 ls\n";
  assert.equal(nameCommand(saved, 42, "env"), saved);
  // A pid that only starts like ours is another task.
  assert.equal(nameCommand("4200 sh\n", 42, "ls"), "4200 sh\n42 ls\n");
});
