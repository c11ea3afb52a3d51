export { FtkError, UsageError, TraceFileError, TracefsError, ProbeError, isFtkError, describeErrno } from "./errors.js";
export { MinHeap } from "./min-heap.js";
export { TextOutput, putBytes } from "./text-output.js";
export { FdWriter, stdoutSink, type TextSink } from "./fd-writer.js";
export { type ColorMode, COLOR, paint, parseColorMode, useColor } from "./color.js";
export { testPause } from "./test-pause.js";
export { markShortLived, isShortLived, setShortLivedFlag, shortLivedFlagUndos, noteCodePath, codePathsUsed } from "./short-lived.js";
