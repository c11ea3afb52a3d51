// The tracefs mount (tracefs-control.md §1): finding or mounting it, whole-file reads and writes with
// one-line errors (style.md §4), instances, dynamic events, and the metadata files a trace.dat stores.
import { existsSync, readdirSync } from "node:fs";
import { access, constants, mkdir, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { TracefsError } from "../base/index.js";
import { Instance } from "./instance.js";
import { recoverStaleJournals } from "./journal.js";
import { TRACER_HINT, errnoOf, oneLine, readdirInOrder, readWhole, tracefsError, writeWhole } from "./io.js";
import { dynamicEventName, formatErrorLogEntry, parseAvailableEvents, parseErrorLog, parseWords } from "./parse.js";
import type { UndoStack } from "./undo.js";

const CANDIDATES = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/** True when dir looks like a mounted tracefs (it has the tracing_on switch). */
function isTracefsDir(dir: string): boolean {
  return existsSync(join(dir, "tracing_on"));
}

/** The first tracefs mount point listed in /proc/mounts, if any. */
async function tracefsFromMounts(): Promise<string | undefined> {
  let text: string;
  try {
    text = await readWhole("/proc/mounts");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const [, mountPoint, fsType] = line.split(" ");
    if (fsType === "tracefs" && mountPoint !== undefined) return mountPoint.replace(/\\040/g, " ");
  }
  return undefined;
}

/** Finds tracefs, mounting it at /sys/kernel/tracing when it is not mounted (needs root). */
async function locateTracefs(): Promise<string> {
  // A mounted tracefs is used even when unreadable: open() then says "not permitted" (non-root users).
  const mounted = await tracefsFromMounts();
  if (mounted !== undefined) return mounted;
  for (const dir of CANDIDATES) if (isTracefsDir(dir)) return dir;
  if (process.getuid?.() !== 0) {
    throw new TracefsError("tracefs is not mounted and mounting it needs root: run ftk as root", { code: "EPERM" });
  }
  if (!existsSync(CANDIDATES[0]!)) {
    throw new TracefsError("tracefs is missing: '/sys/kernel/tracing' does not exist (kernel built without CONFIG_FTRACE?)", { code: "ENOENT" });
  }
  // Loaded only here: node:child_process costs every tracefs command ~10 ms of start-up (issue 11).
  const { execFile } = await import("node:child_process");
  try {
    await promisify(execFile)("mount", ["-t", "tracefs", "nodev", CANDIDATES[0]!]);
  } catch (e) {
    // tracefs-control.md §1 step 3: older kernels show tracefs inside debugfs.
    const debugTracing = CANDIDATES[1]!;
    await promisify(execFile)("mount", ["-t", "debugfs", "nodev", "/sys/kernel/debug"]).catch(() => undefined);
    if (isTracefsDir(debugTracing)) return debugTracing;
    const detail = oneLine(String((e as { stderr?: string }).stderr || (e as Error).message));
    throw new TracefsError(`cannot mount tracefs on '/sys/kernel/tracing': ${detail}`, { code: "mount", cause: e });
  }
  if (!isTracefsDir(CANDIDATES[0]!)) {
    throw new TracefsError("tracefs mounted on '/sys/kernel/tracing' but has no 'tracing_on': tracing is not available on this kernel", { code: "ENOENT" });
  }
  return CANDIDATES[0]!;
}

/**
 * The tracefs mount. Open it once and get instances, event lists and metadata from it.
 * @example
 * const fs = await Tracefs.open();
 * const top = fs.topInstance();
 * console.log(await top.currentTracer(), await fs.availableTracers());
 */
export class Tracefs {
  /** Absolute path of the tracing directory. */
  readonly root: string;
  #cpuCount: number | undefined;

  private constructor(root: string) {
    this.root = root;
  }

  /**
   * Finds tracefs (/proc/mounts, /sys/kernel/tracing, /sys/kernel/debug/tracing) or mounts it.
   * `root` overrides the search (tests use a temp dir standing in for tracefs).
   * Throws TracefsError when not root, when tracefs is missing, or when it cannot be read.
   * First replays the undo journals of ftk processes that were killed (journal.ts), telling `warn`
   * (default: stderr) one line each.
   */
  static async open(options: { root?: string; warn?: (line: string) => void } = {}): Promise<Tracefs> {
    const root = options.root ?? (await locateTracefs());
    try {
      const st = await stat(root);
      if (!st.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
      await access(root, constants.R_OK | constants.X_OK);
    } catch (e) {
      const code = errnoOf(e);
      const why = code === "EACCES" || code === "EPERM" ? "not permitted: run ftk as root" : code === "ENOENT" ? "it does not exist" : String((e as Error).message);
      throw new TracefsError(`cannot open tracefs at '${root}': ${why}`, { code: code ?? "error", path: root, cause: e });
    }
    const fs = new Tracefs(root);
    const warn = options.warn ?? ((line: string) => process.stderr.write(`ftk: ${line}\n`));
    for (const line of await recoverStaleJournals(fs)) warn(line);
    return fs;
  }

  /** The unnamed top-level instance. */
  topInstance(): Instance {
    return new Instance(this, "");
  }

  /** An existing instance; throws TracefsError if `instances/<name>` does not exist. */
  instance(name: string): Instance {
    checkInstanceName(name);
    if (!existsSync(join(this.root, "instances", name))) {
      throw new TracefsError(`instance '${name}' does not exist (see 'ftk list -B')`, { code: "ENOENT", path: `instances/${name}` });
    }
    return new Instance(this, name);
  }

  /** True when `instances/<name>` exists. */
  hasInstance(name: string): boolean {
    return existsSync(join(this.root, "instances", name));
  }

  /** Creates `instances/<name>` and pushes its removal on undo. Throws if it already exists. */
  async createInstance(name: string, undo?: UndoStack): Promise<Instance> {
    checkInstanceName(name);
    const rel = `instances/${name}`;
    const drop = undo?.push(`remove instance '${name}'`, () => this.removeInstance(name), { step: { kind: "remove-instance", root: this.root, name } });
    try {
      await mkdir(join(this.root, rel));
    } catch (e) {
      drop?.();
      if (errnoOf(e) === "EEXIST") throw new TracefsError(`instance '${name}' already exists`, { code: "EEXIST", path: rel });
      if (errnoOf(e) === "ENOENT") throw new TracefsError("instances are not available on this kernel ('instances' is missing)", { code: "ENOENT", path: rel });
      throw tracefsError("write", rel, e);
    }
    return new Instance(this, name);
  }

  /** Removes `instances/<name>` (retries a few times while the kernel still reports it busy). */
  async removeInstance(name: string): Promise<void> {
    checkInstanceName(name);
    const rel = `instances/${name}`;
    for (let attempt = 0; ; attempt++) {
      try {
        await rmdir(join(this.root, rel));
        return;
      } catch (e) {
        if (errnoOf(e) === "ENOENT") return;
        if (errnoOf(e) === "EBUSY" && attempt < 20) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        throw new TracefsError(`cannot remove instance '${name}': ${errnoOf(e) === "EBUSY" ? "in use (a reader still has its files open)" : tracefsError("write", rel, e).message}`, { code: errnoOf(e) ?? "error", path: rel, cause: e });
      }
    }
  }

  /** Names of the instances under `instances/`, in directory order (empty when the kernel has none). */
  async listInstances(): Promise<string[]> {
    try {
      return await readdirInOrder(join(this.root, "instances"), true);
    } catch (e) {
      if (errnoOf(e) === "ENOENT") return [];
      throw tracefsError("read", "instances", e);
    }
  }

  /** Reads a control file (path relative to the tracing directory) until EOF. */
  async readFile(rel: string): Promise<string> {
    try {
      return await readWhole(join(this.root, rel));
    } catch (e) {
      throw tracefsError("read", rel, e);
    }
  }

  /** Reads a control file, or returns undefined when it does not exist on this kernel. */
  async findFile(rel: string): Promise<string | undefined> {
    try {
      return await readWhole(join(this.root, rel));
    } catch (e) {
      if (errnoOf(e) === "ENOENT") return undefined;
      throw tracefsError("read", rel, e);
    }
  }

  /** True when the control file exists. */
  hasFile(rel: string): boolean {
    return existsSync(join(this.root, rel));
  }

  /**
   * Writes text to a control file in one write (replacing, or appending with `append`).
   * EINVAL adds the instance's last error_log entry to the message.
   */
  async writeFile(rel: string, text: string, opts: { append?: boolean } = {}): Promise<void> {
    // Files whose EINVAL explains itself in error_log: remember the log first so only a new entry is quoted.
    const logged = /(?:filter|trigger|_events|set_ftrace_notrace|set_graph_\w+)$/.test(rel);
    const prefix = instancePrefix(rel);
    const logBefore = logged ? await this.#readErrorLog(prefix) : undefined;
    try {
      await writeWhole(join(this.root, rel), text, opts.append === true);
    } catch (e) {
      let kernelLog: string | undefined;
      if (logged && errnoOf(e) === "EINVAL") {
        const entries = parseErrorLog((await this.#readErrorLog(prefix)) ?? "");
        const last = entries[entries.length - 1];
        const previous = parseErrorLog(logBefore ?? "");
        const prevLast = previous[previous.length - 1];
        if (last !== undefined && (prevLast === undefined || last.raw !== prevLast.raw)) kernelLog = formatErrorLogEntry(last);
      }
      throw tracefsError("write", rel, e, { text, kernelLog });
    }
  }

  async #readErrorLog(prefix: string): Promise<string | undefined> {
    try {
      return await readWhole(join(this.root, prefix, "error_log"));
    } catch {
      return undefined;
    }
  }

  /** The last error_log entry of the top level (or of `instances/<name>/` when prefix is given), as one line. */
  async errorLogLast(prefix = ""): Promise<string | undefined> {
    const entries = parseErrorLog((await this.#readErrorLog(prefix)) ?? "");
    const last = entries[entries.length - 1];
    return last === undefined ? undefined : formatErrorLogEntry(last);
  }

  /** Tracers of `available_tracers`. */
  async availableTracers(): Promise<string[]> {
    return parseWords(await this.readFile("available_tracers"));
  }

  /** Every `system:event` of `available_events`, in the kernel's order. */
  async availableEvents(): Promise<{ system: string; event: string }[]> {
    return parseAvailableEvents(await this.readFile("available_events"));
  }

  /** Event systems (directories of `events/`), in the kernel's directory order. */
  async eventSystems(): Promise<string[]> {
    try {
      return await readdirInOrder(join(this.root, "events"), true);
    } catch (e) {
      throw tracefsError("read", "events", e);
    }
  }

  /**
   * Events named by a trace-cmd `-e` argument: "all", "system", "system:event", or "event", with `*`/`?` globs.
   * Throws TracefsError "event 'x' does not exist" when nothing matches. `available`: the events to match
   * (default: read now), for callers matching several specs (the file is slow to generate, ~5-10 ms).
   */
  async matchEvents(spec: string, available?: readonly { system: string; event: string }[]): Promise<{ system: string; event: string }[]> {
    const all = available !== undefined ? [...available] : await this.availableEvents();
    if (spec === "all" || spec === "*" || spec === "*:*") return all;
    const colon = spec.indexOf(":");
    let found: { system: string; event: string }[];
    if (colon >= 0) {
      const sys = globRegExp(spec.slice(0, colon) || "*");
      const ev = globRegExp(spec.slice(colon + 1) || "*");
      found = all.filter((e) => sys.test(e.system) && ev.test(e.event));
    } else {
      const re = globRegExp(spec);
      found = all.filter((e) => re.test(e.system));
      if (found.length === 0) found = all.filter((e) => re.test(e.event));
    }
    if (found.length === 0) {
      throw new TracefsError(`event '${spec}' does not exist (see 'ftk list -e')`, { code: "ENOENT", path: "available_events" });
    }
    return found;
  }

  /** Functions of `available_filter_functions` ("name" or "name [module]"); throws when filtering is not permitted. */
  async availableFilterFunctions(): Promise<string[]> {
    let text: string;
    try {
      text = await readWhole(join(this.root, "available_filter_functions"));
    } catch (e) {
      throw functionFilterError("available_filter_functions", e);
    }
    return text.split("\n").filter((l) => l !== "");
  }

  /** Throws TracefsError "function filtering is not permitted here (...)" unless set_ftrace_filter can be read. */
  async checkFilterFunctions(): Promise<void> {
    try {
      await readWhole(join(this.root, "set_ftrace_filter"));
    } catch (e) {
      throw functionFilterError("set_ftrace_filter", e);
    }
  }

  /** Throws the "tracer 'x' is not available on this kernel (available: ...)" error, with a hint of what works here. */
  async checkTracer(name: string): Promise<void> {
    const available = await this.availableTracers();
    if (available.includes(name)) return;
    const hint = /^function/.test(name) || !available.includes("function_graph") && name.includes("graph") ? TRACER_HINT : "";
    throw new TracefsError(`tracer '${name}' is not available on this kernel (available: ${available.join(" ")})${hint}`, { code: "ENOENT", path: "current_tracer" });
  }

  /** The file that takes definitions of dynamic events of this kind. */
  #dynamicEventsFile(line: string): string {
    if (this.hasFile("dynamic_events")) return "dynamic_events";
    const t = line.trim();
    return /^[pr]\d*:?\S*\s+\S+:(0x)?[0-9a-fA-F]+/.test(t) && t.includes("/") ? "uprobe_events" : "kprobe_events";
  }

  /** Adds a dynamic event (`p:grp/ev path:offset args`, ...) and pushes its removal on undo. */
  async addDynamicEvent(line: string, undo?: UndoStack): Promise<void> {
    const file = this.#dynamicEventsFile(line);
    const before = new Set(await this.listDynamicEvents());
    // The name as written ("p:grp/ev ..."), journaled before the write; a line without a group gets
    // the kernel's default group, found by comparing the lists after.
    const given = dynamicEventName(line);
    const pushRemoval = (name: string) =>
      undo?.push(`remove dynamic event '${name}'`, () => this.removeDynamicEvent(name), { step: { kind: "remove-dynamic-event", root: this.root, name } });
    const drop = given !== undefined && given.includes("/") ? pushRemoval(given) : undefined;
    try {
      await this.writeFile(file, line.endsWith("\n") ? line : line + "\n", { append: true });
    } catch (e) {
      drop?.();
      throw e;
    }
    if (drop !== undefined) return;
    const added = (await this.listDynamicEvents()).filter((l) => !before.has(l));
    for (const l of added) {
      const name = dynamicEventName(l);
      if (name !== undefined) pushRemoval(name);
    }
  }

  /** Removes one dynamic event by "group/event" (it must be disabled first, or the kernel answers "in use"); no-op if absent. */
  async removeDynamicEvent(groupEvent: string): Promise<void> {
    for (const file of this.#dynamicEventFiles()) {
      const text = (await this.findFile(file)) ?? "";
      if (text.split("\n").some((l) => dynamicEventName(l) === groupEvent)) {
        await this.writeFile(file, `-:${groupEvent}\n`, { append: true });
        return;
      }
    }
  }

  #dynamicEventFiles(): string[] {
    return this.hasFile("dynamic_events") ? ["dynamic_events"] : ["uprobe_events", "kprobe_events"].filter((f) => this.hasFile(f));
  }

  /** Lines of `dynamic_events` (or of `uprobe_events` + `kprobe_events` on kernels without it). */
  async listDynamicEvents(): Promise<string[]> {
    const files = this.#dynamicEventFiles();
    const out: string[] = [];
    for (const f of files) {
      const text = await this.findFile(f);
      if (text !== undefined) out.push(...text.split("\n").filter((l) => l.trim() !== ""));
    }
    return out;
  }

  /** `events/<system>/<event>/format`. */
  async eventFormat(system: string, event: string): Promise<string> {
    return this.readFile(`events/${system}/${event}/format`);
  }

  /** `events/header_page`. */
  headerPage(): Promise<string> {
    return this.readFile("events/header_page");
  }

  /** `events/header_event`. */
  headerEvent(): Promise<string> {
    return this.readFile("events/header_event");
  }

  /** /proc/kallsyms (addresses are zero unless root and kptr_restrict allows them). */
  async kallsyms(): Promise<string> {
    try {
      return await readWhole("/proc/kallsyms");
    } catch (e) {
      throw tracefsError("read", "/proc/kallsyms", e);
    }
  }

  /** `printk_formats`. */
  printkFormats(): Promise<string> {
    return this.readFile("printk_formats");
  }

  /** `saved_cmdlines`. */
  savedCmdlines(): Promise<string> {
    return this.readFile("saved_cmdlines");
  }

  /** `saved_tgids`. */
  savedTgids(): Promise<string> {
    return this.readFile("saved_tgids");
  }

  /** Number of CPUs with a `per_cpu/cpuN` directory (possible CPUs). */
  cpuCount(): number {
    if (this.#cpuCount === undefined) {
      try {
        this.#cpuCount = readdirSync(join(this.root, "per_cpu")).filter((n) => /^cpu\d+$/.test(n)).length;
      } catch {
        this.#cpuCount = 0;
      }
    }
    return this.#cpuCount;
  }
}

/** A whole-string RegExp for a shell-style glob (`*`, `?`, `[...]`). */
export function globRegExp(glob: string): RegExp {
  let re = "";
  for (const ch of glob) {
    if (ch === "*") re += ".*";
    else if (ch === "?") re += ".";
    else if (ch === "[" || ch === "]") re += ch;
    else re += ch.replace(/[\\^$.|+(){}]/g, "\\$&");
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    return new RegExp(`^${glob.replace(/[\\^$.|+(){}[\]*?]/g, "\\$&")}$`);
  }
}

/** The "instances/<name>/" prefix of a relative path, or "" for the top level. */
function instancePrefix(rel: string): string {
  const m = /^instances\/[^/]+\//.exec(rel);
  return m ? m[0] : "";
}

function checkInstanceName(name: string): void {
  if (name === "" || name.includes("/") || name === "." || name === "..") {
    throw new TracefsError(`bad instance name '${name}': use a plain directory name`, { code: "EINVAL" });
  }
}

function functionFilterError(file: string, e: unknown): TracefsError {
  const code = errnoOf(e);
  if (code === "EPERM" || code === "EACCES") {
    return new TracefsError(`function filtering is not permitted here (${file}: Operation not permitted)`, { code, path: file, cause: e });
  }
  if (code === "ENOENT") {
    return new TracefsError(`function filtering is not available on this kernel ('${file}' is missing)`, { code, path: file, cause: e });
  }
  return tracefsError("read", file, e);
}
