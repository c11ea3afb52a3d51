// Small helpers to find events and compile field readers once per trace (style.md §5-§6).
import { fieldNumberReader, fieldSignedReader, fieldStringReader, type EventFormat } from "../events/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import type { TraceFile } from "../tracedat/index.js";

/** The event `system:name` of the trace, or undefined. */
export function findEvent(trace: TraceFile, system: string, name: string): EventFormat | undefined {
  for (const ev of trace.events.all()) if (ev.name === name && ev.system === system) return ev;
  return undefined;
}

/** A signed (or unsigned, as the format says) number reader for a field; reads 0 when the field is missing. */
export function numberField(trace: TraceFile, ev: EventFormat, name: string): (rec: RawRecord) => number {
  const f = ev.findField(name);
  if (f === undefined) return () => 0;
  return f.signed ? fieldSignedReader(f, trace.events.info) : fieldNumberReader(f, trace.events.info);
}

/** A string reader for a char-array field; reads "" when the field is missing. */
export function stringField(trace: TraceFile, ev: EventFormat, name: string): (rec: RawRecord) => string {
  const f = ev.findField(name);
  if (f === undefined) return () => "";
  return fieldStringReader(f, trace.events.info);
}

/** True when the event has all these fields. */
export function hasFields(ev: EventFormat | undefined, ...names: string[]): ev is EventFormat {
  return ev !== undefined && names.every((n) => ev.findField(n) !== undefined);
}
