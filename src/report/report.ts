// writeReport(): `trace-cmd report` 3.1.6 text for one or more trace.dat files (report-output.md).
// The loop merges the per-CPU streams of every file and buffer instance itself (a linear scan, earliest
// slot first on equal timestamps, as tracecmd_iterate_events_multi), because function_graph leaves
// look ahead only within the current file/instance (tracecmd_peek_next_data on the current handle).
import { FtkError, UsageError, type TextOutput } from "../base/index.js";
import { EventPrinter, type EventTable } from "../events/index.js";
import type { compileEventFilter } from "./filters.js";
import type { RawRecord } from "../ringbuf/index.js";
import { OPTION, openTrace, type CpuStream, type TraceFile } from "../tracedat/index.js";
import {
  FunctionNames,
  bindFuncGraphFields,
  writeGraphEntry,
  writeGraphExit,
  writeGraphLeaf,
  type FuncGraphFields,
} from "./funcgraph.js";
import { padLeft, spaces } from "./digits.js";
import { TRACE_FLAG_HARDIRQ, TRACE_FLAG_SOFTIRQ, UNKNOWN_EVENT, missedEventsLine } from "./line-parts.js";
import { LineFormatter, fileTimestampStyle, hasOption, trimEventText } from "./line-formatter.js";
import { StreamMerge } from "./stream-merge.js";
import { pluginOptionMap, pluginOptionSet, type RecordSink, type ReportFilter, type ReportInput, type ReportOptions } from "./options.js";
import { TimestampFormatter, TsDiffColumn, type TimestampStyle } from "./timestamps.js";
import { findUfuncEvents, hasUfuncgraphProbes, writeUfuncgraph } from "./ufuncgraph.js";
// Loaded by dynamic import() where the options ask for them (issue 11: start-up): the file listings,
// -F filters, -w and --event.

/** Page size of this host for `-p` (x86_64 and most arm64 kernels; Node cannot ask getpagesize()). */
const HOST_PAGE_SIZE = 4096;
/** `--check-events` status when a format does not parse (trace-cmd exits with EINVAL). */
const EINVAL = 22;

const NEWLINE = Buffer.from([10]);

/** One opened input file and what is shared by its buffers (event table, task names). */
interface InputFile {
  path: string;
  /** Base name used in line prefixes with several inputs. */
  baseName: string;
  trace: TraceFile;
  filters: ReportFilter[];
}

/** Per-file state shared by its buffers: columns, function_graph fields, function names. */
interface FileState {
  line: LineFormatter;
  fgraph: FuncGraphFields | undefined;
  functionNames: FunctionNames;
}

/** A trace-cmd "handle": the top buffer or one instance of one file. */
interface Handle {
  file: InputFile;
  /** The file's printer (one per file; made only when events are printed, not for the listings). */
  printer: EventPrinter;
  state: FileState;
  bufferIndex: number;
  /** Prefix for event lines ("" when none is printed). */
  prefix: string;
  /** `--ts-diff` counts µs for files that name their clock (and without -t). */
  tsDiffUsecs: boolean;
  /** Compiled `-F` filters (undefined: every event passes). */
  positive: ((rec: RawRecord) => boolean) | undefined;
  negative: ((rec: RawRecord) => boolean) | undefined;
  /** Per CPU: was the last event that passed the positive filters shown (stack-trace rule, §7.1). */
  lastPrinted: Uint8Array;
  kernelStackId: number;
  userStackId: number;
  /** Merge slots of this handle's CPUs. */
  slots: number[];
  /** Takes the shown records instead of the output (`--profile`: trace-cmd keeps one profile per handle). */
  sink: RecordSink | undefined;
}

function baseName(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? path : path.slice(i + 1);
}

function inputOf(x: string | ReportInput): ReportInput {
  return typeof x === "string" ? { path: x } : x;
}

function eventIdOf(table: EventTable, system: string, name: string): number {
  for (const ev of table.all()) if (ev.system === system && ev.name === name) return ev.id;
  return -1;
}

