// The metadata a trace.dat stores (trace-dat-format.md §7 step 2-3): header texts, ftrace formats, the
// formats of the recorded events, kallsyms (kptr_restrict lifted while reading), printk formats, cmdlines,
// and the record-time options (clock, uname, version, trace id).
import { readdir, readFile, writeFile } from "node:fs/promises";
import { hostname, machine, release } from "node:os";
import { basename, join } from "node:path";
import type { TraceDatMetadata } from "../tracedat/index.js";
import { testPause } from "../base/index.js";
import { UndoStack } from "../tracefs/index.js";
import type { Tracefs } from "../tracefs/index.js";
import { LAUNCHER_COMM } from "./command.js";

/** VERSION option payload: our version in trace-cmd's "<version> <git id>" shape. */
export const FTK_VERSION_STRING = "3.1.6 ftk-0.1.0";

/** The ftrace system's format files, in directory order. */
async function ftraceFormats(fs: Tracefs): Promise<string[]> {
  const dir = join(fs.root, "events", "ftrace");
  const names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  const out: string[] = [];
  for (const n of names) {
    try {
      out.push(await fs.eventFormat("ftrace", n));
    } catch {
      // some ftrace entries have no readable format; trace-cmd skips them too
    }
  }
  return out;
}

/**
 * /proc/kallsyms with real addresses: kptr_restrict=2 hides them even from root, so lift it while reading.
 * The change is journaled like any other (undo.ts): a SIGKILL while it is lifted is undone by the next ftk.
 */
async function kallsymsWithAddresses(fs: Tracefs): Promise<string> {
  const knob = "/proc/sys/kernel/kptr_restrict";
  let old: string | undefined;
  try {
    old = (await readFile(knob, "latin1")).trim();
  } catch {
    old = undefined;
  }
  if (old !== "2") return fs.kallsyms();
  const undo = new UndoStack();
  const text = old;
  const drop = undo.push(`restore '${knob}' to '${text}'`, () => writeFile(knob, text), { step: { kind: "write-proc", root: fs.root, path: knob, text }, own: true });
  try {
    await writeFile(knob, "0");
  } catch {
    drop(); // not lifted (locked down): read what root may see
    return fs.kallsyms();
  }
  try {
    await testPause("kallsyms");
    return await fs.kallsyms();
  } finally {
    await undo.unwind();
  }
}

/** Collects the metadata blocks for the recorded events (system -> events); `command` is named with nameCommand(). */
export async function collectMetadata(
  fs: Tracefs,
  events: readonly { system: string; event: string }[],
  command?: { pid: number; argv0: string },
  options: { kallsyms?: boolean } = {},
): Promise<TraceDatMetadata> {
  const bySystem = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.system === "ftrace") continue;
    let set = bySystem.get(e.system);
    if (set === undefined) bySystem.set(e.system, (set = new Set()));
    set.add(e.event);
  }
  const eventFormats: { system: string; formats: string[] }[] = [];
  for (const [system, names] of bySystem) {
    const formats: string[] = [];
    for (const n of names) formats.push(await fs.eventFormat(system, n));
    eventFormats.push({ system, formats });
  }
  return {
    headerPage: await fs.headerPage(),
    headerEvent: await fs.headerEvent(),
    ftraceFormats: await ftraceFormats(fs),
    eventFormats,
    kallsyms: options.kallsyms === false ? "" : await kallsymsWithAddresses(fs),
    printkFormats: await fs.printkFormats(),
    savedCmdlines: command === undefined ? await fs.savedCmdlines() : nameCommand(await fs.savedCmdlines(), command.pid, command.argv0),
  };
}

/**
 * Gives the traced command its own name in saved_cmdlines. The kernel copies a task's name only at
 * some context switches, so the command's pid may still be listed under the launcher's name (the shell
 * that held it before exec) or not at all; the report would then show sh-PID. Then exec named it after the
 * file it ran, cut to 15 bytes.
 */
export function nameCommand(savedCmdlines: string, pid: number, argv0: string): string {
  const name = basename(argv0).slice(0, 15);
  const lines = savedCmdlines.split("\n").filter((l) => l !== "");
  const at = lines.findIndex((l) => l.slice(0, l.indexOf(" ")) === String(pid));
  if (at >= 0 && lines[at]!.slice(lines[at]!.indexOf(" ") + 1) !== LAUNCHER_COMM) return savedCmdlines;
  if (at >= 0) lines[at] = `${pid} ${name}`;
  else lines.push(`${pid} ${name}`);
  return lines.join("\n") + "\n";
}

/** UNAME option payload: "<sysname> <nodename> <release> <machine>". */
export function unameString(): string {
  return `Linux ${hostname()} ${release()} ${machine()}`;
}

/** A random TRACEID. */
export function randomTraceId(): bigint {
  // Web Crypto's global: node:crypto is loaded on first use, not by every command that imports this file.
  return globalThis.crypto.getRandomValues(new BigUint64Array(1))[0]!;
}
