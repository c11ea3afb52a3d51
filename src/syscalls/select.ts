// strace's `-e trace=SET`: names, %classes, /regex, `?name` (no error when unknown), all/none, and a
// leading `!` that negates the whole set. Several -e trace= add up, as in strace.
import { UsageError } from "../base/index.js";
import { syscallTable, type SyscallClass } from "./x86-64.js";

const CLASSES = new Set<string>(["file", "desc", "network", "process", "memory", "signal", "ipc", "creds", "clock"]);

/** The calls chosen by -e trace=: `has(name)`, and `names` (undefined means every call). */
export interface SyscallSelection {
  has(name: string): boolean;
  /** The selected names (all in the x86_64 table); undefined for every call or a negated set. */
  readonly names: ReadonlySet<string> | undefined;
}

/** Every call. */
export const ALL_SYSCALLS: SyscallSelection = { has: () => true, names: undefined };

/**
 * Parses the values of -e trace= (without `trace=`); throws UsageError with one line for an unknown call or class.
 * @example
 * parseTraceSet(["%file,close"]).has("openat") // true
 */
export function parseTraceSet(values: readonly string[]): SyscallSelection {
  if (values.length === 0) return ALL_SYSCALLS;
  const table = syscallTable();
  const chosen = new Set<string>();
  let negated = false;
  for (const raw of values) {
    let v = raw;
    if (v.startsWith("!")) {
      negated = true;
      v = v.slice(1);
    }
    for (const item of v.split(",")) {
      if (item === "" || item === "none") continue;
      if (item === "all") {
        for (const s of table) chosen.add(s.name);
        continue;
      }
      const cls = item.startsWith("%") ? item.slice(1) : undefined;
      if (cls !== undefined) {
        if (!CLASSES.has(cls)) throw new UsageError(`-e trace: unknown class '${item}': use %file, %desc, %network, %process, %memory, %signal, %ipc, %creds or %clock`);
        for (const s of table) if (s.classes.includes(cls as SyscallClass)) chosen.add(s.name);
        continue;
      }
      if (item.startsWith("/")) {
        let re: RegExp;
        try {
          re = new RegExp(item.slice(1));
        } catch {
          throw new UsageError(`-e trace: bad regular expression '${item.slice(1)}'`);
        }
        for (const s of table) if (re.test(s.name)) chosen.add(s.name);
        continue;
      }
      const optional = item.startsWith("?");
      const name = optional ? item.slice(1) : item;
      if (!table.some((s) => s.name === name) && !optional) {
        throw new UsageError(`-e trace: unknown system call '${name}': see 'man 2 syscalls' for names (x86_64)`);
      }
      chosen.add(name);
    }
  }
  if (negated) {
    // Calls outside the table stay selected, so no finite list of names describes the set.
    return { has: (n) => !chosen.has(n), names: undefined };
  }
  return { has: (n) => chosen.has(n), names: chosen };
}