/** Pids that saved_cmdlines names `comm`, in file order. */
function pidsOfComm(savedCmdlines: string, comm: string): string[] {
  const pids: string[] = [];
  for (const line of savedCmdlines.split("\n")) {
    const sp = line.indexOf(" ");
    if (sp > 0 && line.slice(sp + 1) === comm) pids.push(line.slice(0, sp));
  }
  return pids;
}

/**
 * The `--pid`/`--comm` filter text for the first input, or undefined without pids. As trace-cmd 3.1.6
 * (make_pid_filter): comm names are looked up in the first file's saved cmdlines only, a name that is not
 * there is a warning, and the pids end up in reverse order of the command line.
 */
async function pidFilterOf(first: InputFile, options: ReportOptions): Promise<string | undefined> {
  if ((options.pids ?? []).length === 0 && (options.comms ?? []).length === 0) return undefined;
  const { pidFilterText } = await import("./filters.js");
  const pids = [...(options.pids ?? [])];
  for (const comm of [...(options.comms ?? [])].reverse()) {
    const found = pidsOfComm(first.trace.savedCmdlines, comm);
    if (found.length === 0) (options.onWarning ?? defaultWarning)(`comm '${comm}' not in the saved cmdlines of '${first.path}'`);
    pids.push(...found);
  }
  return pids.length === 0 ? undefined : pidFilterText(pids.reverse());
}

/** One case-insensitive regex for `-r`/`-n` texts, each anchored as trace-cmd does ("^TEXT$"). */
function eventRegex(texts: readonly string[] | undefined): RegExp | undefined {
  if (texts === undefined || texts.length === 0) return undefined;
  try {
    return new RegExp(texts.map((t) => `^(?:${t})$`).join("|"), "i");
  } catch {
    throw new UsageError(`cannot parse '${texts.join("', '")}' as a regular expression of event names`);
  }
}

function defaultWarning(message: string): void {
  process.stderr.write(`ftk: warning: ${message}\n`);
}

/** Opens every input; closes the ones already open if one fails. */
async function openInputs(options: ReportOptions): Promise<InputFile[]> {
  const inputs = options.inputs.length > 0 ? options.inputs.map(inputOf) : [{ path: "trace.dat" }];
  const files: InputFile[] = [];
  try {
    for (const input of inputs) {
      const trace = await openTrace(input.path, {
        ...(input.tsOffset !== undefined ? { tsOffset: input.tsOffset } : {}),
        ...((input.ts2secsHz ?? options.ts2secsHz) !== undefined ? { ts2secsHz: input.ts2secsHz ?? options.ts2secsHz } : {}),
        ...(options.rawTs ? { rawTs: true } : {}),
        ...(options.noDate ? { noDate: true } : {}),
        ...(options.onWarning !== undefined ? { onWarning: options.onWarning } : {}),
        ...(options.extraKallsyms !== undefined ? { extraKallsyms: options.extraKallsyms } : {}),
      });
      const filters: ReportFilter[] = [
        ...(options.filters ?? []).map((text) => ({ text, invert: options.invertFilter === true })),
        ...(input.filters ?? []),
      ];
      files.push({ path: input.path, baseName: baseName(input.path), trace, filters });
    }
    const pidFilter = await pidFilterOf(files[0]!, options);
    if (pidFilter !== undefined) files[0]!.filters.push({ text: pidFilter, invert: false });
  } catch (e) {
    await Promise.all(files.map((f) => f.trace.close()));
    throw e;
  }
  return files;
}

/**
 * Writes the `trace-cmd report` text for `options.inputs` to `out` (event lines, or the file information
 * selected by the options); stops early when `signal` aborts or the reader of `out` goes away.
 * @example
 * const out = new TextOutput(process.stdout);
 * await writeReport({ inputs: ["trace.dat"], cpus: [0] }, out);
 * await out.flush();
 */
