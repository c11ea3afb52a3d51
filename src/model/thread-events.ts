// Events that name threads or tie them to processes (sched_process_fork, task_newtask, task_rename,
// sched_process_exec, sched_switch, sched_wakeup*), applied to a ThreadTable as they stream by.
import type { TraceFile } from "../tracedat/index.js";
import { findEvent, hasFields, numberField, stringField } from "./bind.js";
import type { HandlerTable } from "./facts.js";
import { CLONE_THREAD, type ThreadTable } from "./threads.js";

/** Registers the handlers that keep `threads` up to date. */
export function bindThreadEvents(trace: TraceFile, threads: ThreadTable, handlers: HandlerTable): void {
  const fork = findEvent(trace, "sched", "sched_process_fork");
  if (hasFields(fork, "child_pid", "child_comm")) {
    const child = numberField(trace, fork, "child_pid");
    const comm = stringField(trace, fork, "child_comm");
    handlers.add(fork, (rec) => threads.setName(child(rec), comm(rec)));
  }
  const newtask = findEvent(trace, "task", "task_newtask");
  if (hasFields(newtask, "pid", "comm", "clone_flags")) {
    const pid = numberField(trace, newtask, "pid");
    const comm = stringField(trace, newtask, "comm");
    const flags = numberField(trace, newtask, "clone_flags");
    handlers.add(newtask, (rec, utid) => {
      const child = pid(rec);
      threads.setName(child, comm(rec));
      // The creator (common_pid) is in the new thread's group with CLONE_THREAD; else the child leads its own.
      if ((flags(rec) & CLONE_THREAD) !== 0) {
        const parent = threads.threads[utid]!;
        threads.setTgid(child, parent.upid !== undefined ? threads.processes[parent.upid]!.pid : parent.tid);
      } else {
        threads.setTgid(child, child);
      }
    });
  }
  const rename = findEvent(trace, "task", "task_rename");
  if (hasFields(rename, "pid", "newcomm")) {
    const pid = numberField(trace, rename, "pid");
    const comm = stringField(trace, rename, "newcomm");
    handlers.add(rename, (rec) => threads.setName(pid(rec), comm(rec)));
  }
  const exec = findEvent(trace, "sched", "sched_process_exec");
  if (hasFields(exec, "pid")) {
    const pid = numberField(trace, exec, "pid");
    handlers.add(exec, (rec) => threads.setTgid(pid(rec), pid(rec)));
  }
  const sw = findEvent(trace, "sched", "sched_switch");
  if (hasFields(sw, "prev_pid", "prev_comm", "next_pid", "next_comm")) {
    const prev = numberField(trace, sw, "prev_pid");
    const prevComm = stringField(trace, sw, "prev_comm");
    const next = numberField(trace, sw, "next_pid");
    const nextComm = stringField(trace, sw, "next_comm");
    handlers.add(sw, (rec) => {
      const p = prev(rec);
      const n = next(rec);
      if (p !== 0) threads.setName(p, prevComm(rec));
      if (n !== 0) threads.setName(n, nextComm(rec));
    });
  }
  for (const name of ["sched_wakeup", "sched_wakeup_new", "sched_waking"]) {
    const ev = findEvent(trace, "sched", name);
    if (!hasFields(ev, "pid", "comm")) continue;
    const pid = numberField(trace, ev, "pid");
    const comm = stringField(trace, ev, "comm");
    handlers.add(ev, (rec) => threads.setName(pid(rec), comm(rec)));
  }
}
