// Recorder: flags -> checked plan -> tracefs setup with undo -> per-CPU capture -> trace.dat (tracefs-control.md §4).
export { parseRecordArgs, recordFlags, type RecordOptions, type RecordMode, type InstanceRequest, type EventRequest } from "./options.js";
export { planRecording, findInPath, formatFieldNames, filterFieldNames, type RecordPlan, type PlannedInstance, type PlannedEvent } from "./plan.js";
export { record, start, setTracing, extract, stream, openStreamTrace, type StreamInfo, type StreamView, type RecordIo, type RecordResult, type CpuSummary } from "./recorder.js";
export { applyPlan, setPidFilters, type AppliedInstance } from "./apply.js";
export { checkEventFormats, type FormatProblem } from "./check-events.js";
export { restoreTraceDat, writePartialTraceDat, groupCpuFiles, type RestoreOptions } from "./restore.js";
