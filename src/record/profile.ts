// --sample and --off-cpu as plain record requests (README "Profiles"): on-CPU samples are
// sched:sched_stat_runtime records, which the scheduler writes at every tick for the running task with
// the CPU time it used since the previous one; off-CPU stacks are sched:sched_switch records. Both
// carry the kernel stack (option stacktrace) and the user stack (option userstacktrace). --off-cpu also
// records sched:sched_wakeup: where a kernel leaves a switch-in out, the wake-up ends the wait
// (model/off-cpu.ts).
import { readFileSync } from "node:fs";
import { release } from "node:os";
import { createRequire } from "node:module";
import { UsageError } from "../base/index.js";
import type { RecordOptions } from "./options.js";

function addEvent(o: RecordOptions, spec: string): void {
  const top = o.instances[0]!;
  if (!top.events.some((e) => e.spec === spec && e.filter === undefined)) top.events.push({ spec, triggers: [] });
}

function addOption(o: RecordOptions, name: string): void {
  const top = o.instances[0]!;
  if (!top.options.some((x) => x.name === name && x.on)) top.options.push({ name, on: true });
}

/** Adds what --sample / --off-cpu record to the top instance, and turns --proc-map on. */
export function addProfileRequests(o: RecordOptions): void {
  if (o.sample !== undefined) addEvent(o, "sched:sched_stat_runtime");
  if (o.offCpu === true) {
    addEvent(o, "sched:sched_switch");
    addEvent(o, "sched:sched_wakeup");
  }
  addOption(o, "stacktrace");
  addOption(o, "userstacktrace");
  o.procMap = true;
}

/** CONFIG_HZ of the running kernel from /boot/config-RELEASE or /proc/config.gz, or undefined. */
export function findTickHz(): number | undefined {
  let text: string | undefined;
  try {
    text = readFileSync(`/boot/config-${release()}`, "latin1");
  } catch {
    try {
      // node:zlib is loaded here, when needed, not by every command that imports this file.
      const { gunzipSync } = createRequire(import.meta.url)("node:zlib") as typeof import("node:zlib");
      text = gunzipSync(readFileSync("/proc/config.gz")).toString("latin1");
    } catch {
      return undefined;
    }
  }
  const m = /^CONFIG_HZ=(\d+)$/m.exec(text);
  return m === null ? undefined : Number(m[1]);
}

/**
 * Checks --sample=HZ against the tick: sched_stat_runtime fires once per tick, so the tick rate is the
 * highest rate; a lower one records at the tick anyway (each sample weighs the CPU time it stands for,
 * so shares do not depend on the rate) and says so. `tick`: the tick rate (default: the kernel's
 * CONFIG_HZ, read only for --sample); null: unknown, any rate passes.
 */
export function checkSampleRate(o: RecordOptions, warn: (line: string) => void, tick?: number | null): void {
  const hz = o.sample?.hz;
  if (hz === undefined) return;
  // Looked up only here: reading the kernel's config (gunzip of /proc/config.gz) costs every recording ~8 ms.
  const tickHz = tick === undefined ? findTickHz() ?? null : tick;
  if (tickHz === null) return;
  if (hz > tickHz) {
    throw new UsageError(`--sample=${hz}: the scheduler tick is ${tickHz} Hz on this kernel (CONFIG_HZ), the highest rate sched_stat_runtime gives: use --sample=${tickHz} or less`);
  }
  if (hz < tickHz) warn(`--sample=${hz}: samples come at the scheduler tick, ${tickHz} Hz here; each one weighs the CPU time it stands for`);
}
