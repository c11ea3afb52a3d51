// exportPerfetto(): a trace.dat as Perfetto's protobuf Trace (perfetto_trace.proto, field numbers as facts):
// per CPU, FtraceEventBundle packets of up to ~64 KiB holding typed or generic FtraceEvents in time order;
// a bundle starts anew after lost events (lost_events = true); then a ProcessTree packet with the model's
// threads and processes. Events stream through the model's walk, so memory holds one bundle per CPU.
import type { Writable } from "node:stream";
import { fieldNumberReader } from "../events/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import type { TraceFile } from "../tracedat/index.js";
import { walkModel, type ThreadTable } from "../model/index.js";
import { ByteOutput } from "./byte-output.js";
import { PerfettoPayloads } from "./perfetto-events.js";
import { ProtoWriter } from "./proto-writer.js";

// Field numbers: Trace.packet; TracePacket.{ftrace_events, process_tree, trusted_packet_sequence_id};
// FtraceEventBundle.{cpu, event, lost_events, ftrace_clock, ftrace_timestamp, boot_timestamp};
// FtraceEvent.{timestamp, pid, common_flags}; ProcessTree.{processes, threads} and their fields.
const TRACE_PACKET = 1;
const PACKET_FTRACE_EVENTS = 1;
const PACKET_PROCESS_TREE = 2;
const PACKET_SEQUENCE_ID = 10;
const BUNDLE_CPU = 1;
const BUNDLE_EVENT = 2;
const BUNDLE_LOST_EVENTS = 3;
const BUNDLE_FTRACE_CLOCK = 5;
const BUNDLE_FTRACE_TIMESTAMP = 6;
const BUNDLE_BOOT_TIMESTAMP = 7;
const EVENT_TIMESTAMP = 1;
const EVENT_PID = 2;
const EVENT_COMMON_FLAGS = 5;
const TREE_PROCESSES = 1;
const TREE_THREADS = 2;
const PROCESS_PID = 1;
const PROCESS_CMDLINE = 3;
const PROCESS_CMDLINE_IS_COMM = 9;
const THREAD_TID = 1;
const THREAD_NAME = 2;
const THREAD_TGID = 3;

/** FtraceClock values. */
const FTRACE_CLOCK = { unspecified: 0, global: 2, local: 3, monoRaw: 4 } as const;

/** A bundle is closed once it holds this many bytes. */
const BUNDLE_BYTES = 60 * 1024;

/** Options of the exporters. */
export interface ExportOptions {
  signal?: AbortSignal;
  /** Records read so far and the fraction of the data read, 0..1 (every 64k records and at the end). */
  onProgress?: (records: number, fraction: number) => void;
  /** Notes for people, such as a clock written as another. */
  onNote?: (message: string) => void;
}

/** What an export wrote. */
export interface ExportResult {
  /** Records read. */
  records: number;
  /** Events written, per CPU. */
  eventsPerCpu: Map<number, number>;
  /** Records not written, by reason (e.g. "unknown event id"). */
  skipped: Map<string, number>;
  /** Output size. */
  bytes: number;
  /** Event types written as GenericFtraceEvent (perfetto only). */
  genericEvents: string[];
}

/** The Perfetto clock of a trace clock name: boot is Perfetto's default; local and global are mapped onto it. */
function clockOf(clock: string): { value: number; snapshot: boolean; note?: string } {
  switch (clock) {
    case "boot":
      return { value: FTRACE_CLOCK.unspecified, snapshot: false };
    case "mono_raw":
      return { value: FTRACE_CLOCK.monoRaw, snapshot: false };
    case "local":
    case "global":
      // trace.dat keeps no boot-time pair: each bundle maps this clock onto boottime with offset 0.
      return { value: clock === "local" ? FTRACE_CLOCK.local : FTRACE_CLOCK.global, snapshot: true };
    default:
      return { value: FTRACE_CLOCK.unspecified, snapshot: false, note: `trace clock '${clock}' has no Perfetto ftrace clock: written as boot time` };
  }
}

/** One open bundle per CPU. */
class CpuBundle {
  readonly w = new ProtoWriter();
  open = false;
}

/**
 * Writes `trace` to `out` as a Perfetto protobuf trace and resolves with what was written.
 * @example
 * const trace = await openTrace("trace.dat");
 * const r = await exportPerfetto(trace, createWriteStream("trace.pftrace"));
 */
