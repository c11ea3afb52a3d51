// The libtraceevent sched_switch plugin (ring-buffer-and-events.md §8.2): sched_switch, sched_wakeup and
// sched_wakeup_new lines; both register the comm/pid pairs they print (§6.2).
import type { RawRecord } from "../../ringbuf/index.js";
import { latin1Z } from "../field-readers.js";
import { fieldU64, lld, type PluginFactory } from "./plugin.js";

const STATES = "SDTtZXxW";

function stateText(v: number): string {
  let s = "";
  for (let i = 0; i < 8; i++) {
    if (!(v & (1 << i))) continue;
    if (s) s += "|";
    s += STATES[i];
  }
  return s || "R";
}

/** write_and_save_comm(): prints the comm field and registers it for pid. */
function commWriter(ev: Parameters<PluginFactory>[0], name: string): ((rec: RawRecord) => string) | undefined {
  const f = ev.findField(name);
  if (!f) return undefined;
  const off = f.offset;
  const size = f.size;
  return (rec) => latin1Z(rec.buf, rec.pos + off, rec.pos + off + size);
}

/** sched:sched_switch. */
export const schedSwitchPlugin: PluginFactory = (ev, env) => {
  const prevPid = fieldU64(ev, "prev_pid", env.info);
  const nextPid = fieldU64(ev, "next_pid", env.info);
  const prevComm = commWriter(ev, "prev_comm");
  const nextComm = commWriter(ev, "next_comm");
  const prevPrio = fieldU64(ev, "prev_prio", env.info);
  const prevState = fieldU64(ev, "prev_state", env.info);
  const nextPrio = fieldU64(ev, "next_prio", env.info);
  const tasks = env.tasks;
  const h = {
    pretty: false,
    render: (rec: RawRecord): string => {
      if (!prevPid) {
        h.pretty = true;
        return "<CANT FIND FIELD prev_pid>!";
      }
      let s = "";
      const pp = prevPid(rec);
      if (prevComm) {
        const c = prevComm(rec);
        tasks.register(Number(BigInt.asIntN(32, pp)), c);
        s += c + ":";
      }
      s += lld(pp) + " ";
      if (prevPrio) s += "[" + BigInt.asIntN(32, prevPrio(rec)).toString() + "] ";
      if (prevState) s += stateText(Number(prevState(rec) & 0xffn));
      s += " ==> ";
      if (!nextPid) {
        h.pretty = true;
        return s + "<CANT FIND FIELD next_pid>!";
      }
      const np = nextPid(rec);
      if (nextComm) {
        const c = nextComm(rec);
        tasks.register(Number(BigInt.asIntN(32, np)), c);
        s += c + ":";
      }
      s += lld(np);
      if (nextPrio) s += " [" + BigInt.asIntN(32, nextPrio(rec)).toString() + "]";
      return s;
    },
  };
  return h;
};

/** sched:sched_wakeup and sched:sched_wakeup_new. */
export const schedWakeupPlugin: PluginFactory = (ev, env) => {
  const pid = fieldU64(ev, "pid", env.info);
  const comm = commWriter(ev, "comm");
  const prio = fieldU64(ev, "prio", env.info);
  const success = fieldU64(ev, "success", env.info);
  const targetCpu = fieldU64(ev, "target_cpu", env.info);
  const tasks = env.tasks;
  const h = {
    pretty: false,
    render: (rec: RawRecord): string => {
      if (!pid) {
        h.pretty = true;
        return "<CANT FIND FIELD pid>!";
      }
      let s = "";
      const p = pid(rec);
      if (comm) {
        const c = comm(rec);
        tasks.register(Number(BigInt.asIntN(32, p)), c);
        s += c + ":";
      }
      s += lld(p);
      if (prio) s += " [" + lld(prio(rec)) + "]";
      else s += "<CANT FIND FIELD prio>";
      if (success) s += " success=" + lld(success(rec));
      if (targetCpu) s += " CPU:" + BigInt.asUintN(64, targetCpu(rec)).toString().padStart(3, "0");
      return s;
    },
  };
  return h;
};
