// Timestamp display of `trace-cmd report` 3.1.6 (report-output.md §3): µs (rounded), ns (`-t`) or raw
// 12-column integers for clocks that do not count nanoseconds, and the `--ts-diff` column (§6).
import { putBytes, type TextOutput } from "../base/index.js";
import { DIGITS3, latin1Bytes, padLeft, padRight, put3, zero6, zero9 } from "./digits.js";

/** Longest µs column: a space, the seconds of a 64-bit ns count plus a date (< 17 digits), and `.nnnnnn:`. */
export const USEC_COLUMN_MAX = 1 + 17 + 8;

/** How timestamps are shown: "usec" (default), "nsec" (`-t`), "raw" (not a ns clock, or `--raw-ts`). */
export type TimestampStyle = "usec" | "nsec" | "raw";

/** Trace clocks whose values are nanoseconds, so that trace-cmd prints seconds (report-output.md §3). */
export function isNanosecondClock(clock: string): boolean {
  return (
    clock === "local" ||
    clock === "global" ||
    clock === "uptime" ||
    clock === "perf" ||
    clock.startsWith("mono") ||
    clock === "tsc2nsec" ||
    clock === "tai"
  );
}

/**
 * The display style for one file. `clock` is the selected trace clock (undefined when the file has no
 * TRACECLOCK option, or it names no clock), `hasTsc2nsec` whether it has a TSC2NSEC option.
 */
export function timestampStyle(options: {
  clock: string | undefined;
  hasTsc2nsec: boolean;
  nsTimestamps: boolean;
  rawTs: boolean;
}): TimestampStyle {
  const { clock } = options;
  if (clock !== undefined && clock !== "") {
    // --raw-ts only switches to integers when a clock was named (extract_trace_clock in 3.1.6).
    if (options.rawTs) return "raw";
    if (!options.hasTsc2nsec && !isNanosecondClock(clock)) return "raw";
  }
  return options.nsTimestamps ? "nsec" : "usec";
}

const TWO_53 = 2 ** 53;

/** Math.floor(a / d) for 0 <= a < 2^53 and d > 0, exact: the quotient of doubles may round up to the next integer. */
function floorDiv(a: number, d: number): number {
  const q = Math.floor(a / d);
  const r = a - q * d;
  return r < 0 ? q - 1 : r >= d ? q + 1 : q;
}

/** Splits integer `a` (exact, >= 0) by `d` without floating-point rounding: [quotient, remainder]. */
function divmod(a: number, d: number): [number, number] {
  const r = a % d;
  return [(a - r) / d, r];
}

/**
 * Formats timestamps in one style. `core()` is the `--first-event` form (`%5llu.%06llu`, `%5llu.%09llu`
 * or `%12llu`); `column()` is the event-line form with its leading space (not for raw) and colon.
 */
export class TimestampFormatter {
  private lastSecs = -1;
  private lastSecsText = "";
  /** The column's start for lastSecs: lead, seconds and the dot. */
  private lastColumnHead = "";
  private lastColumnHeadBytes: Uint8Array = latin1Bytes("");
  private readonly lead: string;

  /** `baseSecs`: whole seconds to add to every timestamp shown (TraceFile.dateSecs). */
  constructor(
    readonly style: TimestampStyle,
    private readonly baseSecs = 0,
  ) {
    this.lead = style === "raw" ? "" : " ";
  }

  /** The timestamp without separators, e.g. `12345.678901`. */
  core(ts: number): string {
    if (ts < 0 || !Number.isFinite(ts)) ts = 0;
    if (this.style === "raw") return padLeft(this.baseSecs === 0 ? String(ts) : String(BigInt(ts) + BigInt(this.baseSecs) * 1000000000n), 12);
    let secs: number;
    let frac: string;
    if (this.style === "usec") {
      // (ts + 500) / 1000: round to the nearest µs, as libtraceevent's "%6.1000d".
      let [us, rem] = divmod(ts, 1000);
      if (rem >= 500) us += 1;
      const [s, f] = divmod(us, 1000000);
      secs = s;
      frac = zero6(f);
    } else {
      const [s, f] = divmod(ts, 1000000000);
      secs = s;
      frac = zero9(f);
    }
    this.setSecs(secs);
    return this.lastSecsText + "." + frac;
  }

