// `check-events`: every event format of the running kernel (the ftrace system included) goes through
// the parser that reports use; the ones it cannot parse are named with the reason.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { EventTable } from "../events/index.js";
import type { Tracefs } from "../tracefs/index.js";

/** One event whose format (fields) or print fmt does not parse. */
export interface FormatProblem {
  system: string;
  event: string;
  /** "format": the event cannot be decoded at all; "print-fmt": reports print [FAILED TO PARSE] and the raw fields. */
  kind: "format" | "print-fmt";
  reason: string;
}

/** Parses every `events/<system>/<event>/format`; returns how many were checked and those that failed. */
export async function checkEventFormats(fs: Tracefs): Promise<{ checked: number; problems: FormatProblem[] }> {
  const table = new EventTable({ littleEndian: new Uint8Array(Uint16Array.of(1).buffer)[0] === 1, longSize: process.arch.endsWith("64") ? 8 : 4, kernelLongSize: process.arch.endsWith("64") ? 8 : 4 });
  const problems: FormatProblem[] = [];
  let checked = 0;
  for (const system of await fs.eventSystems()) {
    let events: string[];
    try {
      events = (await readdir(join(fs.root, "events", system), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      continue;
    }
    for (const event of events) {
      const text = await fs.findFile(`events/${system}/${event}/format`);
      if (text === undefined) continue;
      checked++;
      const ev = table.addFormat(text, system);
      if (ev === undefined) problems.push({ system, event, kind: "format", reason: "the format file does not parse" });
      else if (ev.failed) problems.push({ system, event, kind: "print-fmt", reason: `print fmt: ${"failReason" in ev && typeof ev.failReason === "string" && ev.failReason !== "" ? ev.failReason : "does not parse"}` });
    }
  }
  return { checked, problems };
}
