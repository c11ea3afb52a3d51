// Pairs a trace clock with the time of day and CLOCK_MONOTONIC (record --date, --tsc2nsec): markers are
// written into a scratch instance using that clock, and their timestamps read back from its `trace`.
// The pairing is as precise as a write(2) is short (a few µs here).
import type { Tracefs } from "../tracefs/index.js";
import { UndoStack } from "../tracefs/index.js";

/** One marker: its trace timestamp (ns for nanosecond clocks, counts for counters) and the host clocks around it. */
export interface ClockSample {
  trace: number;
  wallUs: number;
  monoNs: number;
}

/** Writes `count` markers `gapMs` apart into a scratch instance set to `clock`; the instance is removed after. */
export async function sampleTraceClock(fs: Tracefs, clock: string, count = 1, gapMs = 0): Promise<ClockSample[]> {
  const undo = new UndoStack();
  const name = `ftk-clock-${process.pid}`;
  try {
    const inst = await fs.createInstance(name, undo);
    await inst.setTraceClock(clock, undo);
    const host: { wallUs: number; monoNs: number }[] = [];
    for (let i = 0; i < count; i++) {
      if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      const m0 = process.hrtime.bigint();
      const w0 = performance.timeOrigin * 1000 + performance.now() * 1000;
      await inst.writeFile("trace_marker", `ftk-clock-${i}`);
      const w1 = performance.timeOrigin * 1000 + performance.now() * 1000;
      const m1 = process.hrtime.bigint();
      host.push({ wallUs: (w0 + w1) / 2, monoNs: Number((m0 + m1) / 2n) });
    }
    const text = await inst.readFile("trace");
    const out: ClockSample[] = [];
    for (let i = 0; i < count; i++) {
      const m = new RegExp(`\\s(\\d+)(?:\\.(\\d{6}))?: tracing_mark_write: ftk-clock-${i}$`, "m").exec(text);
      if (m === null) throw new Error(`marker ${i} not found in the scratch instance`);
      const trace = m[2] === undefined ? Number(m[1]) : Number(m[1]) * 1e9 + Number(m[2]) * 1000;
      out.push({ trace, ...host[i]! });
    }
    return out;
  } finally {
    await undo.unwind();
  }
}

/** DATE option text: microseconds to add to a timestamp of `clock` to get the time of day (trace-cmd --date). */
export async function dateOffset(fs: Tracefs, clock: string): Promise<string> {
  const [s] = await sampleTraceClock(fs, clock);
  return `0x${Math.round(s!.wallUs - s!.trace / 1000).toString(16)}`;
}

/**
 * TSC2NSEC values for the x86-tsc clock, measured against CLOCK_MONOTONIC over `spanMs`: the kernel's own
 * mult/shift live in perf's mmap page, out of reach of Node, so the counter's rate is calibrated instead.
 */
export async function measureTsc2nsec(fs: Tracefs, spanMs = 200): Promise<{ mult: number; shift: number; offset: bigint }> {
  const [a, b] = await sampleTraceClock(fs, "x86-tsc", 2, spanMs);
  const nsPerCount = (b!.monoNs - a!.monoNs) / (b!.trace - a!.trace);
  const shift = 24;
  return { mult: Math.round(nsPerCount * 2 ** shift), shift, offset: 0n };
}
