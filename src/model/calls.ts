// Calls as slices: function_graph entry/exit (ftrace:funcgraph_entry/exit, ring-buffer-and-events.md §8.1)
// and ufuncgraph uprobe entry/return pairs, matched per thread on a stack. A function_graph slice spans
// the exit record's calltime..rettime (the duration report prints), moved by the file's timestamp offset,
// so that calls nest exactly; with a TSC2NSEC conversion it starts at its entry record instead.
import { FunctionNames, bindFuncGraphFields, findUfuncEvents } from "../report/index.js";
import type { TraceFile } from "../tracedat/index.js";
import type { HandlerTable, ModelSink } from "./facts.js";

/** A per-thread call stack in flat arrays (entry ts, depth, name, category). */
class CallStack {
  ts: number[] = [];
  depth: number[] = [];
  name: string[] = [];
  category: string[] = [];
  get size(): number {
    return this.ts.length;
  }
  push(ts: number, depth: number, name: string, category: string): void {
    this.ts.push(ts);
    this.depth.push(depth);
    this.name.push(name);
    this.category.push(category);
  }
  pop(): void {
    this.ts.pop();
    this.depth.pop();
    this.name.pop();
    this.category.pop();
  }
}

/** Pairs function_graph and ufuncgraph events into slices; call finish() at the end. */
export class CallTracker {
  private readonly graph: (CallStack | undefined)[] = [];
  private readonly ufunc: (CallStack | undefined)[] = [];

  constructor(trace: TraceFile, private readonly sink: ModelSink, handlers: HandlerTable) {
    const fg = bindFuncGraphFields(trace.events);
    if (fg !== undefined) {
      const names = new FunctionNames(trace.kallsymsTable);
      const offset = trace.tsc2nsec === undefined ? trace.tsOffset : undefined;
      const table = trace.events;
      handlers.add(table.byId(fg.entryId), (rec, utid) => {
        const s = (this.graph[utid] ??= new CallStack());
        s.push(rec.ts, fg.entryDepth(rec), names.text(fg.entryFuncLo(rec), fg.entryFuncHi(rec)), "funcgraph");
      });
      handlers.add(table.byId(fg.exitId), (rec, utid) => {
        const depth = fg.exitDepth(rec);
        const dur = fg.rettime(rec) - fg.calltime(rec);
        const s = this.graph[utid];
        // Entries deeper than this exit never got theirs (lost events): they close open-ended.
        while (s !== undefined && s.size > 0 && s.depth[s.size - 1]! > depth) {
          this.sink.slice?.(s.ts[s.size - 1]!, -1, s.depth[s.size - 1]!, s.name[s.size - 1]!, "funcgraph", utid);
          s.pop();
        }
        const matched = s !== undefined && s.size > 0 && s.depth[s.size - 1] === depth;
        const start = offset !== undefined ? fg.calltime(rec) + offset : matched ? s.ts[s.size - 1]! : rec.ts - dur;
        if (matched) {
          this.sink.slice?.(start, dur, depth, s.name[s.size - 1]!, "funcgraph", utid);
          s.pop();
        } else {
          this.sink.slice?.(start, dur, depth, names.text(fg.exitFuncLo(rec), fg.exitFuncHi(rec)), "funcgraph", utid);
        }
      });
    }
    for (const [id, u] of findUfuncEvents(trace)) {
      const ev = trace.events.byId(id);
      // Only uprobes (ufuncgraph names returns FUNC__return); kprobe returns are named freely (myopen_ret).
      if (ev?.system !== "uprobes") continue;
      const category = "ufuncgraph";
      if (!u.isReturn) {
        handlers.add(ev, (rec, utid) => {
          const s = (this.ufunc[utid] ??= new CallStack());
          s.push(rec.ts, s.size, u.func, category);
        });
        continue;
      }
      handlers.add(ev, (rec, utid) => {
        const s = this.ufunc[utid];
        if (s === undefined) return;
        let i = s.size - 1;
        while (i >= 0 && s.name[i] !== u.func) i--;
        if (i < 0) return; // a return whose entry was before the trace: no start time to give it
        while (s.size > i + 1) {
          this.sink.slice?.(s.ts[s.size - 1]!, -1, s.size - 1, s.name[s.size - 1]!, category, utid);
          s.pop();
        }
        this.sink.slice?.(s.ts[i]!, rec.ts - s.ts[i]!, i, u.func, category, utid);
        s.pop();
      });
    }
  }

  /** Emits calls still open at the end with dur -1. */
  finish(): void {
    for (const stacks of [this.graph, this.ufunc]) {
      stacks.forEach((s, utid) => {
        for (let i = 0; s !== undefined && i < s.size; i++) this.sink.slice?.(s.ts[i]!, -1, s.depth[i]!, s.name[i]!, s.category[i]!, utid);
      });
    }
  }
}
