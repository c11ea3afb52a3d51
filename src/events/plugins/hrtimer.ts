// The libtraceevent hrtimer plugin (ring-buffer-and-events.md §8.2): hrtimer_start and hrtimer_expire_entry.
import type { RawRecord } from "../../ringbuf/index.js";
import type { Kallsyms } from "../kallsyms.js";
import { fieldU64, type PluginFactory } from "./plugin.js";

type U64 = ((rec: RawRecord) => bigint) | undefined;

function num(f: U64, name: string, hex: boolean): (rec: RawRecord) => string {
  if (!f) return () => `CAN'T FIND FIELD "${name}"`;
  return hex ? (rec) => "0x" + f(rec).toString(16) : (rec) => f(rec).toString();
}

function funcText(kallsyms: Kallsyms, v: bigint): string {
  const start = kallsyms.startOf(v);
  if (start === undefined) return "0x" + v.toString(16).padStart(8, "0");
  return kallsyms.nameOf(v)! + "/0x" + BigInt.asUintN(64, start - v).toString(16);
}

function timerField(ev: Parameters<PluginFactory>[0], env: Parameters<PluginFactory>[1]): (rec: RawRecord) => string {
  const t = fieldU64(ev, "timer", env.info);
  return num(t ?? fieldU64(ev, "hrtimer", env.info), "hrtimer", true);
}

/** timer:hrtimer_start. */
export const hrtimerStartPlugin: PluginFactory = (ev, env) => {
  const timer = timerField(ev, env);
  const fn = fieldU64(ev, "function", env.info);
  const expires = num(fieldU64(ev, "expires", env.info), "expires", false);
  const soft = num(fieldU64(ev, "softexpires", env.info), "softexpires", false);
  const { kallsyms } = env;
  return {
    pretty: false,
    render: (rec) =>
      "hrtimer=" + timer(rec) + (fn ? " function=" + funcText(kallsyms, fn(rec)) : "") + " expires=" + expires(rec) + " softexpires=" + soft(rec),
  };
};

/** timer:hrtimer_expire_entry. */
export const hrtimerExpirePlugin: PluginFactory = (ev, env) => {
  const timer = timerField(ev, env);
  const now = num(fieldU64(ev, "now", env.info), "now", false);
  const fn = fieldU64(ev, "function", env.info);
  const { kallsyms } = env;
  return {
    pretty: false,
    render: (rec) => "hrtimer=" + timer(rec) + " now=" + now(rec) + (fn ? " function=" + funcText(kallsyms, fn(rec)) : ""),
  };
};
