import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { TextOutput } from "../base/index.js";
import { TimestampFormatter, TsDiffColumn, isNanosecondClock, timestampStyle } from "./timestamps.js";

test("TimestampFormatter usec rounds to the nearest microsecond", () => {
  const f = new TimestampFormatter("usec");
  assert.equal(f.column(12345678902734), " 12345.678903:");
  assert.equal(f.column(12345678902499), " 12345.678902:");
  assert.equal(f.column(12345678902500), " 12345.678903:");
  assert.equal(f.column(5000000000), "     5.000000:");
  assert.equal(f.column(999999500), "     1.000000:");
  assert.equal(f.column(0), "     0.000000:");
});

test("TimestampFormatter usec widens for seconds above 99999", () => {
  assert.equal(new TimestampFormatter("usec").column(123456000001000), " 123456.000001:");
});

test("TimestampFormatter nsec prints nine digits", () => {
  const f = new TimestampFormatter("nsec");
  assert.equal(f.column(12345678901234), " 12345.678901234:");
  assert.equal(f.column(5000000007), "     5.000000007:");
});

test("TimestampFormatter raw prints 12 columns without the leading space", () => {
  const f = new TimestampFormatter("raw");
  assert.equal(f.column(5000000123), "  5000000123:");
  assert.equal(f.core(123), "         123");
  assert.equal(f.column(1234567890123456), "1234567890123456:");
});

test("TimestampFormatter core is the --first-event form", () => {
  assert.equal(new TimestampFormatter("usec").core(41405527000), "   41.405527");
});

test("isNanosecondClock follows trace-cmd 3.1.6's list", () => {
  for (const c of ["local", "global", "uptime", "perf", "mono", "mono_raw", "tai", "tsc2nsec"]) assert.ok(isNanosecondClock(c), c);
  for (const c of ["counter", "x86-tsc", "boot"]) assert.ok(!isNanosecondClock(c), c);
});

test("timestampStyle picks raw for counters and --raw-ts only when the file names a clock", () => {
  const base = { hasTsc2nsec: false, nsTimestamps: false, rawTs: false };
  assert.equal(timestampStyle({ ...base, clock: "local" }), "usec");
  assert.equal(timestampStyle({ ...base, clock: "local", nsTimestamps: true }), "nsec");
  assert.equal(timestampStyle({ ...base, clock: "counter", nsTimestamps: true }), "raw");
  assert.equal(timestampStyle({ ...base, clock: "x86-tsc", hasTsc2nsec: true }), "usec");
  assert.equal(timestampStyle({ ...base, clock: undefined, rawTs: true }), "usec");
  assert.equal(timestampStyle({ ...base, clock: "local", rawTs: true }), "raw");
});

test("TsDiffColumn prints the delta to the previous event, empty first", () => {
  const d = new TsDiffColumn();
  assert.equal(d.column(12345678901000, false), "         ");
  assert.equal(d.column(12345678902500, false), " (+1500) ");
  const u = new TsDiffColumn();
  u.column(1000400, true);
  assert.equal(u.column(1002600, true), " (+3)    ");
});

test("TimestampFormatter.column past 2^53 ns rounds as the double's own digits say", () => {
  // 2^60 ns = 1152921504.606846976 s; as a double it is exact, and rounds to .606847.
  assert.equal(new TimestampFormatter("usec").column(2 ** 60), " 1152921504.606847:");
  assert.equal(new TimestampFormatter("usec").column(2 ** 53 + 2), " 9007199.254741:");
});

test("TimestampFormatter.writeColumn writes what column() returns, at rounding and second boundaries", async () => {
  const chunks: Buffer[] = [];
  const out = new TextOutput(new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) }));
  const stamps = [0, 499, 500, 999_999_499, 999_999_500, 1e9, 7_803_332_123, 2 ** 31, 2 ** 32 + 777, 2 ** 43 + 499, 2 ** 43 + 500, 2 ** 52 + 1501, 2 ** 53 - 1, -1];
  for (let ts = 12345; ts < 2 ** 64; ts = ts * 3 + 499) stamps.push(ts);
  let expected = "";
  for (const style of ["usec", "nsec", "raw"] as const) {
    for (const base of [0, 1700000000]) {
      const a = new TimestampFormatter(style, base);
      const b = new TimestampFormatter(style, base);
      for (const ts of stamps) {
        expected += a.column(ts);
        b.writeColumn(ts, out);
      }
    }
  }
  await out.flush();
  assert.equal(Buffer.concat(chunks).toString("latin1"), expected);
});
