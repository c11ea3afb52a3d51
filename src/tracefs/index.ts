// tracefs: the kernel tracing control filesystem (tracefs-control.md). One object per concept, like libtracefs.
export { Tracefs, globRegExp } from "./tracefs.js";
export { Instance, triggerRemoval, parseAvailableTriggers } from "./instance.js";
export { CpuReader } from "./cpu-reader.js";
export { UndoStack } from "./undo.js";
export { claimInstance, releaseInstanceClaim } from "./claim.js";
export { snapshotTracefsState, diffTracefsState } from "./state.js";
export type { TracefsSnapshot } from "./state.js";
export {
  parseTraceClock, parseAvailableEvents, parseWords, parseBufferSizeKb, parseCpuStats, parseTraceOptions,
  parseErrorLog, formatErrorLogEntry, parseTriggers, parseFilter, pageSizeFromHeaderPage, dynamicEventName,
} from "./parse.js";
export type { ErrorLogEntry } from "./parse.js";
export { resetTracefs } from "./reset.js";
export type { ResetOptions } from "./reset.js";
export { defaultOptionValue, fullCpumask } from "./options.js";
export { readEventFiles } from "./state.js";
