// Pure parsers for tracefs control-file texts (tracefs-control.md §3), tested against strings.

/** `trace_clock`: all clocks, the current one in brackets. */
export function parseTraceClock(text: string): { current: string; available: string[] } {
  let current = "";
  const available: string[] = [];
  for (const word of text.trim().split(/\s+/)) {
    if (word === "") continue;
    if (word.startsWith("[") && word.endsWith("]")) {
      current = word.slice(1, -1);
      available.push(current);
    } else {
      available.push(word);
    }
  }
  return { current, available };
}

/** `available_events` lines "system:event". */
export function parseAvailableEvents(text: string): { system: string; event: string }[] {
  const out: { system: string; event: string }[] = [];
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    out.push({ system: line.slice(0, colon), event: line.slice(colon + 1).trim() });
  }
  return out;
}

/** Space- or newline-separated words (available_tracers, set_event_pid, ...). */
export function parseWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== "");
}

/** `buffer_size_kb`: "1408", or "7 (expanded: 1408)" before the buffer is first used; returns the expanded size. */
export function parseBufferSizeKb(text: string): number {
  const m = /expanded:\s*(\d+)/.exec(text);
  const n = Number.parseInt(m ? m[1]! : text.trim(), 10);
  if (!Number.isFinite(n)) throw new Error(`unexpected buffer_size_kb text '${text.trim()}'`);
  return n;
}

/** `per_cpu/cpuN/stats` as name -> value text ("entries" -> "0", "oldest event ts" -> "0.000000"). */
export function parseCpuStats(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    out.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return out;
}

/** `trace_options`: one option per line, disabled ones prefixed "no". */
export function parseTraceOptions(text: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const line of parseWords(text)) {
    if (line.startsWith("no")) out.set(line.slice(2), false);
    else out.set(line, true);
  }
  return out;
}

/** One `error_log` entry: the header after the timestamp, the command and the caret column. */
export interface ErrorLogEntry { header: string; command: string; column: number; /** the entry text with its timestamp, to tell entries apart */ raw: string }

/** Parses `error_log` entries ("[ts] where: error: what" / "  Command: text" / caret line). */
export function parseErrorLog(text: string): ErrorLogEntry[] {
  const entries: ErrorLogEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^\[\s*[\d.]+\]\s*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const entry: ErrorLogEntry = { header: m[1]!.trim(), command: "", column: -1, raw: lines[i]! };
    const cmd = /^\s*Command:\s(.*)$/.exec(lines[i + 1] ?? "");
    if (cmd) {
      entry.command = cmd[1]!;
      const caretLine = lines[i + 2] ?? "";
      const caret = caretLine.indexOf("^");
      const cmdStart = (lines[i + 1] ?? "").indexOf("Command: ") + "Command: ".length;
      if (caret >= 0) entry.column = caret - cmdStart;
      entry.raw += "\n" + lines[i + 1]! + "\n" + caretLine;
    }
    entries.push(entry);
  }
  return entries;
}

/** One line for the last error_log entry: "event filter parse error: Field not found: 'foo == 1' (at 'foo == 1')". */
export function formatErrorLogEntry(entry: ErrorLogEntry): string {
  const header = entry.header.replace(/: error: /, ": ");
  if (entry.command === "") return header;
  const at = entry.column > 0 && entry.column < entry.command.length ? ` at position ${entry.column}` : "";
  return `${header} in '${entry.command}'${at}`;
}

/** Trigger file lines without the "# Available triggers" comment block. */
export function parseTriggers(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
}

/** Event filter text, or undefined for "none". */
export function parseFilter(text: string): string | undefined {
  const t = text.replace(/\n+$/, "");
  return t === "none" || t === "" ? undefined : t;
}

/** Page size from `events/header_page` (offset + size of the `data` field). */
export function pageSizeFromHeaderPage(text: string): number {
  const m = /field:[^;]*\bdata;\s*offset:(\d+);\s*size:(\d+);/.exec(text);
  if (!m) throw new Error("header_page has no 'data' field");
  return Number(m[1]) + Number(m[2]);
}

/** Group/event names of `dynamic_events` / `uprobe_events` lines ("p:grp/ev path:0x10 args" -> "grp/ev"). */
export function dynamicEventName(line: string): string | undefined {
  const m = /^[a-z]\d*:([^\s]+)\s/.exec(line.trim() + " ");
  return m ? m[1] : undefined;
}
