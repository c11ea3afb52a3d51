// Test helpers for probe tests (not exported by the library): which host tools the tests can use, and
// whether uprobes can be made here.
import { execFileSync } from "node:child_process";
import { Tracefs } from "../tracefs/index.js";

/** True when `command --version` runs (gcc, readelf, ldconfig ...); tests skip with a reason otherwise. */
export function hasTool(command: string, args: readonly string[] = ["--version"]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The live tracefs when uprobes can be made here (root, uprobe_events), else why not: a test's skip reason. */
export async function openLiveUprobes(): Promise<Tracefs | string> {
  if (process.getuid?.() !== 0) return "not root";
  try {
    const fs = await Tracefs.open();
    return fs.hasFile("uprobe_events") ? fs : "no uprobe_events on this kernel";
  } catch (e) {
    return (e as Error).message;
  }
}
