// The model: facts derived once from the event stream, read by trace, SQL and exports (style.md §1).
export {
  SyscallPairer,
  syscallSteps,
  readSyscalls,
  readSyscallEvents,
  type SyscallSlice,
  type SyscallStep,
  type SyscallSource,
  type SyscallOptions,
  type ReadSyscallsOptions,
} from "./syscalls.js";
