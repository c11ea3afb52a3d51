// launchArgv(): a busybox shell runs its own applets without exec, so they are handed to it by path.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { launchArgv } from "./command.js";

test("launchArgv() gives a busybox applet by its path, and leaves other commands as typed", () => {
  const dir = mkdtempSync(join(tmpdir(), "ftk-launch-"));
  try {
    for (const f of ["busybox", "dash", "prog"]) writeFileSync(join(dir, f), "");
    symlinkSync("busybox", join(dir, "sh"));
    symlinkSync("busybox", join(dir, "ls"));
    symlinkSync("dash", join(dir, "dsh"));
    symlinkSync("dash", join(dir, "dls"));
    const sh = join(dir, "sh");
    assert.deepEqual(launchArgv(sh, join(dir, "ls"), ["ls", "/"]), [join(dir, "ls"), "/"]);
    assert.deepEqual(launchArgv(sh, join(dir, "prog"), ["prog", "-x"]), ["prog", "-x"], "not an applet");
    assert.deepEqual(launchArgv(sh, join(dir, "ls"), ["./ls"]), ["./ls"], "a path is exec'd by any shell");
    assert.deepEqual(launchArgv(join(dir, "dsh"), join(dir, "dls"), ["dls"]), ["dls"], "not a busybox shell");
    assert.deepEqual(launchArgv(join(dir, "missing"), join(dir, "ls"), ["ls"]), ["ls"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
