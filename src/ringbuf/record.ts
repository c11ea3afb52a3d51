// The reusable record cursor that flows from the page decoder to the event formatters.
// One object per stream, updated in place: no object is allocated per event.

/** A view of one ring-buffer record; valid until the stream that owns it moves on. */
export interface RawRecord {
  /** Bytes holding the record (usually one sub-buffer). */
  buf: Uint8Array;
  /** DataView over exactly `buf` (same buffer, byteOffset and byteLength). */
  view: DataView;
  /** Offset in `buf` of the payload, which starts with `common_type`. */
  pos: number;
  /** Payload length in bytes; may include up to 7 bytes of alignment padding. */
  len: number;
  /** Timestamp in trace-clock units (ns for ns clocks), after file adjustments; exact below 2^53. */
  ts: number;
  /** CPU the record was read from. */
  cpu: number;
  /** Events lost just before this record: 0 none, -1 an unknown number, N > 0 that many. */
  missedEvents: number;
  /** The first record read from its sub-buffer (time extends before it do not count): report --boundary. */
  atPageStart?: boolean;
}

/** Makes an empty cursor, to be filled in by a decoder. */
export function createRawRecord(): RawRecord {
  const buf = new Uint8Array(0);
  return { buf, view: new DataView(buf.buffer), pos: 0, len: 0, ts: 0, cpu: 0, missedEvents: 0, atPageStart: false };
}
