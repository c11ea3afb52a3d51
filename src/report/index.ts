// Report: `trace-cmd report` compatible output and the event iteration API (report-output.md).
export { writeReport } from "./report.js";
export type { ReportOptions, ReportInput, ReportFilter, RecordSink, RecordSinkFactory } from "./options.js";
export { parseCpuList } from "./cpu-list.js";
export { readEvents, EventLineFormatter, type TraceEvent, type ReadEventsOptions, type FieldValue } from "./read-events.js";
export { type TimestampStyle, TimestampFormatter, isNanosecondClock } from "./timestamps.js";
export { writeUfuncgraph, writeUfuncgraphReport, UfuncGraphBuilder, ufuncGraphText, ufuncSummaryText, type UfuncEvent, type UfuncGraphLine, type UfuncStats, type UfuncgraphReportOptions } from "./ufuncgraph.js";
export { EventWalker, TraceEventMaker, fieldValueReader, type EventWalkerOptions } from "./read-events.js";
export { bindFuncGraphFields, FunctionNames, type FuncGraphFields } from "./funcgraph.js";
export { findUfuncEvents } from "./ufuncgraph.js";
export { callSiteText, writeCallSites, percent2, type CallSiteChain, type CallSiteHistogram } from "./hist-text.js";
export { writeEventFormats, basicRegExp } from "./event-formats.js";
export { LiveRecordMerge } from "./live-merge.js";
export { traceHash } from "./trace-hash.js";
