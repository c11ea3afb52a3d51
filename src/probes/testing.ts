// Test helpers for probe tests (not exported by the library): which host tools the tests can use.
import { execFileSync } from "node:child_process";

/** True when `command --version` runs (gcc, readelf, ldconfig ...); tests skip with a reason otherwise. */
export function hasTool(command: string, args: readonly string[] = ["--version"]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
