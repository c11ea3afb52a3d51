// The model: facts derived once from the event stream, read by trace, SQL and exports (style.md §1).
// The model: facts derived once from the event stream (threads, sched slices, thread states, calls,
// counters), shared by exports, SQL and the other readers; nothing outside it pairs events.
export { walkModel, type WalkModelOptions, type TraceModel } from "./trace-model.js";
export { type ModelSink, type RecordHandler } from "./facts.js";
export { ThreadTable, CLONE_THREAD, type ThreadInfo, type ProcessInfo } from "./threads.js";
export { compilePrevState } from "./prev-state.js";
export {
  SyscallPairer,
  syscallSteps,
  readSyscalls,
  readSyscallEvents,
  type SyscallSlice,
  type SyscallStep,
  type SyscallStepKind,
  type SyscallCallHandler,
  type SyscallSource,
  type SyscallOptions,
  type ReadSyscallsOptions,
} from "./syscalls.js";
// The model: facts paired from the event stream, read by flame graphs and exports.
export { readStacks, trimKernelFrames, type StackKind, type WeightedStack, type StackSamples, type ReadStacksOptions } from "./stacks.js";
export { readGraphStacks, type GraphStacks } from "./graph-stacks.js";
export { readCallSites, type ReadCallSitesOptions } from "./call-sites.js";
export {
  TaskProfile,
  compareValues,
  asInt,
  type TaskProfileOptions,
  type ProfileEvent,
  type ProfileEventKind,
  type ProfileEventStat,
  type ProfileStack,
  type ProfileTask,
  type ProfileGroup,
  type ProfileValue,
} from "./task-profile.js";
export { parseProfileHook, type ProfileHook } from "./profile-hook.js";
export { feedSyscalls, rawSyscallRecords, type RawSyscallRecords } from "./syscalls.js";
