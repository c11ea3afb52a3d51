// `report -F` as trace-cmd 3.1.6 applies one group of filters (report-output.md §7.1): each -F is its
// own libtraceevent filter, a record matches the group when ANY filter that names its event matches
// it, and events no filter names never match. The stack-trace exception and the mix of positive and
// `-v` groups need per-CPU state across both groups, so report/ does them around two of these.
import type { RawRecord } from "../../ringbuf/index.js";
import type { EventFormat, EventTable } from "../event-format.js";
import { fieldNumberReader } from "../field-readers.js";
import { compileFilterForEvent, type CommSource, type FilterPredicate, type SymbolSource } from "./filter-compiler.js";
import { filterError, parseFilterSpec, type EventPattern } from "./filter-parser.js";
import { compilePosixBasicRegex, PosixRegexError } from "./posix-regex.js";

/** Options of compileEventFilter(). */
export interface EventFilterOptions {
  /** `-v`: the predicate is true for the records NO filter matches. */
  invert?: boolean;
  /** Task names for the COMM pseudo field; without them COMM is "<idle>" for pid 0, else "<...>". */
  tasks?: CommSource;
  /** Kernel symbols: a string comparison on a pointer or long field compares the symbol name. */
  kallsyms?: SymbolSource;
}

/** The events an event pattern selects: `^pattern$`, POSIX basic, case-insensitive, on system and/or name. */
export function matchEvents(table: EventTable, text: string, pattern: EventPattern): EventFormat[] {
  const compile = (p: string): RegExp => {
    try {
      return compilePosixBasicRegex(`^${p}$`, true);
    } catch (e) {
      if (!(e instanceof PosixRegexError)) throw e;
      filterError(text, `bad event name pattern '${p}': ${e.message}`, pattern.pos);
    }
  };
  const nameRe = compile(pattern.name);
  const systemRe = pattern.system === undefined ? undefined : compile(pattern.system);
  const found = table
    .all()
    .filter((ev) => (systemRe === undefined ? nameRe.test(ev.system) || nameRe.test(ev.name) : systemRe.test(ev.system) && nameRe.test(ev.name)));
  if (found.length === 0) {
    const what = pattern.system === undefined ? pattern.name : `${pattern.system}/${pattern.name}`;
    filterError(text, `no event or system matches '${what}'`, pattern.pos);
  }
  return found;
}

/** Compiles the filters into one dense array: per event id, the OR of what each filter says. */
function compileGroup(table: EventTable, filters: readonly string[], options: EventFilterOptions): FilterPredicate[] {
  const byId: FilterPredicate[][] = [];
  for (const text of filters) {
    const spec = parseFilterSpec(text);
    const env = { text, info: table.info, tasks: options.tasks, kallsyms: options.kallsyms };
    // One filter names an event at most once (libtraceevent replaces, with the same text).
    const perEvent = new Map<number, FilterPredicate>();
    for (const pattern of spec.events) {
      for (const ev of matchEvents(table, text, pattern)) {
        if (perEvent.has(ev.id)) continue;
        perEvent.set(ev.id, spec.expr === undefined ? true : compileFilterForEvent(spec.expr, ev, env));
      }
    }
    for (const [id, p] of perEvent) (byId[id] ??= []).push(p);
  }
  const out: FilterPredicate[] = [];
  byId.forEach((preds, id) => {
    out[id] = anyOf(preds);
  });
  return out;
}

function anyOf(preds: FilterPredicate[]): FilterPredicate {
  if (preds.includes(true)) return true;
  const fns = preds.filter((p): p is (rec: RawRecord) => boolean => typeof p === "function");
  if (fns.length === 0) return false;
  if (fns.length === 1) return fns[0]!;
  return (rec) => {
    for (const f of fns) if (f(rec)) return true;
    return false;
  };
}

/**
 * Compiles `report -F` filters (libtraceevent syntax) for a table into a predicate per record:
 * true when any filter matches the record (false with `invert`). The predicate is pure: call it in
 * any order. Throws UsageError naming the filter and the column of the problem.
 * @example
 * const match = compileEventFilter(table, ["sched_switch:prev_pid==0 || next_pid==0"], { tasks, kallsyms });
 * if (match(rec)) print(rec);
 */
export function compileEventFilter(
  table: EventTable,
  filters: string[],
  options: EventFilterOptions = {},
): (rec: RawRecord) => boolean {
  const byId = compileGroup(table, filters, options);
  const invert = options.invert === true;
  // common_type: the record's event id (2 bytes at offset 0 in every kernel so far).
  const typeField = table.all()[0]?.findField("common_type");
  const le = table.info.littleEndian;
  const readType =
    typeField !== undefined ? fieldNumberReader(typeField, table.info) : (rec: RawRecord) => (rec.len >= 2 ? rec.view.getUint16(rec.pos, le) : -1);
  return (rec) => {
    const p = byId[readType(rec)];
    const match = p === undefined ? false : typeof p === "boolean" ? p : p(rec);
    return match !== invert;
  };
}

/**
 * The `-F` text trace-cmd 3.1.6 builds for `report --pid P[,P...]` (and for the pids of `--comm`):
 * `.*:(common_pid==P)||(pid==P)||(next_pid==P)`, OR-ed over the pids, as one positive filter.
 * Pids are inserted as given (trace-cmd does not check them).
 */
export function pidFilterText(pids: readonly string[]): string {
  return ".*:" + pids.map((p) => `(common_pid==${p})||(pid==${p})||(next_pid==${p})`).join("||");
}
