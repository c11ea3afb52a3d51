// `trace-cmd report` as a test oracle, with its one known random output worked around.
//
// trace-cmd 3.1.6 copies each file option into malloc(size) and parses a TRACECLOCK option as text
// even when its size is 0, so it scans uninitialised heap bytes for "[clock]" (handle_options and
// tracecmd_parse_trace_clock in lib/trace-cmd/trace-input.c). Now and then (9 runs in 1,500 on
// v6-armv7-1cpu-irq-softirq-gpio.dat) the garbage holds a '[', trace-cmd takes it for a clock that
// is not in nanoseconds and prints raw timestamps. Three fixtures have an empty TRACECLOCK option.
// So an output that disagrees with ftk is taken again, up to RUNS times in all: a real ftk
// difference disagrees with every run, a flake disagrees with one.
import { execFile, execFileSync } from "node:child_process";

const RUNS = 3;

export interface OracleRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `trace-cmd report ARGS` until `agrees(stdout)` holds or RUNS runs are done; returns the last run. */
export async function traceCmdReport(args: readonly string[], agrees: (stdout: string) => boolean): Promise<OracleRun> {
  let run: OracleRun | undefined;
  for (let i = 0; i < RUNS && (run === undefined || !agrees(run.stdout)); i++) run = await once(args);
  return run!;
}

function once(args: readonly string[]): Promise<OracleRun> {
  return new Promise((resolve) => {
    execFile("trace-cmd", ["report", ...args], { encoding: "latin1", maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
      const status = err === null ? 0 : typeof err.code === "number" ? err.code : null;
      resolve({ status, stdout, stderr });
    });
  });
}

/** True when the trace-cmd binary is installed (its `report --help` exits non-zero but runs). */
export function hasTraceCmd(): boolean {
  try {
    execFileSync("trace-cmd", ["report", "--help"], { stdio: ["ignore", "pipe", "pipe"] });
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ENOENT";
  }
}
