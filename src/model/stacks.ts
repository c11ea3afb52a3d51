// Stack samples as facts (README "Profiles"): each sched_stat_runtime (on-CPU, weighed by its runtime)
// or sched_switch (off-CPU, weighed from that switch-out until the thread runs again, off-cpu.ts) is
// paired with the kernel_stack and user_stack records that follow it on its CPU for the same task,
// symbolized once per distinct address stack and summed per distinct named stack.
import { readEvents } from "../report/index.js";
import type { TraceEvent } from "../report/index.js";
import { Symbolizer } from "../symbols/index.js";
import type { TraceFile } from "../tracedat/index.js";
import { OffCpuTracker } from "./off-cpu.js";

/** Which time a stack carries ("graph": self time of calls from function_graph/ufuncgraph). */
export type StackKind = "on-cpu" | "off-cpu" | "graph";

/** One distinct symbolized stack of one thread name, with its summed weight. */
export interface WeightedStack {
  kind: StackKind;
  /** Process id (tgid) when the user stack said it, else the thread id. */
  pid: number;
  /** The thread's name. */
  comm: string;
  /** User frames, outermost first (main before the leaf). */
  user: string[];
  /** Kernel frames, outermost first (entry before schedule). */
  kernel: string[];
  /**
   * Nanoseconds: CPU time (on-cpu), time off the CPU (off-cpu), or summed self time (graph; exact, so
   * negative when a call's children outlast it on CPUs whose clocks disagree).
   */
  weightNs: number;
  /** Samples (on-cpu) or switch-outs (off-cpu) summed into it. */
  count: number;
}

/** What readStacks() returns. */
export interface StackSamples {
  stacks: WeightedStack[];
  /** Records seen: sched_stat_runtime, sched_switch, sched_wakeup, kernel_stack, user_stack. */
  seen: { runtime: number; switches: number; wakeups: number; kernelStacks: number; userStacks: number };
  /** Off-CPU periods still open at the end of the trace (not charged). */
  openAtEnd: number;
  /** Off-CPU periods whose switch-in the file lacks, ended at the thread's wake-up (off-cpu.ts). */
  endedAtWakeup: number;
  /** Off-CPU periods with neither switch-in nor wake-up before the thread ran again (not charged). */
  endUnknown: number;
  symbolizer: Symbolizer;
}

/** Filters for readStacks(). */
export interface ReadStacksOptions {
  kinds?: readonly StackKind[];
  /** Only this process (tgid) or thread id. */
  pid?: number;
  /** Only threads of this name. */
  comm?: string;
  /** Buffer instance ("" top). */
  buffer?: string;
}

interface Pending {
  kind: StackKind;
  tid: number;
  tgid: number;
  comm: string;
  /** Task whose stacks may follow (common_pid of the sample event). */
  owner: number;
  weightNs: number;
  kernel?: bigint[];
  user?: bigint[];
}

// Frames the recording itself adds at the top of a kernel stack.
const TRACING_FRAME = /^(trace_event_raw_event_|perf_trace_|__traceiter_|__probestub_|__bpf_trace_|ftrace_|__ftrace_trace_stack|__trace_stack)/;
// sched_stat_runtime is written from update_curr(): those frames are the sampling itself.
const SAMPLING_FRAME = /^(update_se|update_curr)$/;
// Interrupt entries (the tick, a reschedule IPI): frames above the outermost one are the interrupt's,
// and the time they account is that of the interrupted context below it.
const INTERRUPT_ENTRY = /^(asm_sysvec_|asm_common_interrupt$)/;

/** Kernel frames as the task's own work, innermost first: tracing frames and (on-CPU) the interrupt removed. */
export function trimKernelFrames(names: readonly string[], kind: StackKind): string[] {
  let from = 0;
  while (from < names.length && TRACING_FRAME.test(names[from]!)) from++;
  if (kind === "on-cpu") {
    while (from < names.length && SAMPLING_FRAME.test(names[from]!)) from++;
    for (let i = names.length - 1; i >= from; i--) {
      if (INTERRUPT_ENTRY.test(names[i]!)) {
        from = i + 1;
        break;
      }
    }
  }
  return names.slice(from);
}

/**
 * Reads the stack samples of a trace and sums them per distinct symbolized stack.
 * @example
 * const { stacks } = await readStacks(await openTrace("trace.dat"), { kinds: ["on-cpu"] });
 * for (const s of stacks) console.log(s.comm, s.user.join(";"), s.weightNs);
 */
