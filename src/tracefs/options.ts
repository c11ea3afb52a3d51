// Kernel default values of trace options (observed after boot on the reference 6.18 kernel and, for the
// function_graph options this host lacks, on the lab's 6.1 kernel); used by `reset` and by `stat`.

/** Options that are on by default at the top level. */
const DEFAULT_ON = new Set([
  "print-parent", "trace_printk", "annotate", "context-info", "record-cmd", "overwrite", "irq-info", "markers",
  "function-trace", "hash-ptr", "copy_trace_marker", "trace_printk_dest",
  // function_graph's own flags and the graph timing options (lab kernel 6.1: all 1 at boot).
  "funcgraph-cpu", "funcgraph-duration", "funcgraph-irqs", "funcgraph-overhead", "sleep-time", "graph-time",
]);

/** Options that are on at the top level but off in a new instance (6.18: only one buffer gets trace_printk / copies). */
const TOP_ONLY_ON = new Set(["copy_trace_marker", "trace_printk_dest"]);

/** The kernel default of an option, for the top level (`top`) or a new instance; options not listed default to off. */
export function defaultOptionValue(name: string, top: boolean): boolean {
  if (!DEFAULT_ON.has(name)) return false;
  return top || !TOP_ONLY_ON.has(name);
}

/** The full CPU mask text for n CPUs as tracing_cpumask shows it (hex, a comma every 32 bits). */
export function fullCpumask(n: number): string {
  const words: string[] = [];
  for (let left = n; left > 0 || words.length === 0; left -= 32) {
    const bits = Math.max(0, Math.min(32, left));
    const word = bits === 32 ? 0xffffffff : bits === 0 ? 0 : (2 ** bits) - 1;
    words.unshift(word.toString(16));
  }
  return words.map((w, i) => (i === 0 ? w : w.padStart(8, "0"))).join(",");
}
