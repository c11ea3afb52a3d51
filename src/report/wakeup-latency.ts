// `report -w`: wakeup latency as trace-cmd 3.1.6 prints it (trace-read.c). A successful sched_wakeup or
// sched_wakeup_new of a pid starts a wait; the next sched_switch to that pid ends it and its line gets
// ` Latency: N.NNN usecs`. The summary (all tasks, then RT tasks: next_prio <= 99) follows the events.
import { fieldNumberReader, type EventTable } from "../events/index.js";
import type { RawRecord } from "../ringbuf/index.js";
import { traceHash } from "./trace-hash.js";

type Reader = (rec: RawRecord) => number;

/** Latency statistics of one class of tasks, in ns. */
class Timings {
  total = 0n;
  count = 0;
  max = 0;
  maxTs = 0;
  min = -1;
  minTs = 0;

  add(lat: number, ts: number): void {
    if (lat > this.max) {
      this.max = lat;
      this.maxTs = ts;
    }
    if (this.min < 0 || lat < this.min) {
      this.min = lat;
      this.minTs = ts;
    }
    this.total += BigInt(lat);
    this.count++;
  }

  text(): string {
    const usecs = (ns: number | bigint): string => {
      const n = BigInt(ns);
      return `${n / 1000n}.${String(n % 1000n).padStart(3, "0")}`;
    };
    // The fraction of the timestamps is ((ts + 500) % 1e9) / 1000, without a carry into the seconds.
    const stamp = (ts: number): string => {
      const t = BigInt(ts);
      return `${t / 1000000000n}.${String(((t + 500n) % 1000000000n) / 1000n).padStart(6, "0")}`;
    };
    return (
      `\nAverage wakeup latency: ${usecs(this.total / BigInt(this.count))} usecs\n` +
      `Maximum Latency: ${usecs(this.max)} usecs at timestamp: ${stamp(this.maxTs)}\n` +
      `Minimum Latency: ${usecs(this.min)} usecs at timestamp: ${stamp(this.minTs)}\n\n`
    );
  }
}

/** Tracks wakeups and switches of the shown records; undefined from create() when the file lacks the events. */
export class WakeupLatency {
  private readonly waits = new Map<number, number>();
  private readonly all = new Timings();
  private readonly rt = new Timings();

  private constructor(
    private readonly le: boolean,
    private readonly wakeup: { id: number; pid: Reader; success: Reader | undefined },
    private readonly wakeupNew: { id: number; pid: Reader; success: Reader | undefined } | undefined,
    private readonly sched: { id: number; pid: Reader; prio: Reader },
  ) {}

  /** The tracker for the events of `table` (the first input's), as trace-cmd's init_wakeup(). */
  static create(table: EventTable): WakeupLatency | undefined {
    const find = (name: string) => [...table.all()].find((e) => e.system === "sched" && e.name === name);
    const reader = (ev: ReturnType<typeof find>, name: string): Reader | undefined => {
      const f = ev?.findField(name);
      return f !== undefined && [1, 2, 4, 8].includes(f.size) ? fieldNumberReader(f, table.info) : undefined;
    };
    const w = find("sched_wakeup");
    const s = find("sched_switch");
    const wPid = reader(w, "pid");
    const sPid = reader(s, "next_pid");
    const sPrio = reader(s, "next_prio");
    if (w === undefined || s === undefined || wPid === undefined || sPid === undefined || sPrio === undefined) return undefined;
    const n = find("sched_wakeup_new");
    let wakeupNew;
    if (n !== undefined) {
      const nPid = reader(n, "pid");
      if (nPid === undefined) return undefined;
      wakeupNew = { id: n.id, pid: nPid, success: reader(n, "success") };
    }
    return new WakeupLatency(table.info.littleEndian, { id: w.id, pid: wPid, success: reader(w, "success") }, wakeupNew, { id: s.id, pid: sPid, prio: sPrio });
  }

  /** Accounts one shown record; returns the text to append to its line ("" for most). */
  record(rec: RawRecord): string {
    if (rec.len < 2) return "";
    const id = rec.view.getUint16(rec.pos, this.le);
    const w = id === this.wakeup.id ? this.wakeup : id === this.wakeupNew?.id ? this.wakeupNew : undefined;
    if (w !== undefined) {
      if (w.success !== undefined && w.success(rec) === 0) return "";
      this.waits.set(traceHash(w.pid(rec) >>> 0), rec.ts);
      return "";
    }
    if (id !== this.sched.id) return "";
    // next_prio is read unsigned: a negative one is not RT.
    const prio = this.sched.prio(rec);
    const key = traceHash(this.sched.pid(rec) >>> 0);
    const start = this.waits.get(key);
    if (start === undefined) return "";
    this.waits.delete(key);
    const lat = rec.ts - start;
    this.all.add(lat, rec.ts);
    if (prio <= 99) this.rt.add(lat, rec.ts);
    return ` Latency: ${Math.floor(lat / 1000)}.${String(lat % 1000).padStart(3, "0")} usecs`;
  }

  /** The summary printed after the events ("" when no latency was measured). */
  summary(): string {
    if (this.all.count === 0) return "";
    return this.all.text() + (this.rt.count > 0 ? "RT task timings:\n" + this.rt.text() : "");
  }
}