export async function writeReport(options: ReportOptions, out: TextOutput, signal?: AbortSignal): Promise<number> {
  const files = await openInputs(options);
  try {
    // trace-cmd answers these for the first file before anything else.
    const first = files[0]!.trace;
    if (options.pageSizeInfo) {
      out.write(`file page size is ${first.pageSize}, and host page size is ${HOST_PAGE_SIZE}\n`);
      return 0;
    }
    if (options.endian) {
      // node:os is loaded for -e only (issue 11: each builtin imported by an ES module costs start-up).
      const { endianness } = await import("node:os");
      out.write(`file is ${first.littleEndian ? "little" : "big"} endian and host is ${endianness() === "LE" ? "little" : "big"} endian\n`);
      return 0;
    }
    if (options.eventFormats !== undefined) {
      (await import("./event-formats.js")).writeEventFormats(first, options.eventFormats, out);
      return 0;
    }
    if (options.checkEvents) {
      const formats = first.ftraceFormats.length + first.eventFormats.length;
      return [...first.events.all()].length < formats ? EINVAL : 0;
    }
    // Listings that trace-cmd prints for the first file only, in its order of precedence.
    if (options.functions || options.printkFormats || options.eventList) {
      await (await import("./file-info.js")).writeFileInfo(files[0]!.trace, options.functions ? "functions" : options.printkFormats ? "printk" : "events", out);
      return 0;
    }
    if (options.cpuList || options.firstEvent || options.lastEvent) {
      const { writeCpuList } = await import("./file-info.js");
      for (const f of files) {
        if (signal?.aborted || out.isClosed) break;
        await writeCpuList(f.trace, f.path, out, {
          first: options.firstEvent === true,
          last: options.lastEvent === true,
          timestamps: new TimestampFormatter(styleFor(f.trace, options), f.trace.dateSecs),
        });
      }
      return 0;
    }
    const info = options.stat || options.uname || options.version;
    const explicitGraph = options.ufuncgraph === true || options.ufuncSummary === true;
    if (explicitGraph || (!info && !options.raw && !options.events && files.some((f) => hasUfuncgraphProbes(f.trace)))) {
      await writeUfuncgraphFiles(files, options, out);
      return 0;
    }
    await writeEvents(files, options, out, signal);
    return 0;
  } finally {
    await Promise.all(files.map((f) => f.trace.close()));
  }
}

/**
 * The uprobe call tree (or `--summary` table) of every input in turn, of the records that pass the
 * file's `-F` filters and `--cpu`; with several inputs each line starts with the file's name.
 */
async function writeUfuncgraphFiles(files: InputFile[], options: ReportOptions, out: TextOutput): Promise<void> {
  if (!files.some((f) => findUfuncEvents(f.trace).size > 0)) {
    const which = files.length === 1 ? `'${files[0]!.path}' holds` : "none of the inputs holds";
    throw new FtkError(`${which} no uprobe entry/return events: record them with 'ftk record -p ufuncgraph -x BINARY -g GLOB'`, { code: "no-ufuncgraph" });
  }
  const multi = files.length > 1;
  const width = Math.max(...files.map((f) => f.baseName.length));
  const cpus = options.cpus !== undefined && options.cpus.length > 0 ? new Set(options.cpus) : undefined;
  const summary = options.ufuncSummary === true;
  const tailprint = pluginOptionSet(options.pluginOptions, ["fgraph"], "tailprint");
  const compile = await filterCompiler(files);
  for (const f of files) {
    const positive = compileFilters(f.trace, f.filters, false, compile);
    const negative = compileFilters(f.trace, f.filters, true, compile);
    const accept = (rec: RawRecord): boolean =>
      (cpus === undefined || cpus.has(rec.cpu)) && (positive === undefined || positive(rec)) && (negative === undefined || !negative(rec));
    if (multi && summary) out.write(f.baseName + ":\n");
    await writeUfuncgraph(f.trace, out, { summary, tailprint, accept, ...(multi && !summary ? { prefix: prefixText(f.baseName, width) } : {}) });
    if (out.isClosed) return;
  }
}

function styleFor(trace: TraceFile, options: ReportOptions): TimestampStyle {
  return fileTimestampStyle(trace, options);
}

/** compileEventFilter() when some input has `-F` filters (the filter language is loaded only then). */
async function filterCompiler(files: InputFile[]): Promise<typeof compileEventFilter | undefined> {
  return files.some((f) => f.filters.length > 0) ? (await import("./filters.js")).compileEventFilter : undefined;
}

