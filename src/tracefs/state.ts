// Snapshot and diff of every tracefs setting that ftk may change (tracefs-control.md §8), top level and
// every instance, so tests and the recorder can prove that the kernel was left as it was found.
import { opendirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { errnoOf, isOneReadFile, oneLine, readSmallSync } from "./io.js";
import { parseBufferSizeKb, parseTriggers } from "./parse.js";
import type { Tracefs } from "./tracefs.js";

/** Every saved setting as "relative/path" -> normalized text (errors as "<EPERM>"); compare with diffTracefsState(). */
export interface TracefsSnapshot {
  readonly root: string;
  readonly files: Readonly<Record<string, string>>;
}

/** Per-instance control files (both levels) that hold settings. */
const INSTANCE_FILES = [
  "tracing_on", "current_tracer", "set_event", "trace_clock", "buffer_size_kb", "buffer_percent",
  "buffer_subbuf_size_kb", "set_event_pid", "set_event_notrace_pid", "set_ftrace_pid", "set_ftrace_notrace_pid",
  "set_ftrace_filter", "set_ftrace_notrace", "set_graph_function", "set_graph_notrace", "max_graph_depth",
  "tracing_cpumask", "timestamp_mode",
] as const;

/** Files that exist only at the top level. */
const TOP_FILES = [
  "uprobe_events", "kprobe_events", "dynamic_events", "synthetic_events", "saved_cmdlines_size", "tracing_thresh",
] as const;

/** procfs knobs a recorder changes (tracefs-control.md §8): kallsyms copying lifts kptr_restrict. */
const PROC_FILES = ["/proc/sys/kernel/kptr_restrict", "/proc/sys/kernel/ftrace_enabled"] as const;

/** Files read between two yields to the event loop (about 15 ms of synchronous reads here). */
const BATCH = 1000;

function normalize(file: string, text: string): string {
  if (file.endsWith("buffer_size_kb")) {
    try {
      return String(parseBufferSizeKb(text));
    } catch {
      return text.trim();
    }
  }
  if (file.endsWith("/trigger")) return parseTriggers(text).join("\n");
  return text.replace(/\n+$/, "");
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

/** Subdirectories in the kernel's order (readdirSync sorts; `stat` lists events as trace-cmd does, unsorted). */
function subdirsInOrder(dir: string): string[] {
  const names: string[] = [];
  try {
    const d = opendirSync(dir);
    try {
      for (let e = d.readSync(); e !== null; e = d.readSync()) if (e.isDirectory()) names.push(e.name);
    } finally {
      d.closeSync();
    }
  } catch {
    // missing directory: no entries
  }
  return names;
}

function plainFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((d) => !d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

/** The relative paths of every setting file of one instance prefix ("" or "instances/x/"). */
function instanceFiles(root: string, prefix: string): string[] {
  const rels: string[] = [...INSTANCE_FILES.map((f) => prefix + f)];
  for (const opt of plainFiles(join(root, prefix, "options"))) rels.push(`${prefix}options/${opt}`);
  // Per-CPU sizes: `-b` can be per CPU, and the instance-wide file then reads "X".
  for (const cpu of subdirs(join(root, prefix, "per_cpu"))) rels.push(`${prefix}per_cpu/${cpu}/buffer_size_kb`);
  const eventsDir = join(root, prefix, "events");
  for (const system of subdirs(eventsDir)) {
    for (const event of subdirs(join(eventsDir, system))) {
      const base = `${prefix}events/${system}/${event}/`;
      rels.push(base + "enable", base + "filter", base + "trigger");
    }
  }
  return rels;
}

/**
 * Reads the given per-event files (enable, filter, trigger) of every event of one instance, in the kernel's
 * directory order (as trace-cmd lists them), synchronously in batches; missing files are left out. Values are normalized like the snapshot's.
 */
export async function readEventFiles(
  fs: Tracefs,
  instanceName: string,
  names: readonly ("enable" | "filter" | "trigger")[],
): Promise<{ system: string; event: string; values: (string | undefined)[] }[]> {
  const prefix = instanceName === "" ? "" : `instances/${instanceName}/`;
  const eventsDir = join(fs.root, prefix, "events");
  const out: { system: string; event: string; values: (string | undefined)[] }[] = [];
  let count = 0;
  for (const system of subdirsInOrder(eventsDir)) {
    for (const event of subdirsInOrder(join(eventsDir, system))) {
      const values: (string | undefined)[] = [];
      for (const name of names) {
        if (++count % BATCH === 0) await new Promise((r) => setImmediate(r));
        const rel = `${prefix}events/${system}/${event}/${name}`;
        try {
          values.push(normalize(rel, readSmallSync(join(fs.root, rel), isOneReadFile(rel))));
        } catch {
          values.push(undefined);
        }
      }
      out.push({ system, event, values });
    }
  }
  return out;
}

/**
 * Reads every setting ftk may change: per instance (top and each of `instances/`) tracing_on,
 * current_tracer, set_event, events/*\/*\/{enable,filter,trigger}, options/*, trace_clock, buffer sizes,
 * pid and function filter files; at the top level the instance list and dynamic events; and the procfs
 * knobs kptr_restrict and ftrace_enabled.
 * About 7000 small files per instance; they are read synchronously in batches (faster than the pool here).
 */
export async function snapshotTracefsState(fs: Tracefs): Promise<TracefsSnapshot> {
  const root = fs.root;
  const instances = subdirs(join(root, "instances")).sort();
  const rels: string[] = [...TOP_FILES];
  rels.push(...instanceFiles(root, ""));
  for (const name of instances) rels.push(...instanceFiles(root, `instances/${name}/`));
  const files: Record<string, string> = { "instances/": instances.join(" ") };
  for (let i = 0; i < rels.length; i++) {
    if (i > 0 && i % BATCH === 0) await new Promise((r) => setImmediate(r));
    const rel = rels[i]!;
    try {
      files[rel] = normalize(rel, readSmallSync(join(root, rel), isOneReadFile(rel)));
    } catch (e) {
      const code = errnoOf(e);
      if (code !== "ENOENT") files[rel] = `<${code ?? "error"}>`;
    }
  }
  for (const path of PROC_FILES) {
    try {
      files[path] = readSmallSync(path).trim();
    } catch {
      // not on this system
    }
  }
  return { root, files };
}

/** Human-readable differences from a to b, one line per setting ("tracing_on: '1' -> '0'"); empty when equal. */
export function diffTracefsState(a: TracefsSnapshot, b: TracefsSnapshot): string[] {
  const keys = new Set([...Object.keys(a.files), ...Object.keys(b.files)]);
  const out: string[] = [];
  for (const key of [...keys].sort()) {
    const va = a.files[key];
    const vb = b.files[key];
    if (va === vb) continue;
    const show = (v: string | undefined): string => (v === undefined ? "(absent)" : `'${oneLine(v)}'`);
    out.push(`${key}: ${show(va)} -> ${show(vb)}`);
  }
  return out;
}
