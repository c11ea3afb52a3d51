// `report --event REGEX` (trace-cmd 3.1.6): the stored format files of the events whose name matches,
// under a "system: NAME" line per system. REGEX is a POSIX basic regular expression, case-insensitive,
// matched anywhere in the name; "system:event" matches both parts, a bare word names either.
import { UsageError } from "../base/index.js";
import type { TextOutput } from "../base/index.js";
import type { TraceFile } from "../tracedat/index.js";

/** A POSIX basic regular expression (with GNU's \| \+ \?) as a JavaScript one, case-insensitive. */
export function basicRegExp(bre: string): RegExp {
  let js = "";
  for (let i = 0; i < bre.length; i++) {
    const c = bre[i]!;
    if (c === "\\" && i + 1 < bre.length) {
      const n = bre[++i]!;
      js += "(){}|+?".includes(n) ? n : "\\" + n;
    } else if ("(){}|+?".includes(c)) js += "\\" + c;
    else if (c === "[") {
      // A bracket expression is copied whole: its characters are literal in both languages.
      const end = bre.indexOf("]", bre[i + 1] === "]" ? i + 2 : bre[i + 1] === "^" && bre[i + 2] === "]" ? i + 3 : i + 1);
      if (end < 0) throw new UsageError(`bad regular expression '${bre}': '[' is not closed`);
      js += bre.slice(i, end + 1).replace(/\\/g, "\\\\");
      i = end;
    } else js += c;
  }
  try {
    return new RegExp(js, "i");
  } catch {
    throw new UsageError(`bad regular expression '${bre}'`);
  }
}

/** The event name a format names on its first line (after "name: "). */
function formatName(text: string): string {
  const line = text.split("\n").find((l) => l !== "") ?? "";
  return line.startsWith("name: ") ? line.slice(6) : line;
}

/**
 * Writes the formats of the events that `regex` names, as `trace-cmd report --event` prints them for a
 * version 6 file (trace-cmd prints nothing for version 7; ftk prints the same as for version 6).
 */
export function writeEventFormats(trace: TraceFile, regex: string, out: TextOutput): void {
  // trace-cmd splits at ':' (empty pieces skipped): "sys:ev" must match both, one word either.
  const parts = regex.split(":").filter((p) => p !== "");
  const systemRe = basicRegExp(parts[0] ?? "");
  const eventRe = basicRegExp(parts[1] ?? parts[0] ?? "");
  const both = parts.length > 1;
  let system: string | undefined;
  let printed = false;
  for (const f of trace.eventFormats) {
    if (f.system !== system) {
      system = f.system;
      printed = false;
    }
    const systemMatches = systemRe.test(f.system);
    if (both && !systemMatches) continue;
    if (!(systemMatches && !both) && !eventRe.test(formatName(f.text))) continue;
    if (!printed) {
      out.write(`\nsystem: ${f.system}\n`);
      printed = true;
    }
    const nul = f.text.indexOf("\0");
    out.write((nul >= 0 ? f.text.slice(0, nul) : f.text) + "\n");
  }
}
