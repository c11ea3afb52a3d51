// One tracing instance (the top level is the instance with no name): tracer, events (enable, filter,
// trigger), options, clock, buffers, pid and function filters, per-CPU readers (tracefs-control.md §3).
// Every setter that takes an UndoStack reads the old value first and pushes the write that restores it.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { TracefsError } from "../base/index.js";
import { CpuReader } from "./cpu-reader.js";
import { TRACER_HINT, errnoOf, readdirInOrder, tracefsError } from "./io.js";
import { pageSizeFromHeaderPage, parseBufferSizeKb, parseCpuStats, parseFilter, parseTraceClock, parseTriggers, parseWords } from "./parse.js";
import type { Tracefs } from "./tracefs.js";
import type { UndoStack } from "./undo.js";

/** A tracing instance: `instances/<name>/`, or the tracing directory itself for the top level. */
export class Instance {
  /** The instance name, "" for the top level. */
  readonly name: string;
  /** Absolute path of the instance directory. */
  readonly path: string;
  readonly #fs: Tracefs;
  readonly #prefix: string;

  /** @internal Only for Tracefs; use fs.topInstance() / fs.instance(name). */
  constructor(fs: Tracefs, name: string) {
    this.#fs = fs;
    this.name = name;
    this.#prefix = name === "" ? "" : `instances/${name}/`;
    this.path = join(fs.root, this.#prefix);
  }

  /** The tracefs mount this instance belongs to. */
  get tracefs(): Tracefs {
    return this.#fs;
  }

  /** Path of `file` relative to the tracing directory ("instances/x/tracing_on"). */
  rel(file: string): string {
    return this.#prefix + file;
  }

  /** Reads a control file of this instance until EOF. */
  readFile(file: string): Promise<string> {
    return this.#fs.readFile(this.rel(file));
  }

  /** Reads a control file of this instance, or undefined when this kernel lacks it. */
  findFile(file: string): Promise<string | undefined> {
    return this.#fs.findFile(this.rel(file));
  }

  /** True when the control file exists in this instance. */
  hasFile(file: string): boolean {
    return this.#fs.hasFile(this.rel(file));
  }

  /** Writes a control file of this instance (EINVAL messages carry the error_log entry). */
  writeFile(file: string, text: string, opts: { append?: boolean } = {}): Promise<void> {
    return this.#fs.writeFile(this.rel(file), text, opts);
  }

  /** Writes `value` to `file` after saving the old content, and pushes the restore on undo. */
  async #set(file: string, value: string, undo: UndoStack | undefined, normalize: (old: string) => string = (o) => o.trim(), own = false): Promise<void> {
    const old = normalize(await this.readFile(file));
    const drop = this.#pushWrite(undo, `restore '${this.rel(file)}' to '${old}'`, file, old, own);
    try {
      await this.writeFile(file, value);
    } catch (e) {
      drop?.();
      throw e;
    }
  }

