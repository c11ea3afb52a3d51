// Creating, listing and deleting probes through tracefs (tracefs-control.md §3.4): checks first (kernel
// support, names already taken), then writes; on any failure the probes this call added are removed again,
// so bad input leaves uprobe_events as it was.
import { ProbeError, isFtkError } from "../base/index.js";
import { UndoStack } from "../tracefs/index.js";
import type { Tracefs } from "../tracefs/index.js";
import { globToRegExp } from "./functions.js";
import type { ProbeDefinition } from "./probe-spec.js";

/** One line of dynamic_events / uprobe_events / kprobe_events, split. */
export interface ProbeEventLine {
  /** `p` entry, `r` return, `e` eprobe, `s` synthetic, ... */
  type: string;
  group: string;
  event: string;
  /** `PATH:0xOFFSET` for uprobes, the symbol for kprobes. */
  location: string;
  args: string[];
  line: string;
}

/** Splits a dynamic-event line such as `p:probe_libc/getenv /lib/libc.so.6:0x3f0b0 name=+0(%di):string`. */
export function parseProbeEventLine(line: string): ProbeEventLine | undefined {
  const m = /^([a-z])\d*:([^/\s]+)\/(\S+)(?:\s+(\S+))?(.*)$/.exec(line.trim());
  if (m === null) return undefined;
  return {
    type: m[1]!, group: m[2]!, event: m[3]!, location: m[4] ?? "",
    args: m[5]!.trim().split(/\s+/).filter((w) => w !== ""), line: line.trim(),
  };
}

/** Probes (p/r lines) currently defined. */
export async function listProbes(fs: Tracefs): Promise<ProbeEventLine[]> {
  const out: ProbeEventLine[] = [];
  for (const l of await fs.listDynamicEvents()) {
    const p = parseProbeEventLine(l);
    if (p !== undefined && (p.type === "p" || p.type === "r")) out.push(p);
  }
  return out;
}

/** Throws ProbeError unless the kernel can take every definition (kprobes need kprobe_events). */
export function checkProbeSupport(fs: Tracefs, defs: readonly ProbeDefinition[]): void {
  const needs = new Set(defs.map((d) => (d.kind === "kprobe" || d.kind === "kretprobe" ? "kprobe_events" : "uprobe_events")));
  for (const file of needs) {
    if (!fs.hasFile(file)) {
      const what = file === "kprobe_events" ? "kernel probes are" : "user-space probes are";
      throw new ProbeError(`${what} not available on this kernel: '${fs.root}/${file}' does not exist (CONFIG_${file === "kprobe_events" ? "KPROBE" : "UPROBE"}_EVENTS)`, {
        code: "ENOENT", path: `${fs.root}/${file}`,
      });
    }
  }
}

/**
 * Creates the probes; all or nothing. Throws ProbeError for unsupported kinds, names already in use
 * (nothing written) and kernel rejections (with the error_log line; the probes added so far are removed).
 * Pushes the removal of each probe on `undo` when given.
 */
export async function addProbes(fs: Tracefs, defs: readonly ProbeDefinition[], undo?: UndoStack): Promise<void> {
  checkProbeSupport(fs, defs);
  const existing = new Set((await listProbes(fs)).map((p) => `${p.group}/${p.event}`));
  const seen = new Set<string>();
  for (const d of defs) {
    const name = `${d.group}/${d.event}`;
    if (d.append === true && seen.has(name)) continue;
    if (existing.has(name) || seen.has(name)) {
      throw new ProbeError(`probe '${d.group}:${d.event}' already exists: delete it with 'ftk probe -d ${d.group}:${d.event}' or pick another name with --event`, {
        code: "EEXIST",
      });
    }
    seen.add(name);
  }
  // An event's locations go in one write (the kernel runs it line by line): ftk trace adds ~40 to one event,
  // and each write costs reads of dynamic_events and error_log and a journal entry.
  const lines = new Map<string, { d: ProbeDefinition; lines: string[] }>();
  for (const d of defs) {
    const name = `${d.group}/${d.event}`;
    const e = lines.get(name);
    if (e === undefined) lines.set(name, { d, lines: [d.line] });
    else e.lines.push(d.line);
  }
  const local = new UndoStack();
  try {
    for (const [name, { d, lines: text }] of lines) {
      try {
        await fs.addDynamicEvent(text.join("\n"), local);
      } catch (e) {
        // The lines before the one the kernel refused were added (the name was checked free above).
        if (text.length > 1) await fs.removeDynamicEvent(name).catch(() => undefined);
        // EINVAL: the kernel's error_log entry says what it did not like (and quotes the line).
        const log = isFtkError(e) && e.code === "EINVAL" ? await fs.errorLogLast() : undefined;
        const detail = log !== undefined ? `rejected by the kernel: ${log}` : isFtkError(e) ? e.message : String(e);
        throw new ProbeError(`cannot add probe '${d.group}:${d.event}': ${detail}`, { code: isFtkError(e) ? e.code : "error", cause: e });
      }
    }
  } catch (e) {
    await local.unwind();
    throw e;
  }
  if (undo !== undefined) {
    for (const d of defs) {
      if (d.append === true) continue;
      const name = `${d.group}/${d.event}`;
      undo.push(`remove probe '${name}'`, () => fs.removeDynamicEvent(name), { step: { kind: "remove-dynamic-event", root: fs.root, name } });
    }
  }
  // The probes stay (or are now the caller's to remove): forget the local journal.
  local.discard();
}

/**
 * Deletes the probes matching `pattern`: `GROUP:EVENT`, `GROUP/EVENT` or `EVENT` (any group), globs allowed.
 * Returns the `group/event` names deleted; throws ProbeError when nothing matches or the kernel refuses.
 */
export async function deleteProbes(fs: Tracefs, pattern: string): Promise<string[]> {
  const sep = pattern.search(/[:/]/);
  const groupRe = sep < 0 ? /^.*$/ : globToRegExp(pattern.slice(0, sep));
  const eventRe = globToRegExp(sep < 0 ? pattern : pattern.slice(sep + 1));
  const victims = (await listProbes(fs)).filter((p) => groupRe.test(p.group) && eventRe.test(p.event));
  if (victims.length === 0) throw new ProbeError(`no probe matches '${pattern}': list them with 'ftk probe -l'`, { code: "ENOENT" });
  const done: string[] = [];
  for (const p of victims) {
    const name = `${p.group}/${p.event}`;
    try {
      await fs.removeDynamicEvent(name);
    } catch (e) {
      const busy = isFtkError(e) && e.code === "EBUSY";
      const why = busy ? "it is enabled (in use): disable it or stop the recording first" : isFtkError(e) ? e.message : String(e);
      const prefix = done.length > 0 ? `deleted ${done.length}, then ` : "";
      throw new ProbeError(`${prefix}cannot delete probe '${p.group}:${p.event}': ${why}`, { code: isFtkError(e) ? e.code : "error", cause: e });
    }
    done.push(name);
  }
  return done;
}
