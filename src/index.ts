// The library's public entry: re-exports each folder's index.ts, nothing else.
export * from "./base/index.js";
export * from "./tracefs/index.js";
export * from "./ringbuf/index.js";
export * from "./events/index.js";
export * from "./tracedat/index.js";
export * from "./probes/index.js";
export * from "./record/index.js";
export * from "./report/index.js";
export * from "./symbols/index.js";
export * from "./model/index.js";
export * from "./profile/index.js";
export * from "./flamegraph/index.js";
export * from "./syscalls/index.js";
export * from "./export/index.js";
export * from "./sql/index.js";
