// System calls for people: the x86_64 table, argument and flag decoding, errno names, strace-style lines
// and summaries, over the model's syscall slices.
export { syscallTable, findSyscall, findSyscallByName, syscallName, type SyscallInfo, type SyscallClass } from "./x86-64.js";
export { formatArg, quoteString, type ArgKind } from "./args.js";
export {
  formatFlags, formatEnum, formatOpenFlags, formatMode, formatMmapFlags, formatCloneFlags, formatSignal, formatSocketType,
  formatFutexOp, type FlagTable,
} from "./values.js";
export { errnoName, errnoMessage, errnoOf, MAX_ERRNO } from "./errno.js";
export { SyscallLineWriter, formatReturn, formatArgs, type SyscallLineOptions } from "./lines.js";
export { SyscallSummary, formatTable as formatSummaryTable, formatHistogram, parseSummarySort, type SummarySort, type SyscallStats } from "./summary.js";
export { parseTraceSet, ALL_SYSCALLS, type SyscallSelection } from "./select.js";
export { traceSyscalls, planStringProbes, planKernelStringProbes, liveTraceClock, STRING_PROBE_GROUP, type TraceOptions, type TraceIo, type TraceResult } from "./session.js";
