// The libtraceevent tlb plugin (ring-buffer-and-events.md §8.2): tlb:tlb_flush.
import type { RawRecord } from "../../ringbuf/index.js";
import { fieldU64, lld, type PluginFactory } from "./plugin.js";

const REASONS = ["flush on task switch", "remote shootdown", "local shootdown", "local mm shootdown"];

/** tlb:tlb_flush. */
export const tlbFlushPlugin: PluginFactory = (ev, env) => {
  const pages = fieldU64(ev, "pages", env.info);
  const reason = fieldU64(ev, "reason", env.info);
  const h = {
    pretty: false,
    render: (rec: RawRecord): string => {
      let s = "pages=" + (pages ? lld(pages(rec)) : `CAN'T FIND FIELD "pages"`);
      if (!reason) {
        h.pretty = true;
        return s + "<CANT FIND FIELD reason>";
      }
      const v = reason(rec);
      s += " reason=" + (v < 4n ? REASONS[Number(v)]! : "");
      return s + " (" + lld(v) + ")";
    },
  };
  return h;
};
