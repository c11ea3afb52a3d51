// `report -T`: the text of each `-F` filter per event as libtraceevent 1.7.1 rebuilds it from its parse
// tree (tep_filter_make_string), after its simplification: a field the event lacks is FALSE, and TRUE /
// FALSE fold away through '&&', '||' and '!'. One line ` 'event: text'` per event the filter names, in
// libtraceevent's order: the event list's matches, by id within each pattern, the whole list reversed.
import type { EventFormat, EventTable } from "../event-format.js";
import { matchEvents } from "./event-filter.js";
import { parseFilterSpec, type FilterNode, type FilterValue } from "./filter-parser.js";

/** A folded node: a constant, or the text of what remains. */
type Folded = boolean | string;

/** `%lld` of a u64. */
function signed(v: bigint): string {
  return BigInt.asIntN(64, v).toString();
}

function hasField(ev: EventFormat, name: string): boolean {
  return ev.findField(name) !== undefined || name === "COMM" || name === "CPU";
}

/** An operand's text, or false for a field the event lacks. */
function operand(v: FilterValue, ev: EventFormat): string | false {
  if (v.kind === "field") return hasField(ev, v.name) ? v.name : false;
  if (v.kind === "number") return signed(v.value);
  // libtraceevent prints a string operand of arithmetic as its pointer (%lld of the union); ftk quotes it.
  return `"${v.value}"`;
}

function fold(node: FilterNode, ev: EventFormat): Folded {
  switch (node.kind) {
    case "compare": {
      if (!hasField(ev, node.field.name)) return false;
      if (node.value.kind === "string") return `${node.field.name} ${node.op} "${node.value.value}"`;
      const r = operand(node.value, ev);
      return r === false ? false : `${node.field.name} ${node.op} ${r}`;
    }
    case "arith": {
      const l = operand(node.left, ev);
      const r = operand(node.right, ev);
      if (l === false || r === false) return false;
      return `${l} ${node.op === "~" ? "[ERROR IN EXPRESSION TYPE]" : node.op} ${r}`;
    }
    case "not": {
      const r = fold(node.operand, ev);
      return typeof r === "boolean" ? !r : `!(${r})`;
    }
    case "logic": {
      const and = node.op === "&&";
      const l = fold(node.left, ev);
      if (typeof l === "boolean") {
        if (l !== and) return l;
        return fold(node.right, ev);
      }
      const r = fold(node.right, ev);
      if (typeof r === "boolean") return r === and ? l : r;
      return `(${l}) ${node.op} (${r})`;
    }
  }
}

/**
 * The ` 'event: filter'` lines trace-cmd report -T prints for one `-F` text. The filter must already
 * compile (compileEventFilter), which reports its errors.
 */
export function filterTestLines(table: EventTable, text: string): string {
  const spec = parseFilterSpec(text);
  const events: EventFormat[] = [];
  for (const pattern of spec.events) events.push(...[...matchEvents(table, text, pattern)].sort((a, b) => a.id - b.id));
  events.reverse();
  let out = "";
  for (const ev of events) {
    const f = spec.expr === undefined ? true : fold(spec.expr, ev);
    out += ` '${ev.name}: ${typeof f === "boolean" ? (f ? "TRUE" : "FALSE") : f}'\n`;
  }
  return out;
}
