// Exports: Perfetto protobuf, Chrome JSON, and ftrace_event rows as csv/jsonl, all read from the model.
export { exportPerfetto, type ExportOptions, type ExportResult } from "./perfetto.js";
export { ProtoWriter } from "./proto-writer.js";
export { exportChromeJson } from "./chrome-json.js";
export { exportEventRows } from "./event-rows.js";
export { EventArgs, arrayFieldText } from "./event-args.js";