  private setSecs(secs: number): void {
    if (secs !== this.lastSecs) {
      this.lastSecs = secs;
      this.lastSecsText = padLeft(String(secs + this.baseSecs), 5);
      this.lastColumnHead = this.lead + this.lastSecsText + ".";
      this.lastColumnHeadBytes = latin1Bytes(this.lastColumnHead);
    }
  }

  /** The event-line column: ` 12345.678901:` (µs/ns) or `  5000000123:` (raw). */
  column(ts: number): string {
    if (this.style !== "usec" || !(ts >= 0)) return this.lead + this.core(ts) + ":";
    // Fast path of core() for µs: one concatenation with the cached seconds.
    const f = this.usecFraction(ts);
    const lo = f % 1000;
    return this.lastColumnHead + DIGITS3[(f - lo) / 1000]! + DIGITS3[lo]! + ":";
  }

  /** Rounds ts (>= 0) to µs, caches the seconds' column head and returns the µs within the second. */
  private usecFraction(ts: number): number {
    if (ts >= TWO_53) {
      // Past exact integers: the rounding of the %-based arithmetic, as before the fast path.
      const rem = ts % 1000;
      let us = (ts - rem) / 1000;
      if (rem >= 500) us += 1;
      const f = us % 1000000;
      this.setSecs((us - f) / 1000000);
      return f;
    }
    // Division and floor instead of %: a double's % is a C call, and ts is past 2^31 (nanoseconds).
    let us = floorDiv(ts, 1000);
    if (ts - us * 1000 >= 500) us += 1;
    const secs = floorDiv(us, 1000000);
    this.setSecs(secs);
    return us - secs * 1000000;
  }

  /** Writes column(ts) to `out`. */
  writeColumn(ts: number, out: TextOutput): void {
    if (this.style !== "usec" || !(ts >= 0)) out.write(this.column(ts));
    else out.at = this.putUsecColumn(ts, out.room(USEC_COLUMN_MAX), out.at);
  }

  /** True when putUsecColumn() can write the column of ts. */
  isUsecColumn(ts: number): boolean {
    return this.style === "usec" && ts >= 0;
  }

  /** Writes the µs column of ts >= 0 (at most USEC_COLUMN_MAX bytes) at buf[at]; returns the end. */
  putUsecColumn(ts: number, buf: Uint8Array, at: number): number {
    const f = this.usecFraction(ts);
    at = putBytes(buf, at, this.lastColumnHeadBytes);
    const hi = ((f | 0) / 1000) | 0;
    at = put3(buf, at, hi);
    at = put3(buf, at, f - hi * 1000);
    buf[at] = 58;
    return at + 1;
  }
}

/**
 * The `--ts-diff` column ` %-8s` of `(+<delta>)` (report-output.md §6). One instance serves the whole
 * report: trace-cmd keeps the previous timestamp in a static shared by all files.
 */
export class TsDiffColumn {
  private lastTs = 0;

  /**
   * `inUsecs`: the file has a TRACECLOCK option and `-t` was not given, so deltas are in µs (rounded).
   */
  column(ts: number, inUsecs: boolean): string {
    let t = ts;
    if (inUsecs) {
      const [us, rem] = divmod(t, 1000);
      t = rem >= 500 ? us + 1 : us;
    }
    // trace-cmd tests `if (last_ts)`: a previous timestamp of 0 prints an empty delta.
    const text = this.lastTs !== 0 ? "(+" + String(t - this.lastTs) + ")" : "";
    this.lastTs = t;
    return " " + padRight(text, 8);
  }
}
