// The libtraceevent futex plugin (ring-buffer-and-events.md §8.2): syscalls:sys_enter_futex.
import type { RawRecord } from "../../ringbuf/index.js";
import { fieldU64, type PluginFactory } from "./plugin.js";

type Fmt = "x" | "u" | undefined;
const OPS: [string, Fmt, Fmt, Fmt, Fmt][] = [
  ["FUTEX_WAIT", "x", "x", undefined, undefined],
  ["FUTEX_WAKE", "u", undefined, undefined, undefined],
  ["FUTEX_FD", "u", undefined, undefined, undefined],
  ["FUTEX_REQUEUE", "u", "u", "x", undefined],
  ["FUTEX_CMP_REQUEUE", "u", "u", "x", "x"],
  ["FUTEX_WAKE_OP", "u", "u", "x", "x"],
  ["FUTEX_LOCK_PI", undefined, "x", undefined, undefined],
  ["FUTEX_UNLOCK_PI", undefined, undefined, undefined, undefined],
  ["FUTEX_TRYLOCK_PI", undefined, undefined, undefined, undefined],
  ["FUTEX_WAIT_BITSET", "x", "x", undefined, "x"],
  ["FUTEX_WAKE_BITSET", "u", undefined, undefined, "x"],
  ["FUTEX_WAIT_REQUEUE_PI", "x", "x", "x", "x"],
  ["FUTEX_CMP_REQUEUE_PI", "u", "u", "x", "x"],
];

function hex8(v: bigint): string {
  return "0x" + v.toString(16).padStart(8, "0");
}

/** syscalls:sys_enter_futex; falls back to the print fmt when a field is missing or the command unknown. */
export const futexPlugin: PluginFactory = (ev, env) => {
  const names = ["uaddr", "op", "val", "utime", "uaddr2", "val3"];
  const rd = names.map((n) => fieldU64(ev, n, env.info));
  if (rd.some((r) => r === undefined)) return undefined;
  const [uaddr, op, val, utime, uaddr2, val3] = rd as ((rec: RawRecord) => bigint)[];
  const opField = ev.findField("op")!;
  const opEnd = opField.offset + opField.size;
  const h = {
    pretty: false,
    render: (rec: RawRecord): string => {
      // An op past the end of a short record: libtraceevent reads the bytes after it, and what they make
      // is no command of its table (or depends on them); the print fmt shows the record instead.
      if (opEnd > rec.len) {
        h.pretty = true;
        return "";
      }
      const o = op!(rec);
      // FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME), on the whole 64-bit value.
      const c = o & ~0x180n & 0xffffffffffffffffn;
      const cmd = c < 13n ? Number(c) : 99;
      h.pretty = false;
      const entry = OPS[cmd];
      if (!entry) {
        h.pretty = true;
        return "";
      }
      const [name, fv, fu, fa, f3] = entry;
      let s = "op=" + name;
      if (o & 128n) s += "|FUTEX_PRIVATE_FLAG";
      if (o & 256n) s += "|FUTEX_CLOCK_REALTIME";
      s += " uaddr=" + hex8(uaddr!(rec));
      if (fv) s += " val=" + (fv === "x" ? hex8(val!(rec)) : val!(rec).toString());
      if (fu) s += fu === "x" ? " utime=" + hex8(utime!(rec)) : " val2=" + utime!(rec).toString();
      if (fa) s += " uaddr2=" + hex8(uaddr2!(rec));
      if (f3) s += " val3=" + hex8(val3!(rec));
      return s;
    },
  };
  return h;
};
