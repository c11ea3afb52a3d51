// Exact stacks from call records (README "Profiles"): ufuncgraph (uprobe entry/return events) and
// function_graph (funcgraph_entry/funcgraph_exit) paired per thread into calls; each call's self time
// (its duration minus its completed children's) weighs its call path. A return matches the innermost open
// call of its function, as `ftk report --ufuncgraph` pairs them, so the sums equal the report's durations.
import { readEvents } from "../report/index.js";
import { Symbolizer } from "../symbols/index.js";
import type { TraceFile } from "../tracedat/index.js";
import type { ReadStacksOptions, WeightedStack } from "./stacks.js";

interface Frame {
  func: string;
  /** "pid|comm|f;g;h": this call's path, built once at entry. */
  key: string;
  tsNs: bigint;
  childNs: bigint;
}

/** What readGraphStacks() found. */
export interface GraphStacks {
  stacks: WeightedStack[];
  /** "ufuncgraph", "function_graph", or undefined when the trace has neither kind of record. */
  source?: "ufuncgraph" | "function_graph";
  /** Calls completed. */
  calls: number;
}

/**
 * Call stacks weighed by self time from the ufuncgraph or function_graph records of a trace.
 * @example
 * const { stacks } = await readGraphStacks(await openTrace("trace.dat"));
 */
export async function readGraphStacks(trace: TraceFile, options: Pick<ReadStacksOptions, "pid" | "comm" | "buffer"> = {}): Promise<GraphStacks> {
  const symbolizer = Symbolizer.forTrace(trace);
  const threads = new Map<number, { comm: string; stack: Frame[] }>();
  const sums = new Map<string, WeightedStack>();
  let source: GraphStacks["source"];
  let calls = 0;
  type Kind = "entry" | "return" | "fentry" | "fexit";
  // system -> event name -> kind: looked up per event without building a string.
  const kinds = new Map<string, Map<string, Kind>>();
  const names: string[] = [];
  for (const ev of trace.events.all()) {
    let kind: Kind;
    if (ev.system === "ftrace" && ev.name === "funcgraph_entry") kind = "fentry";
    else if (ev.system === "ftrace" && ev.name === "funcgraph_exit") kind = "fexit";
    else if (ev.findField("__probe_ret_ip") !== undefined && ev.findField("__probe_func") !== undefined) kind = "return";
    else if (ev.findField("__probe_ip") !== undefined) kind = "entry";
    else continue;
    let bySystem = kinds.get(ev.system);
    if (bySystem === undefined) kinds.set(ev.system, (bySystem = new Map()));
    bySystem.set(ev.name, kind);
    names.push(`${ev.system}:${ev.name}`);
  }
  if (names.length === 0) return { stacks: [], calls: 0 };

  const charge = (pid: number, comm: string, frame: Frame, depth: number, stack: readonly Frame[], selfNs: bigint, kernel: boolean): void => {
    if (options.pid !== undefined && pid !== options.pid) return;
    if (options.comm !== undefined && comm !== options.comm) return;
    const s = sums.get(frame.key);
    if (s === undefined) {
      const frames = stack.slice(0, depth + 1).map((f) => f.func);
      sums.set(frame.key, { kind: "graph", pid, comm, user: kernel ? [] : frames, kernel: kernel ? frames : [], weightNs: Number(selfNs), count: 1 });
    } else {
      s.weightNs += Number(selfNs);
      s.count++;
    }
  };

  for await (const ev of readEvents(trace, { events: names, buffer: options.buffer })) {
    const kind = kinds.get(ev.system)?.get(ev.name);
    if (kind === undefined) continue;
    let t = threads.get(ev.pid);
    if (t === undefined) threads.set(ev.pid, (t = { comm: ev.comm, stack: [] }));
    const kernel = kind === "fentry" || kind === "fexit";
    source ??= kernel ? "function_graph" : "ufuncgraph";
    const func = kernel ? symbolizer.kernelName(BigInt(ev.fields["func"] ?? 0)) : ev.name.replace(/__return$/, "");
    if (kind === "entry" || kind === "fentry") {
      const parentKey = t.stack.length > 0 ? t.stack[t.stack.length - 1]!.key + ";" : `${ev.pid}|${t.comm}|`;
      t.stack.push({ func, key: parentKey + func, tsNs: ev.ts, childNs: 0n });
      continue;
    }
    let i = t.stack.length - 1;
    while (i >= 0 && t.stack[i]!.func !== func) i--;
    if (i < 0) continue;
    const frame = t.stack[i]!;
    // function_graph: the exit record carries the call's own times.
    const start = kind === "fexit" && ev.fields["calltime"] !== undefined ? BigInt(ev.fields["calltime"]) : frame.tsNs;
    const end = kind === "fexit" && ev.fields["rettime"] !== undefined ? BigInt(ev.fields["rettime"]) : ev.ts;
    const dur = end - start;
    charge(ev.pid, t.comm, frame, i, t.stack, dur - frame.childNs, kernel);
    calls++;
    t.stack.length = i;
    const parent = t.stack[i - 1];
    if (parent !== undefined) parent.childNs += dur;
  }
  return { stacks: [...sums.values()], source, calls };
}