/** One predicate for the positive (or negative) `-F` filters of a file: any of them matching is a match. */
function compileFilters(
  trace: TraceFile,
  filters: ReportFilter[],
  invert: boolean,
  compile: typeof compileEventFilter | undefined,
): ((rec: RawRecord) => boolean) | undefined {
  const texts = filters.filter((f) => f.invert === invert).map((f) => f.text);
  if (texts.length === 0 || compile === undefined) return undefined;
  return compile(trace.events, texts, { tasks: trace.tasks, kallsyms: trace.kallsymsTable });
}

async function writeEvents(files: InputFile[], options: ReportOptions, out: TextOutput, signal?: AbortSignal): Promise<void> {
  const pluginOptions = pluginOptionMap(options.pluginOptions);
  const noHandler = eventRegex(options.noHandlerEvents);
  const rawEvents = eventRegex(options.rawEvents);
  /** Per file and event id: does -r name it (cached, undefined until asked). */
  const rawById = new Map<InputFile, (boolean | undefined)[]>();
  const printers = new Map<InputFile, EventPrinter>();
  const printerOf = (f: InputFile): EventPrinter => {
    let p = printers.get(f);
    if (p === undefined) {
      const t = f.trace;
      p = new EventPrinter(t.events, { kallsyms: t.kallsymsTable, printk: t.printk, tasks: t.tasks }, {
        plugins: !options.noPlugins,
        pluginOptions,
        onWarning: options.onWarning ?? defaultWarning,
        ...(noHandler !== undefined ? { disabledHandlers: noHandler } : {}),
      });
      printers.set(f, p);
    }
    return p;
  };
  const multi = files.length > 1;
  const latency = options.latency === true;
  const raw = options.raw === true;
  // Prefix widths grow as trace-cmd adds handles: input base names first, then instance names.
  let width = multi ? Math.max(...files.map((f) => f.baseName.length)) : 0;
  let instances = 0;
  const handleList: { file: InputFile; bufferIndex: number; name: string | undefined }[] = [];
  for (const f of files) handleList.push({ file: f, bufferIndex: 0, name: multi ? f.baseName : undefined });

  const info = (f: InputFile, text: string): void => {
    if (multi || instances > 0) out.write(prefixText(multi ? f.baseName : undefined, width));
    out.write(text);
  };
  const compile = await filterCompiler(files);
  for (const f of files) {
    const trace = f.trace;
    if (options.testFilters && f.filters.length > 0) {
      // -T: the filters of the first input that has any, as libtraceevent rebuilds them; nothing else.
      compileFilters(trace, f.filters, false, compile);
      compileFilters(trace, f.filters, true, compile);
      const { filterTestLines } = await import("./filters.js");
      for (const filter of f.filters) out.write(filterTestLines(trace.events, filter.text));
      return;
    }
    info(f, "cpus=" + trace.cpus + "\n");
    if (trace.latencyText !== undefined) {
      if (multi) throw new UsageError(`latency traces do not work with several inputs: '${f.path}' is one`);
      out.write(trace.latencyText + "\n");
      return;
    }
    if (options.stat || options.uname || options.version) {
      await (await import("./file-info.js")).writeFileInfo(trace, options.version ? "version" : options.uname ? "uname" : "stat", out);
      continue;
    }
    instances = trace.buffers.length - 1;
    for (let b = 1; b < trace.buffers.length; b++) {
      const name = baseName(trace.buffers[b]!.name);
      width = Math.max(width, name.length);
      handleList.push({ file: f, bufferIndex: b, name });
    }
  }
  if (options.stat || options.uname || options.version) return;
  const printPrefix = multi || instances > 0;

  // Handles and their CPU slots, in trace-cmd's order.
  const streams: CpuStream[] = [];
  const slotHandle: Handle[] = [];
  const states = new Map<InputFile, FileState>();
  const fgraphOn = !options.noPlugins && !raw;
  // -n on a function_graph event (or on ftrace) turns off trace-cmd's own handler for that event.
  const handled = (name: string): boolean => noHandler === undefined || !(noHandler.test(name) || noHandler.test("ftrace"));
  const fgEntryOn = handled("funcgraph_entry");
  const fgExitOn = handled("funcgraph_exit");
  const tailprint = pluginOptionSet(options.pluginOptions, ["fgraph"], "tailprint");
  const showDepth = pluginOptionSet(options.pluginOptions, ["fgraph"], "depth");
  for (const h of handleList) {
    const trace = h.file.trace;
    let state = states.get(h.file);
    if (!state) {
      state = {
        line: new LineFormatter(trace, { latency, raw, timestamps: styleFor(trace, options), baseSecs: options.alignTs ? 0 : trace.dateSecs, color: options.color === true }),
        fgraph: fgraphOn ? bindFuncGraphFields(trace.events) : undefined,
        functionNames: new FunctionNames(trace.kallsymsTable),
      };
      states.set(h.file, state);
    }
    const table = trace.events;
    const handle: Handle = {
      file: h.file,
      printer: printerOf(h.file),
      state,
      bufferIndex: h.bufferIndex,
      prefix: printPrefix ? prefixText(h.name, width) : "",
      tsDiffUsecs: hasOption(trace, OPTION.TRACECLOCK) && !options.nsTimestamps,
      positive: compileFilters(trace, h.file.filters, false, compile),
      negative: compileFilters(trace, h.file.filters, true, compile),
      lastPrinted: new Uint8Array(Math.max(trace.cpus, 1) + 1024),
      kernelStackId: eventIdOf(table, "ftrace", "kernel_stack"),
      userStackId: eventIdOf(table, "ftrace", "user_stack"),
      slots: [],
      sink: options.recordSinks?.(trace, { bufferIndex: h.bufferIndex, name: h.bufferIndex > 0 ? h.name : undefined }),
    };
    const cpus = [...trace.buffers[h.bufferIndex]!.cpus].sort((a, b) => a.cpu - b.cpu);
    for (const c of cpus) {
      handle.slots.push(streams.length);
      streams.push(trace.cpuStream(h.bufferIndex, c.cpu));
      slotHandle.push(handle);
    }
  }
  const merge = await StreamMerge.open(streams);

  let alignBase = 0;
  if (options.alignTs) {
    let first = -1;
    for (let i = 0; i < streams.length; i++) {
      const ts = streams[i]!.record.ts;
      if (merge.alive[i] && slotHandle[i]!.bufferIndex === 0 && (first < 0 || ts < first)) first = ts;
    }
    alignBase = first < 0 ? 0 : first;
  }

  const tsCheck = options.tsCheck === true;
  const boundary = options.boundary === true;
  const warn = options.onWarning ?? defaultWarning;
  let lastTs = 0;
  if (options.wakeup && multi) throw new UsageError("wakeup latency (-w) works on one input file only");
  const wakeup = options.wakeup ? (await import("./wakeup-latency.js")).WakeupLatency.create(files[0]!.trace.events) : undefined;
  const cpuFilter = options.cpus !== undefined && options.cpus.length > 0 ? new Set(options.cpus) : undefined;
  const tsDiff = options.tsDiff ? new TsDiffColumn() : undefined;
  const noIrqs = options.noIrqs === true;
  const noSoftirqs = options.noSoftirqs === true;

  for (;;) {
    const best = merge.pick();
    if (best < 0) break;
    const handle = slotHandle[best]!;
    const state = handle.state;
    const line = state.line;
    const printer = handle.printer;
    const rec = streams[best]!.record;

    let show = true;
    // -F / -v filters with the stack-trace exception (libtracecmd tracecmd_filter_match).
    if (handle.positive !== undefined || handle.negative !== undefined) {
      if (handle.positive !== undefined && !handle.positive(rec)) {
        const id = line.eventOf(rec)?.id ?? -1;
        show = (id === handle.kernelStackId || id === handle.userStackId) && handle.lastPrinted[rec.cpu] === 1;
      }
      if (show) {
        const hidden = handle.negative !== undefined && handle.negative(rec);
        handle.lastPrinted[rec.cpu] = hidden ? 0 : 1;
        show = !hidden;
      }
    }
    if (show && cpuFilter !== undefined && !cpuFilter.has(rec.cpu)) show = false;
    if (show && (noIrqs || noSoftirqs)) {
      const flags = line.flags(rec);
      if ((noIrqs && flags & TRACE_FLAG_HARDIRQ) || (noSoftirqs && flags & TRACE_FLAG_SOFTIRQ)) show = false;
    }

    let advanced = false;
    if (show && tsCheck) {
      if (lastTs > rec.ts) warn(`record on cpu ${rec.cpu} went backwards: ${lastTs} to ${rec.ts} delta: -${lastTs - rec.ts}`);
      lastTs = rec.ts;
    }
    if (show && handle.sink !== undefined) {
      handle.sink.record(rec);
    } else if (show) {
      // Written piece by piece into the output's buffer: no line string is built (the hot loop of a report).
      const event = line.eventOf(rec);
      if (handle.prefix !== "") out.write(handle.prefix);
      if (rec.missedEvents !== 0) out.write(missedEventsLine(rec.cpu, rec.missedEvents));
      if (boundary && rec.atPageStart === true) out.write(`CPU:${rec.cpu} [SUBBUFFER START]\n`);
      const ts = rec.ts - alignBase;
      if (event !== undefined && tsDiff === undefined) line.writeColumns(rec, ts, event, out);
      else {
        if (event === undefined) out.write(line.unknownColumns(rec));
        else {
          line.writeTaskColumns(rec, out);
          line.timestamps.writeColumn(ts, out);
        }
        if (tsDiff !== undefined) out.write(tsDiff.column(ts, handle.tsDiffUsecs));
        line.writeNameColumn(event, out);
      }
      const fg = state.fgraph;
      let rawEvent = raw;
      if (!raw && rawEvents !== undefined && event !== undefined) {
        let cache = rawById.get(handle.file);
        if (cache === undefined) rawById.set(handle.file, (cache = []));
        rawEvent = cache[event.id] ??= rawEvents.test(event.name) || rawEvents.test(event.system);
      }
      if (event === undefined) {
        out.write(UNKNOWN_EVENT);
      } else if (rawEvent) {
        out.write(trimEventText(printer.rawText(rec)));
      } else if (fg !== undefined && event.id === fg.entryId && fgEntryOn) {
        // Leaf detection: is the next record of this handle the matching exit? (trace-ftrace.c)
        const pid = fg.pid(rec);
        const lo = fg.entryFuncLo(rec);
        const hi = fg.entryFuncHi(rec);
        const depth = fg.entryDepth(rec);
        if (!merge.advanceSync(best)) await merge.advance(best);
        advanced = true;
        const next = merge.pickAmong(handle.slots);
        const exit = next < 0 ? undefined : streams[next]!.record;
        const func = state.functionNames.bytes(lo, hi);
        if (
          exit !== undefined &&
          (line.eventOf(exit)?.id ?? -1) === fg.exitId &&
          fg.pid(exit) === pid &&
          fg.exitFuncLo(exit) === lo &&
          fg.exitFuncHi(exit) === hi
        ) {
          writeGraphLeaf(out, fg.duration(exit), depth, func, showDepth);
          if (!merge.advanceSync(next)) await merge.advance(next);
        } else {
          writeGraphEntry(out, depth, func, showDepth);
        }
      } else if (fg !== undefined && event.id === fg.exitId && fgExitOn) {
        const tail = tailprint ? state.functionNames.name(fg.exitFuncLo(rec), fg.exitFuncHi(rec)) : undefined;
        writeGraphExit(out, fg.duration(rec), fg.exitDepth(rec), tail, showDepth);
      } else {
        out.write(trimEventText(printer.text(rec)));
      }
      if (wakeup !== undefined) out.write(wakeup.record(rec));
      out.writeBytes(NEWLINE);
    }
    if (!advanced && !merge.advanceSync(best)) await merge.advance(best);
    if (out.full) {
      await out.flush();
      if (out.isClosed || signal?.aborted) return;
    }
  }
  if (wakeup !== undefined) out.write(wakeup.summary());
}

/** `%*s: ` for a named handle, `%*s  ` for the top buffer of a single file. */
function prefixText(name: string | undefined, width: number): string {
  return name !== undefined && name !== "" ? padLeft(name, width) + ": " : spaces(width) + "  ";
}