  /** Pushes (before the change, so that the journal has it) the write of `text` back to `file`. */
  #pushWrite(undo: UndoStack | undefined, description: string, file: string, text: string, own = false): (() => void) | undefined {
    return undo?.push(description, () => this.writeFile(file, text), { step: { kind: "write", root: this.#fs.root, file: this.rel(file), text }, own });
  }

  /** `tracing_on`. */
  async tracingOn(): Promise<boolean> {
    return (await this.readFile("tracing_on")).trim() === "1";
  }

  /** Writes `tracing_on`. */
  setTracingOn(on: boolean, undo?: UndoStack, options: { own?: boolean } = {}): Promise<void> {
    return this.#set("tracing_on", on ? "1" : "0", undo, undefined, options.own);
  }

  /** `current_tracer`. */
  async currentTracer(): Promise<string> {
    return (await this.readFile("current_tracer")).trim();
  }

  /** Writes `current_tracer` after checking `available_tracers` (clear error plus a hint when missing). */
  async setCurrentTracer(name: string, undo?: UndoStack): Promise<void> {
    await this.#fs.checkTracer(name);
    try {
      await this.#set("current_tracer", name, undo);
    } catch (e) {
      // 6.18 reference host: 'function' is listed but refused (EPERM, locked down); 'blk' is refused (EINVAL).
      if (!(e instanceof TracefsError) || (e.code !== "EPERM" && e.code !== "EINVAL")) throw e;
      const why = e.code === "EPERM" ? "is not permitted here (current_tracer: Operation not permitted)" : "was refused by the kernel (current_tracer: Invalid argument)";
      throw new TracefsError(`tracer '${name}' ${why}${name.startsWith("function") ? TRACER_HINT : ""}`, { code: e.code, path: this.rel("current_tracer"), cause: e });
    }
  }

  /** Throws "event 'sys:ev' does not exist" unless the event (or the system, without event) exists here. */
  checkEvent(system: string, event?: string): void {
    checkName(system, "system");
    if (event !== undefined) checkName(event, "event");
    const dir = event === undefined ? `events/${system}` : `events/${system}/${event}`;
    if (!this.hasFile(dir)) {
      const what = event === undefined ? `event system '${system}'` : `event '${system}:${event}'`;
      throw new TracefsError(`${what} does not exist (see 'ftk list -e')`, { code: "ENOENT", path: this.rel(dir) });
    }
  }

  #enableFile(system: string | undefined, event: string | undefined): string {
    if (system === undefined) return "events/enable";
    return event === undefined ? `events/${system}/enable` : `events/${system}/${event}/enable`;
  }

  /** Enables one event, or all events of `system` when event is undefined. */
  enableEvent(system: string, event: string | undefined, undo?: UndoStack): Promise<void> {
    return this.setEventEnable(system, event, true, undo);
  }

  /** Disables one event, or all events of `system` when event is undefined. */
  disableEvent(system: string, event: string | undefined, undo?: UndoStack): Promise<void> {
    return this.setEventEnable(system, event, false, undo);
  }

  /**
   * Writes an `enable` file: of one event, of a system (event undefined), or of all events (both undefined).
   * The undo restores exactly the events that were enabled before (from `set_event`).
   */
  async setEventEnable(system: string | undefined, event: string | undefined, on: boolean, undo?: UndoStack): Promise<void> {
    if (system !== undefined) this.checkEvent(system, event);
    const file = this.#enableFile(system, event);
    let drop: (() => void) | undefined;
    if (undo) {
      const before = await this.enabledEvents();
      const inScope = before.filter((e) => (system === undefined || e.system === system) && (event === undefined || e.event === event));
      const step = { kind: "events" as const, root: this.#fs.root, instance: this.name, file, enabled: inScope.map((e) => `${e.system}:${e.event}`) };
      drop = undo.push(`restore '${this.rel(file)}'`, async () => {
        await this.writeFile(file, "0");
        for (const e of inScope) await this.writeFile(`events/${e.system}/${e.event}/enable`, "1");
      }, { step });
    }
    try {
      await this.writeFile(file, on ? "1" : "0");
    } catch (e) {
      drop?.();
      throw e;
    }
  }

  /** Disables every event (`events/enable` = 0); the undo re-enables the ones that were on. */
  disableAllEvents(undo?: UndoStack): Promise<void> {
    return this.setEventEnable(undefined, undefined, false, undo);
  }

  /** Events listed in `set_event` (the enabled ones). */
  async enabledEvents(): Promise<{ system: string; event: string }[]> {
    const out: { system: string; event: string }[] = [];
    for (const line of (await this.readFile("set_event")).split("\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) out.push({ system: line.slice(0, colon), event: line.slice(colon + 1).trim() });
    }
    return out;
  }

  /** The event's filter, or undefined when it has none. */
  async eventFilter(system: string, event: string): Promise<string | undefined> {
    this.checkEvent(system, event);
    return parseFilter(await this.readFile(`events/${system}/${event}/filter`));
  }

  /**
   * Sets an event filter ("" or "0" clears it). On EINVAL the old filter is put back (the kernel leaves
   * its parse error in the file) and the error carries the error_log entry.
   */
  async setEventFilter(system: string, event: string, filter: string, undo?: UndoStack): Promise<void> {
    this.checkEvent(system, event);
    const file = `events/${system}/${event}/filter`;
    const old = parseFilter(await this.readFile(file));
    const drop = this.#pushWrite(undo, `restore filter of '${system}:${event}'`, file, old ?? "0");
    try {
      await this.writeFile(file, filter === "" ? "0" : filter);
    } catch (e) {
      drop?.();
      await this.writeFile(file, old ?? "0").catch(() => undefined);
      if (e instanceof TracefsError && e.code === "EINVAL") {
        // The kernel's parser rejected the text: a bad value given by the user (exit status 2).
        const detail = e.message.includes("(kernel: ") ? e.message.slice(e.message.indexOf("(kernel: ") + 9, -1) : "invalid filter";
        throw new TracefsError(`bad filter '${filter}' for event '${system}:${event}': ${detail}`, { code: "EINVAL", path: this.rel(file), cause: e, exitCode: 2 });
      }
      throw e;
    }
  }

  /** Installed triggers of an event (the "# Available triggers" comment is left out). */
  async eventTriggers(system: string, event: string): Promise<string[]> {
    this.checkEvent(system, event);
    return parseTriggers(await this.readFile(`events/${system}/${event}/trigger`));
  }

  /** Adds a trigger (`traceoff`, `stacktrace:5 if pid == 1`, ...) and pushes its removal on undo. */
  async addEventTrigger(system: string, event: string, trigger: string, undo?: UndoStack): Promise<void> {
    this.checkEvent(system, event);
    const file = `events/${system}/${event}/trigger`;
    const cmd = triggerRemoval(trigger);
    const bare = cmd.replace(/:\d+$/, "");
    const step = { kind: "append" as const, root: this.#fs.root, file: this.rel(file), text: `!${cmd}`, ...(bare !== cmd ? { fallback: `!${bare}` } : {}) };
    const drop = undo?.push(`remove trigger '${trigger}' of '${system}:${event}'`, () => this.removeEventTrigger(system, event, trigger), { step });
    try {
      await this.writeFile(file, trigger, { append: true });
    } catch (e) {
      drop?.();
      if (e instanceof TracefsError && e.code === "EINVAL") {
        const kernel = e.message.includes("(kernel: ") ? `: ${e.message.slice(e.message.indexOf("(kernel: ") + 9, -1)}` : "";
        const available = await this.#availableTriggers(system, event);
        throw new TracefsError(`bad trigger '${trigger}' for event '${system}:${event}'${kernel} (available commands: ${available.join(" ") || "unknown"})`, { code: "EINVAL", path: this.rel(file), cause: e, exitCode: 2 });
      }
      throw e;
    }
  }

  /** Trigger commands this kernel supports, from the comment of a trigger file that has no triggers. */
  async #availableTriggers(system: string, event: string): Promise<string[]> {
    const candidates = [event];
    try {
      candidates.push(...(await readdir(join(this.path, "events", system))).slice(0, 20));
    } catch {
      // only the event's own file
    }
    for (const ev of candidates) {
      const found = parseAvailableTriggers(await this.readFile(`events/${system}/${ev}/trigger`).catch(() => ""));
      if (found.length > 0) return found;
    }
    return [];
  }

  /** Removes one trigger, given as installed or as written (filter and count are ignored). */
  async removeEventTrigger(system: string, event: string, trigger: string): Promise<void> {
    const file = `events/${system}/${event}/trigger`;
    const cmd = triggerRemoval(trigger);
    try {
      await this.writeFile(file, `!${cmd}`, { append: true });
    } catch (e) {
      const bare = cmd.replace(/:\d+$/, "");
      if (bare === cmd) throw e;
      await this.writeFile(file, `!${bare}`, { append: true });
    }
  }

  /** Removes every trigger of an event (looping, since some must go in a given order). */
  async clearEventTriggers(system: string, event: string): Promise<void> {
    for (let round = 0; round < 16; round++) {
      const triggers = await this.eventTriggers(system, event);
      if (triggers.length === 0) return;
      for (const t of triggers.reverse()) await this.removeEventTrigger(system, event, t).catch(() => undefined);
    }
    const left = await this.eventTriggers(system, event);
    if (left.length > 0) throw new TracefsError(`cannot remove trigger '${left[0]}' of event '${system}:${event}'`, { code: "EBUSY" });
  }

  /** Throws "option 'x' is not available on this kernel" unless `options/<name>` exists. */
  checkOption(name: string): void {
    checkName(name, "option");
    if (!this.hasFile(`options/${name}`)) {
      throw new TracefsError(`option '${name}' is not available on this kernel (see 'ftk list -o')`, { code: "ENOENT", path: this.rel(`options/${name}`) });
    }
  }

  /** Sets `options/<name>`. */
  async setOption(name: string, on: boolean, undo?: UndoStack): Promise<void> {
    this.checkOption(name);
    await this.#set(`options/${name}`, on ? "1" : "0", undo);
  }

  /** Every option of `options/` with its value, in directory order. */
  async options(): Promise<Map<string, boolean>> {
    let names: string[];
    try {
      names = await readdirInOrder(join(this.path, "options"));
    } catch (e) {
      throw tracefsError("read", this.rel("options"), e);
    }
    const values = await Promise.all(names.map((n) => this.readFile(`options/${n}`)));
    return new Map(names.map((n, i) => [n, values[i]!.trim() === "1"]));
  }

  /** `trace_clock`: the current clock and all available ones. */
  async traceClock(): Promise<{ current: string; available: string[] }> {
    return parseTraceClock(await this.readFile("trace_clock"));
  }

  /** Throws "clock 'x' is not available on this kernel (available: ...)" unless trace_clock lists it. */
  async checkClock(clock: string): Promise<void> {
    const { available } = await this.traceClock();
    if (!available.includes(clock)) {
      throw new TracefsError(`clock '${clock}' is not available on this kernel (available: ${available.join(" ")})`, { code: "ENOENT", path: this.rel("trace_clock") });
    }
  }

  /** Writes `trace_clock` (after checking it exists; switching clocks clears the buffer). */
  async setTraceClock(clock: string, undo?: UndoStack): Promise<void> {
    await this.checkClock(clock);
    await this.#set("trace_clock", clock, undo, (o) => parseTraceClock(o).current);
  }

  /** Per-CPU buffer size in KiB (the expanded size when the buffer is not allocated yet). */
  async bufferSizeKb(): Promise<number> {
    return parseBufferSizeKb(await this.readFile("buffer_size_kb"));
  }

  /** Writes `buffer_size_kb` (per CPU). */
  async setBufferSizeKb(kb: number, undo?: UndoStack): Promise<void> {
    if (!Number.isInteger(kb) || kb <= 0) throw new TracefsError(`bad buffer size '${kb}': give a positive number of KiB`, { code: "EINVAL" });
    await this.#set("buffer_size_kb", String(kb), undo, (o) => String(parseBufferSizeKb(o)));
  }

  /**
   * Pushes the undo of changing `buffer_size_kb` from `oldKb` and returns the write of `kb`, to run later:
   * a resize waits for the kernel, and the caller overlaps it with other work. The undo takes its place in
   * the stack now, below what is pushed before the write runs.
   */
  deferBufferSizeKb(kb: number, oldKb: number, undo: UndoStack): () => Promise<void> {
    if (!Number.isInteger(kb) || kb <= 0) throw new TracefsError(`bad buffer size '${kb}': give a positive number of KiB`, { code: "EINVAL" });
    this.#pushWrite(undo, `restore '${this.rel("buffer_size_kb")}' to '${oldKb}'`, "buffer_size_kb", String(oldKb));
    return () => this.writeFile("buffer_size_kb", String(kb));
  }

  /** `buffer_percent`. */
  async bufferPercent(): Promise<number> {
    return Number((await this.readFile("buffer_percent")).trim());
  }

  /** Writes `buffer_percent` (0-100). */
  async setBufferPercent(p: number, undo?: UndoStack): Promise<void> {
    if (!Number.isInteger(p) || p < 0 || p > 100) throw new TracefsError(`bad buffer percent '${p}': give 0 to 100`, { code: "EINVAL" });
    await this.#set("buffer_percent", String(p), undo);
  }

  /** Replaces a pid or function list file; the undo writes the old list back. */
  async #setList(file: string, words: readonly string[], undo: UndoStack | undefined, onError?: (e: unknown) => Error, own = false): Promise<void> {
    let old: string[];
    try {
      old = parseWords((await this.readFile(file)).replace(/^#.*$/gm, "").replace(/^no pid$/m, ""));
    } catch (e) {
      throw onError ? onError(e) : e;
    }
    const drop = this.#pushWrite(undo, `restore '${this.rel(file)}'`, file, old.join(" "), own);
    try {
      await this.writeFile(file, words.join(" "));
    } catch (e) {
      drop?.();
      if (words.length > 0) await this.writeFile(file, old.join(" ")).catch(() => undefined);
      throw onError ? onError(e) : e;
    }
  }

  /** Replaces a pid list file (`set_event_notrace_pid`, ...); `own` marks ftk's own bookkeeping (undone even with -k). */
  setPidList(file: "set_event_pid" | "set_event_notrace_pid" | "set_ftrace_pid" | "set_ftrace_notrace_pid", pids: readonly number[], undo?: UndoStack, options: { own?: boolean } = {}): Promise<void> {
    return this.#setList(file, pids.map(String), undo, undefined, options.own);
  }

  /** `set_event_pid` as numbers. */
  async eventPids(): Promise<number[]> {
    return parseWords(await this.readFile("set_event_pid")).map(Number);
  }

  /** Replaces `set_event_pid` (an empty list clears it). */
  setEventPids(pids: readonly number[], undo?: UndoStack): Promise<void> {
    return this.#setList("set_event_pid", pids.map(String), undo);
  }

  /** Replaces `set_ftrace_pid` (function tracers). */
  setFtracePids(pids: readonly number[], undo?: UndoStack): Promise<void> {
    return this.#setList("set_ftrace_pid", pids.map(String), undo, (e) => functionFileError("set_ftrace_pid", e));
  }

  /** Replaces `set_ftrace_filter` (names, globs, `:mod:`); throws "not permitted" where function tracing is locked down. */
  setFtraceFilter(funcs: readonly string[], undo?: UndoStack): Promise<void> {
    return this.#setList("set_ftrace_filter", funcs, undo, (e) => functionFileError("set_ftrace_filter", e));
  }

  /** Replaces `set_ftrace_notrace`. */
  setFtraceNotrace(funcs: readonly string[], undo?: UndoStack): Promise<void> {
    return this.#setList("set_ftrace_notrace", funcs, undo, (e) => functionFileError("set_ftrace_notrace", e));
  }

  /** Replaces `set_graph_function` (function_graph only). */
  setGraphFunction(funcs: readonly string[], undo?: UndoStack): Promise<void> {
    return this.#setList("set_graph_function", funcs, undo, (e) => functionFileError("set_graph_function", e));
  }

  /** Replaces `set_graph_notrace` (function_graph only). */
  setGraphNotrace(funcs: readonly string[], undo?: UndoStack): Promise<void> {
    return this.#setList("set_graph_notrace", funcs, undo, (e) => functionFileError("set_graph_notrace", e));
  }

  /** Writes `max_graph_depth` (function_graph only; 0 = unlimited). */
  async setMaxGraphDepth(n: number, undo?: UndoStack): Promise<void> {
    if (!this.hasFile("max_graph_depth")) throw new TracefsError("'max_graph_depth' is not available on this kernel (no function_graph tracer)", { code: "ENOENT" });
    await this.#set("max_graph_depth", String(n), undo);
  }

  /** Writes `tracing_cpumask` (hex mask, comma every 32 bits). */
  async setCpumask(mask: string, undo?: UndoStack): Promise<void> {
    await this.#set("tracing_cpumask", mask, undo);
  }

  /** Clears the ring buffer (opens `trace` with O_TRUNC). */
  clearTrace(): Promise<void> {
    return this.writeFile("trace", "");
  }

  /** Sub-buffer size: `buffer_subbuf_size_kb` where the kernel has it (6.8+), else from `events/header_page`. */
  async pageSize(): Promise<number> {
    const kb = await this.findFile("buffer_subbuf_size_kb");
    if (kb !== undefined && /^\d+\s*$/.test(kb)) return Number(kb.trim()) * 1024;
    try {
      return pageSizeFromHeaderPage(await this.#fs.headerPage());
    } catch (e) {
      if (e instanceof TracefsError) throw e;
      throw new TracefsError(`cannot read the page size from 'events/header_page': ${(e as Error).message}`, { code: "bad-header-page" });
    }
  }

  /** Opens `per_cpu/cpuN/trace_pipe_raw` non-blocking. */
  async cpuReader(cpu: number): Promise<CpuReader> {
    const rel = this.rel(`per_cpu/cpu${cpu}/trace_pipe_raw`);
    return CpuReader.open(join(this.#fs.root, rel), rel, cpu, await this.pageSize());
  }

  /** `per_cpu/cpuN/stats` text. */
  cpuStats(cpu: number): Promise<string> {
    return this.readFile(`per_cpu/cpu${cpu}/stats`);
  }

  /**
   * Unread bytes in one CPU's ring buffer (`bytes:` of per_cpu/cpuN/stats). A recorder can skip reading
   * while this is under a page, so non-blocking reads do not take many small partial pages.
   */
  async cpuBufferedBytes(cpu: number): Promise<number> {
    const v = parseCpuStats(await this.cpuStats(cpu)).get("bytes");
    return v === undefined ? 0 : Number(v);
  }

  /** Number of CPUs (per_cpu directories). */
  cpuCount(): number {
    return this.#fs.cpuCount();
  }
}

/** The removal text of a trigger: without " if filter", ":unlimited" or ":count=N". */
export function triggerRemoval(trigger: string): string {
  let t = trigger.trim();
  const ifPos = t.indexOf(" if ");
  if (ifPos >= 0) t = t.slice(0, ifPos);
  return t.replace(/ \[[a-z]+\]$/, "").replace(/:unlimited$/, "").replace(/:count=\d+$/, "").trim();
}

/** Commands listed in the "# Available triggers:" comment of an empty trigger file. */
export function parseAvailableTriggers(text: string): string[] {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => l.startsWith("# Available triggers"));
  return i >= 0 ? parseWords((lines[i + 1] ?? "").replace(/^#/, "")) : [];
}

function checkName(name: string, what: string): void {
  if (name === "" || name.includes("/") || name === "." || name === "..") {
    throw new TracefsError(`bad ${what} name '${name}'`, { code: "EINVAL" });
  }
}

function functionFileError(file: string, e: unknown): Error {
  const code = e instanceof TracefsError ? e.code : errnoOf(e);
  if (code === "EPERM" || code === "EACCES") return new TracefsError(`function filtering is not permitted here (${file}: Operation not permitted)`, { code, path: file, cause: e });
  if (code === "ENOENT") return new TracefsError(`'${file}' is not available on this kernel`, { code, path: file, cause: e });
  return e instanceof Error ? e : new Error(String(e));
}
