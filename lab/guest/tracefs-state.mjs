// Lab-side dump of the guest's tracefs state (tracefs-control.md §8 checklist), used to check that
// a run left tracefs as it found it. One busybox grep reads every file: node's per-file overhead
// under TCG made a node walk of the ~1500 events take 30-60 s, grep takes a few. Per-event files
// are listed only when they differ from idle (enable 0, filter none, no trigger).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const TOP_FILES = [
  "tracing_on", "current_tracer", "trace_clock", "tracing_cpumask", "saved_cmdlines_size",
  "buffer_size_kb", "max_graph_depth", "tracing_thresh", "set_ftrace_filter", "set_ftrace_notrace",
  "set_graph_function", "set_graph_notrace", "set_ftrace_pid", "set_ftrace_notrace_pid",
  "set_event_pid", "set_event_notrace_pid", "set_event", "kprobe_events", "uprobe_events",
  "dynamic_events", "events/enable",
];

// $1: the instance directory. Prints "path:line" for each line of each file (grep -H '').
const SCRIPT = `cd "$1" || exit 1
grep -H '' ${TOP_FILES.join(" ")} options/* 2>/dev/null
grep -H -v -e '^#' -e '^none$' -e '^0$' events/*/*/enable events/*/*/filter events/*/*/trigger 2>/dev/null
exit 0`;

/** Dumps one instance directory into { "relative/path": "content" } (files empty or idle are absent). */
function dumpInstance(root) {
  const out = execFileSync("sh", ["-c", SCRIPT, "sh", root], { encoding: "latin1", maxBuffer: 64 * 1024 * 1024 });
  const state = {};
  for (const line of out.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const path = line.slice(0, colon);
    state[path] = (state[path] ?? "") + line.slice(colon + 1) + "\n";
  }
  return state;
}

/** Dumps the whole tracefs state: top level, every instance, and the ftrace sysctl. */
export function dumpTracefsState(root = "/sys/kernel/tracing") {
  const names = execFileSync("ls", [root + "/instances"], { encoding: "latin1" }).split("\n").filter(Boolean);
  const state = { top: dumpInstance(root), instances: {} };
  for (const name of names) state.instances[name] = dumpInstance(`${root}/instances/${name}`);
  try {
    state.ftrace_enabled = readFileSync("/proc/sys/kernel/ftrace_enabled", "latin1");
  } catch {
    state.ftrace_enabled = null;
  }
  return state;
}
