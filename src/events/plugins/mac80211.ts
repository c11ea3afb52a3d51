// The libtraceevent mac80211 plugin (ring-buffer-and-events.md §8.2): mac80211:drv_bss_info_changed.
import type { RawRecord } from "../../ringbuf/index.js";
import { latin1Z } from "../field-readers.js";
import { fieldU64, ownField, type PluginFactory } from "./plugin.js";

const INDENT = "\n" + " ".repeat(65);

/** mac80211:drv_bss_info_changed. */
export const bssInfoChangedPlugin: PluginFactory = (ev, env) => {
  const le = env.info.littleEndian;
  const str = (name: string): ((rec: RawRecord) => string) => {
    const f = ownField(ev, name);
    if (!f) return () => "NOTFOUND:" + name;
    return (rec) => {
      let off = f.offset;
      let len = f.size;
      if (f.type.startsWith("__data_loc")) {
        const v = f.offset + f.size > rec.len ? 0 : f.size === 4 ? rec.view.getUint32(rec.pos + f.offset, le) : rec.view.getUint16(rec.pos + f.offset, le);
        off = v & 0xffff;
        len = v >>> 16;
      }
      // Only the record's bytes (a corrupt location must not read the next record or past the page).
      const start = Math.min(off, rec.len);
      return latin1Z(rec.buf, rec.pos + start, rec.pos + Math.min(off + len, rec.len));
    };
  };
  const num = (name: string, hex: boolean): ((rec: RawRecord) => string) => {
    const f = fieldU64(ev, name, env.info);
    if (!f) return () => "";
    return (rec) => {
      const v = Number(BigInt.asIntN(32, f(rec)));
      return name + ":" + (hex ? (v === 0 ? "0" : "0x" + (v >>> 0).toString(16)) : String(v));
    };
  };
  const wiphy = str("wiphy_name");
  const vif = str("vif_name");
  const vifType = fieldU64(ev, "vif_type", env.info);
  const line1 = ["assoc", "aid", "cts", "shortpre", "shortslot", "dtimper"].map((n) => num(n, false));
  const bcnint = num("bcnint", false);
  const assocCap = num("assoc_cap", true);
  const basicRates = num("basic_rates", true);
  const enableBeacon = num("enable_beacon", false);
  const ht = num("ht_operation_mode", false);
  return {
    pretty: false,
    render: (rec) => {
      let s = wiphy(rec) + " vif:" + vif(rec);
      s += vifType ? "(" + BigInt.asIntN(32, vifType(rec)).toString() + ")" : `CAN'T FIND FIELD "vif_type"`;
      s += INDENT;
      for (const f of line1) s += f(rec) + " ";
      s += INDENT + bcnint(rec) + " " + assocCap(rec) + " " + basicRates(rec) + " " + enableBeacon(rec);
      s += INDENT + ht(rec);
      return s;
    },
  };
};
