// Readers for `trace-cmd report` text (report-output.md) used by the scenario checks: the line
// prefix (comm-pid [cpu] ts: event:) and function_graph indentation. Same parser for both tools.

const LINE = /^\s*(.+)-(\d+)\s+\[(\d+)\]\s+(\d+\.\d+):\s+([^:\s]+):\s?(.*)$/;

/** Event lines of a report: { comm, pid, cpu, ts, event, details, index }. Header and stack lines are skipped. */
export function reportEvents(text) {
  const out = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = LINE.exec(lines[i]);
    if (m) out.push({ comm: m[1], pid: Number(m[2]), cpu: Number(m[3]), ts: m[4], event: m[5], details: m[6], index: i });
  }
  return out;
}

/** function tracer events: { comm, pid, func, parent }. */
export function functionCalls(text) {
  return reportEvents(text)
    .filter((e) => e.event === "function")
    .map((e) => {
      const [func, parent] = e.details.trim().split(/\s+<--\s+/);
      return { comm: e.comm, pid: e.pid, func, parent };
    });
}

/** function_graph lines: { comm, pid, event, indent, call, duration } where call is the text after "|". */
export function graphLines(text) {
  const out = [];
  for (const e of reportEvents(text)) {
    if (e.event !== "funcgraph_entry" && e.event !== "funcgraph_exit") continue;
    const bar = e.details.indexOf("|");
    if (bar < 0) continue;
    const right = e.details.slice(bar + 1);
    const indent = right.length - right.trimStart().length;
    const duration = /(\d+\.\d+) us/.exec(e.details.slice(0, bar))?.[1];
    out.push({ comm: e.comm, pid: e.pid, event: e.event, indent, call: right.trim(), duration: duration === undefined ? undefined : Number(duration) });
  }
  return out;
}

/**
 * The first `root() {` ... `}` block of task `comm` in a function_graph report: its lines, the number
 * of nested calls and whether it closes with a timed `}`. Undefined when the root entry is absent.
 */
export function graphBlock(text, comm, root) {
  const lines = graphLines(text).filter((l) => l.comm === comm);
  const start = lines.findIndex((l) => l.call === `${root}() {`);
  if (start < 0) return undefined;
  const base = lines[start].indent;
  const body = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.indent === base && l.call === "}") return { pid: lines[start].pid, body, close: l };
    if (l.indent <= base) break;
    body.push(l);
  }
  return { pid: lines[start].pid, body, close: undefined };
}