export async function readStacks(trace: TraceFile, options: ReadStacksOptions = {}): Promise<StackSamples> {
  const kinds = new Set(options.kinds ?? ["on-cpu", "off-cpu"]);
  const symbolizer = Symbolizer.forTrace(trace);
  const seen = { runtime: 0, switches: 0, wakeups: 0, kernelStacks: 0, userStacks: 0 };
  const pendingByCpu: (Pending | undefined)[] = [];
  const raw = new Map<string, { p: Pending; weightNs: number; count: number }>();

  const emit = (p: Pending): void => {
    if (options.pid !== undefined && p.tgid !== options.pid && p.tid !== options.pid) return;
    if (options.comm !== undefined && p.comm !== options.comm) return;
    const key = `${p.kind}|${p.tgid}|${p.comm}|${p.kernel?.join(",") ?? ""}|${p.user?.join(",") ?? ""}`;
    const r = raw.get(key);
    if (r === undefined) raw.set(key, { p, weightNs: p.weightNs, count: 1 });
    else {
      r.weightNs += p.weightNs;
      r.count++;
    }
  };
  const attach = (ev: TraceEvent, which: "kernel" | "user"): void => {
    const p = pendingByCpu[ev.cpu];
    if (p === undefined || p.owner !== ev.pid || p[which] !== undefined) return;
    p[which] = ev.stack ?? [];
    if (which === "user") {
      const tgid = ev.fields["tgid"];
      if (typeof tgid === "number" && tgid > 0) p.tgid = tgid;
    }
  };
  const close = (cpu: number): void => {
    const p = pendingByCpu[cpu];
    if (p !== undefined && p.kind === "on-cpu") emit(p);
    pendingByCpu[cpu] = undefined;
  };
  const off = new OffCpuTracker<Pending>((p, startTs, endTs) => {
    p.weightNs = endTs - startTs;
    emit(p);
  });

  const names = ["sched:sched_stat_runtime", "sched:sched_switch", "sched:sched_wakeup", "ftrace:kernel_stack", "ftrace:user_stack"];
  for await (const ev of readEvents(trace, { events: names, buffer: options.buffer })) {
    if (ev.name === "kernel_stack") {
      seen.kernelStacks++;
      attach(ev, "kernel");
    } else if (ev.name === "user_stack") {
      seen.userStacks++;
      attach(ev, "user");
    } else if (ev.name === "sched_wakeup") {
      seen.wakeups++;
      close(ev.cpu);
      off.ran(ev.pid);
      off.woken(Number(ev.ts), Number(ev.fields["pid"]));
    } else if (ev.name === "sched_stat_runtime") {
      seen.runtime++;
      close(ev.cpu);
      off.ran(ev.pid);
      if (!kinds.has("on-cpu")) continue;
      const tid = Number(ev.fields["pid"]);
      const comm = String(ev.fields["comm"] ?? ev.comm);
      // update_curr() can run for another CPU's task; its stack would be this CPU's, so it gets none.
      const owner = tid === ev.pid ? ev.pid : -1;
      pendingByCpu[ev.cpu] = { kind: "on-cpu", tid, tgid: tid, comm, owner, weightNs: Number(ev.fields["runtime"] ?? 0) };
    } else {
      seen.switches++;
      close(ev.cpu);
      const prev = Number(ev.fields["prev_pid"]);
      const next = Number(ev.fields["next_pid"]);
      let p: Pending | undefined;
      if (kinds.has("off-cpu") && prev !== 0) {
        p = { kind: "off-cpu", tid: prev, tgid: prev, comm: String(ev.fields["prev_comm"] ?? ev.comm), owner: ev.pid, weightNs: 0 };
        pendingByCpu[ev.cpu] = p;
      }
      off.switched(Number(ev.ts), prev, next, p);
    }
  }
  for (let cpu = 0; cpu < pendingByCpu.length; cpu++) close(cpu);

  // Symbolize each distinct address stack once, then merge stacks that name the same frames.
  const merged = new Map<string, WeightedStack>();
  for (const { p, weightNs, count } of raw.values()) {
    const kernel = trimKernelFrames((p.kernel ?? []).map((a) => symbolizer.kernelName(a)), p.kind).reverse();
    const user: string[] = [];
    for (const a of p.user ?? []) user.push(await symbolizer.userName(p.tgid, Number(a)));
    user.reverse();
    const key = `${p.kind}|${p.tgid}|${p.comm}|${kernel.join(";")}|${user.join(";")}`;
    const m = merged.get(key);
    if (m === undefined) merged.set(key, { kind: p.kind, pid: p.tgid, comm: p.comm, user, kernel, weightNs, count });
    else {
      m.weightNs += weightNs;
      m.count += count;
    }
  }
  return { stacks: [...merged.values()], seen, openAtEnd: off.openCount, endedAtWakeup: off.endedAtWakeup, endUnknown: off.endUnknown, symbolizer };
}
