// `report --profile`: writeReport() hands each handle's shown records to a model/TaskProfile instead of
// printing them, and the profiles are printed after the records, as trace-cmd 3.1.6 does.
import type { TextOutput } from "../base/index.js";
import { TaskProfile, type ProfileHook } from "../model/index.js";
import { writeReport, type ReportOptions } from "../report/index.js";
import type { TraceFile } from "../tracedat/index.js";
import { ProfileWriter } from "./profile-text.js";

export interface ProfileReportOptions {
  /** `-G`: irq and softirq times go to per-CPU global tasks. */
  global?: boolean;
  /** `-H` hooks, in trace-cmd's order (each new one in front). */
  hooks?: ProfileHook[];
  /** `--by-comm`: merge the tasks that have the same comm. */
  byComm?: boolean;
}

interface HandleProfile {
  trace: TraceFile;
  /** Instance name; undefined for the file's top buffer. */
  name: string | undefined;
  profile: TaskProfile;
}

/** writeReport() with `--profile`: returns its status; prints nothing more when it stopped early. */
export async function writeProfileReport(
  report: ReportOptions,
  options: ProfileReportOptions,
  out: TextOutput,
  signal?: AbortSignal,
): Promise<number> {
  const onWarning = report.onWarning ?? ((message: string): void => void process.stderr.write(`ftk: warning: ${message}\n`));
  const handles: HandleProfile[] = [];
  const status = await writeReport(
    {
      ...report,
      recordSinks: (trace, h) => {
        const profile = new TaskProfile(trace.events, trace.cpus, { global: options.global === true, hooks: options.hooks ?? [], onWarning });
        handles.push({ trace, name: h.name, profile });
        return profile;
      },
    },
    out,
    signal,
  );
  if (out.isClosed || signal?.aborted) return status;
  writeProfiles(handles, options.byComm === true, out);
  return status;
}

/**
 * trace-cmd prints the last input first. An instance gets its own profile after its file's, under an
 * `instance:` line (trace-cmd 3.1.6 stops with "Handle not found?").
 */
function writeProfiles(handles: HandleProfile[], byComm: boolean, out: TextOutput): void {
  const byFile = new Map<TraceFile, HandleProfile[]>();
  for (const h of handles) {
    let list = byFile.get(h.trace);
    if (list === undefined) byFile.set(h.trace, (list = []));
    list.push(h);
  }
  for (const [trace, list] of [...byFile].reverse()) {
    const writer = new ProfileWriter(
      { functionName: (addr) => trace.kallsymsTable.nameOf(addr), comm: (pid) => trace.tasks.comm(pid), longSize: trace.longSize },
      (text) => out.write(text),
    );
    for (const h of list) {
      if (h.name !== undefined) out.write(`\ninstance: ${h.name}\n`);
      writer.profile(h.profile, byComm);
    }
  }
}