export async function exportPerfetto(trace: TraceFile, out: Writable, options: ExportOptions = {}): Promise<ExportResult> {
  const output = new ByteOutput(out);
  const payloads = new PerfettoPayloads(trace.events.info);
  const clock = clockOf(trace.buffers[0]?.clock ?? trace.traceClock ?? "local");
  if (clock.note !== undefined) options.onNote?.(clock.note);
  const bundles: CpuBundle[] = [];
  const eventsPerCpu = new Map<number, number>();
  const skipped = new Map<string, number>();
  const common = commonReaders(trace);

  const close = (b: CpuBundle): void => {
    if (!b.open) return;
    b.w.end(); // bundle
    b.w.end(); // packet
    output.write(Buffer.from(b.w.bytes()));
    b.w.reset();
    b.open = false;
  };
  const openBundle = (b: CpuBundle, cpu: number, ts: number, lost: boolean): void => {
    const w = b.w;
    w.begin(TRACE_PACKET);
    w.uint(PACKET_SEQUENCE_ID, 1);
    w.begin(PACKET_FTRACE_EVENTS);
    w.uint(BUNDLE_CPU, cpu);
    if (lost) w.bool(BUNDLE_LOST_EVENTS, true);
    if (clock.value !== FTRACE_CLOCK.unspecified) w.uint(BUNDLE_FTRACE_CLOCK, clock.value);
    if (clock.snapshot) {
      w.uint(BUNDLE_FTRACE_TIMESTAMP, ts);
      w.uint(BUNDLE_BOOT_TIMESTAMP, ts);
    }
    b.open = true;
  };

  const model = await walkModel(
    trace,
    {
      event: (rec, ev) => {
        if (ev === undefined) {
          skipped.set("unknown event id", (skipped.get("unknown event id") ?? 0) + 1);
          return;
        }
        const cpu = rec.cpu;
        const b = (bundles[cpu] ??= new CpuBundle());
        if (rec.missedEvents !== 0 || b.w.pos >= BUNDLE_BYTES) close(b);
        if (!b.open) openBundle(b, cpu, rec.ts, rec.missedEvents !== 0);
        const w = b.w;
        w.begin(BUNDLE_EVENT);
        w.uint(EVENT_TIMESTAMP, rec.ts);
        w.uint(EVENT_PID, common.pid(rec));
        const flags = common.flags(rec);
        if (flags !== 0) w.uint(EVENT_COMMON_FLAGS, flags);
        payloads.writerOf(ev)(rec, w);
        w.end();
        eventsPerCpu.set(cpu, (eventsPerCpu.get(cpu) ?? 0) + 1);
      },
    },
    {
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
      drain: () => output.flush(),
    },
  );
  for (const b of bundles) if (b !== undefined) close(b);
  output.write(processTree(model.threads));
  await output.flush();
  return { records: model.records, eventsPerCpu, skipped, bytes: output.written, genericEvents: [...payloads.genericNames].sort() };
}

/** common_pid and common_flags readers of the file (common fields sit at the same offsets in every event). */
export function commonReaders(trace: TraceFile): { pid: (rec: RawRecord) => number; flags: (rec: RawRecord) => number } {
  const zero = (): number => 0;
  for (const ev of trace.events.all()) {
    const pid = ev.commonFields.find((f) => f.name === "common_pid");
    const flags = ev.commonFields.find((f) => f.name === "common_flags");
    if (pid === undefined) continue;
    return { pid: fieldNumberReader(pid, trace.events.info), flags: flags === undefined ? zero : fieldNumberReader(flags, trace.events.info) };
  }
  return { pid: zero, flags: zero };
}

/** The ProcessTree packet: every process (its main thread's comm as cmdline) and thread with its tgid. */
function processTree(threads: ThreadTable): Buffer {
  const w = new ProtoWriter();
  w.begin(TRACE_PACKET);
  w.uint(PACKET_SEQUENCE_ID, 1);
  w.begin(PACKET_PROCESS_TREE);
  for (const p of threads.processes) {
    w.begin(TREE_PROCESSES);
    w.uint(PROCESS_PID, p.pid);
    if (p.name !== undefined) {
      w.string(PROCESS_CMDLINE, p.name);
      w.bool(PROCESS_CMDLINE_IS_COMM, true);
    }
    w.end();
  }
  for (const t of threads.threads) {
    if (t.tid === 0) continue;
    w.begin(TREE_THREADS);
    w.uint(THREAD_TID, t.tid);
    if (t.name !== undefined) w.string(THREAD_NAME, t.name);
    if (t.upid !== undefined) w.uint(THREAD_TGID, threads.processes[t.upid]!.pid);
    w.end();
  }
  w.end();
  w.end();
  return Buffer.from(w.bytes());
}
