// Counters: power:cpu_frequency and power:cpu_idle as Perfetto's "cpufreq" / "cpuidle" tracks per CPU
// (cpu_idle's exit value 4294967295 is PWR_EVENT_EXIT, kept as the kernel wrote it).
import type { TraceFile } from "../tracedat/index.js";
import { findEvent, hasFields, numberField } from "./bind.js";
import type { HandlerTable, ModelSink } from "./facts.js";

/** Counter tracks that the model knows: event -> counter name. */
const COUNTERS = [
  ["power", "cpu_frequency", "cpufreq"],
  ["power", "cpu_idle", "cpuidle"],
] as const;

/** Registers the counter handlers (state per CPU from `cpu_id`). */
export function bindCounters(trace: TraceFile, sink: ModelSink, handlers: HandlerTable): void {
  for (const [system, name, counter] of COUNTERS) {
    const ev = findEvent(trace, system, name);
    if (!hasFields(ev, "state", "cpu_id")) continue;
    const state = numberField(trace, ev, "state");
    const cpu = numberField(trace, ev, "cpu_id");
    handlers.add(ev, (rec) => sink.counter?.(rec.ts, counter, cpu(rec), state(rec)));
  }
}
