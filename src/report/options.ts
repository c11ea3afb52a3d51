// Options of writeReport(): the meaning of `trace-cmd report` 3.1.6 flags (report-output.md §6-§8).
import type { RawRecord } from "../ringbuf/index.js";
import type { TraceFile } from "../tracedat/index.js";

/** One `-F` filter, positive or (after `-v`) negative. */
export interface ReportFilter {
  text: string;
  /** True for filters given after `-v`: matching events are hidden. */
  invert: boolean;
}

/** One input file with the settings that trace-cmd attaches to the `-i` before them. */
export interface ReportInput {
  path: string;
  /** `--ts-offset`: added to this file's raw timestamps. */
  tsOffset?: number;
  /** `-F` filters of this file (in addition to ReportOptions.filters). */
  filters?: ReportFilter[];
  /** `--ts2secs HZ` after this `-i`: its timestamps count at HZ per second. */
  ts2secsHz?: number;
}

/** What `ftk report` prints; every field is optional except the inputs. */
export interface ReportOptions {
  /** Files to merge (`-i`, repeatable); several files prefix every line with the file name. */
  inputs: (string | ReportInput)[];
  /** `--cpu`: show only events of these CPUs. */
  cpus?: number[];
  /** `-t`: nanosecond timestamps. */
  nsTimestamps?: boolean;
  /** `-R`: raw field lists instead of print fmt / plugins. */
  raw?: boolean;
  /** `-l`: latency columns. */
  latency?: boolean;
  /** Colour the `-l` flags (the CLI decides from --color, NO_COLOR and the terminal). */
  color?: boolean;
  /** `-N`: no plugins and no trace-cmd handlers (function_graph by print fmt). */
  noPlugins?: boolean;
  /** `-F` filters applied to every input; `invertFilter` makes them negative (`-v`). */
  filters?: string[];
  invertFilter?: boolean;
  /** `-I` / `-S`: hide events with the hardirq / softirq flag. */
  noIrqs?: boolean;
  noSoftirqs?: boolean;
  /** `--ts-diff`: delta to the previous printed event. */
  tsDiff?: boolean;
  /** `-O [plugin:]opt[=val]`, as given. */
  pluginOptions?: string[];
  /** `--raw-ts`: no timestamp corrections; integers when the file names its clock. */
  rawTs?: boolean;
  /** `--nodate`: ignore the file's DATE option. */
  noDate?: boolean;
  /** `--align-ts`: timestamps relative to the first event. */
  alignTs?: boolean;
  /** `--stat`, `--uname`, `--version`: file information after `cpus=N` instead of events. */
  stat?: boolean;
  uname?: boolean;
  version?: boolean;
  /** `--cpus`, `--first-event`, `--last-event`: CPUs with data, with first/last timestamps. */
  cpuList?: boolean;
  firstEvent?: boolean;
  lastEvent?: boolean;
  /** `-E`: the events stored in the file; `-f`: kallsyms functions; `-P`: printk formats. */
  eventList?: boolean;
  /** `--boundary`: a "CPU:N [SUBBUFFER START]" line before the first event of each sub-buffer. */
  boundary?: boolean;
  /** `--kallsyms FILE`: the text of more kallsyms, for every input (TraceFile's extraKallsyms). */
  extraKallsyms?: string;
  /** `--event REGEX`: the stored formats of the events REGEX names, then nothing else. */
  eventFormats?: string;
  functions?: boolean;
  printkFormats?: boolean;
  /**
   * `--pid P[,P...]`: also show the events of these pids (as common_pid, pid or next_pid), as one positive
   * filter of the first input that `-v` does not invert; pids are used as given.
   */
  pids?: string[];
  /** `--comm NAME[,NAME...]`: the pids the first input's saved cmdlines give these names, added to `pids`. */
  comms?: string[];
  /**
   * `--ufuncgraph` / `--summary` (ftk): the call tree (or per-function table) of the uprobe entry/return
   * events; an error when no input has them. A file recorded with `-p ufuncgraph` shows its tree anyway,
   * unless `events` (`--events`) or `raw` asks for the event lines.
   */
  ufuncgraph?: boolean;
  /** `-r REGEX` / `-n REGEX`: raw fields / print fmt instead of plugins for events or systems matching (anchored, no case). */
  rawEvents?: string[];
  noHandlerEvents?: string[];
  /** `-e` / `-p`: the byte order / page size of the first file and of this host, instead of events. */
  endian?: boolean;
  pageSizeInfo?: boolean;
  /** `--check-events`: writeReport() returns 0 when every format of the first file parses, else 22 (EINVAL). */
  checkEvents?: boolean;
  /** `--ts-check`: warn (onWarning) for each record whose timestamp is below the previous one shown. */
  tsCheck?: boolean;
  /** `--ts2secs HZ` before any `-i`: the default of ReportInput.ts2secsHz. */
  ts2secsHz?: number;
  /** `-w`: wakeup latency on sched_switch lines and its summary after the events (one input only). */
  wakeup?: boolean;
  ufuncSummary?: boolean;
  events?: boolean;
  /**
   * One sink per handle (the top buffer or an instance of one input): the records that pass the filters go
   * to it instead of being printed. `report --profile` (profile/) counts them this way.
   */
  recordSinks?: RecordSinkFactory;
  /** `-T`: print each -F filter per event as libtraceevent rebuilds it and stop (when a file has filters). */
  testFilters?: boolean;
  /** Receives the reader's warnings (unknown options, bad pages), one per kind; default: openTrace's (process.stderr). */
  onWarning?: (message: string) => void;
}

/** Plugin option value for `-O` texts: the last `[plugin:]name[=val]` naming `name` for one of `plugins`. */
export function pluginOptionSet(options: readonly string[] | undefined, plugins: readonly string[], name: string): boolean {
  let set = false;
  for (const o of options ?? []) {
    const eq = o.indexOf("=");
    const key = eq < 0 ? o : o.slice(0, eq);
    const colon = key.indexOf(":");
    const plugin = colon < 0 ? undefined : key.slice(0, colon);
    const opt = colon < 0 ? key : key.slice(colon + 1);
    if (opt !== name || (plugin !== undefined && !plugins.includes(plugin))) continue;
    if (eq < 0) {
      set = !set; // a bare boolean option toggles (libtraceevent update_option_value)
      continue;
    }
    const val = o.slice(eq + 1).toLowerCase();
    if (val === "1" || val === "true") set = true;
    else if (val === "0" || val === "false") set = false;
  }
  return set;
}

/** `-O` texts as the map EventPrinter takes: key `[plugin:]opt`, value the text after `=` or true. */
export function pluginOptionMap(options: readonly string[] | undefined): Map<string, string | boolean> {
  const map = new Map<string, string | boolean>();
  for (const o of options ?? []) {
    const eq = o.indexOf("=");
    if (eq < 0) map.set(o, true);
    else map.set(o.slice(0, eq), o.slice(eq + 1));
  }
  return map;
}

/** Takes the records a handle would print, in order. */
export interface RecordSink {
  record(rec: RawRecord): void;
}

/** Makes the sink of one handle; `name` is the instance's (undefined for a file's top buffer). */
export type RecordSinkFactory = (trace: TraceFile, handle: { bufferIndex: number; name: string | undefined }) => RecordSink;
