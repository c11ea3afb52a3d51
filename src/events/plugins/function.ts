// The libtraceevent function plugin (ring-buffer-and-events.md §8.2): ftrace:function with its per-CPU
// indent stack and the ftrace:parent/indent/offset options, kernel_stack, func_repeats and raw_data.
import type { RawRecord } from "../../ringbuf/index.js";
import { hexHL } from "../printfmt/compiler.js";
import { addressReader, fieldU64, lld, ownField, showFunctionHL, type PluginFactory, type PluginEnv, type PluginHandler } from "./plugin.js";

/** add_and_get_index(): the indent level of `child` called from `parent` on `cpu`. */
function indexOf(env: PluginEnv, parent: string, child: string | undefined, cpu: number): number {
  if (cpu < 0) return 0;
  let stack = env.funcStacks[cpu];
  if (!stack) {
    stack = [];
    env.funcStacks[cpu] = stack;
  }
  for (let i = 0; i < stack.length && stack[i] !== undefined; i++) {
    if (stack[i] === parent) {
      if (child !== undefined) stack[i + 1] = child;
      return i;
    }
  }
  stack[0] = parent;
  if (child !== undefined) stack[1] = child;
  return 0;
}

const INDENTS: string[] = [];
function indent(n: number): string {
  return INDENTS[n] ?? (INDENTS[n] = " ".repeat(n));
}

/** The function plugin's text for ip/parent given as [hi, lo] halves. */
function functionText(env: PluginEnv, ip: Uint32Array, pip: Uint32Array, cpu: number, opts: { parent: boolean; indent: boolean; offset: boolean }): string {
  const { kallsyms } = env;
  const func = showFunctionHL(kallsyms, ip[0]!, ip[1]!, false);
  const parent = showFunctionHL(kallsyms, pip[0]!, pip[1]!, false);
  let index = 0;
  if (parent !== undefined && opts.indent) index = indexOf(env, parent, func, cpu);
  let s = index > 0 ? indent(index * 3) : "";
  s += func !== undefined ? (opts.offset ? showFunctionHL(kallsyms, ip[0]!, ip[1]!, true)! : func) : "0x" + hexHL(ip[0]!, ip[1]!);
  if (opts.parent) {
    s += " <-- ";
    s += parent !== undefined ? (opts.offset ? showFunctionHL(kallsyms, pip[0]!, pip[1]!, true)! : parent) : "0x" + hexHL(pip[0]!, pip[1]!);
  }
  return s;
}

function options(env: PluginEnv): { parent: boolean; indent: boolean; offset: boolean } {
  return {
    parent: env.option("ftrace", "parent", false),
    indent: env.option("ftrace", "indent", true),
    offset: env.option("ftrace", "offset", false),
  };
}

/** ftrace:function. */
export const functionPlugin: PluginFactory = (ev, env) => {
  const ip = addressReader(ev, "ip", env.info);
  const pip = addressReader(ev, "parent_ip", env.info);
  if (!ip || !pip) return undefined;
  const opts = options(env);
  const a = new Uint32Array(2);
  const b = new Uint32Array(2);
  const h: PluginHandler = {
    pretty: false,
    render: (rec) => {
      ip(rec, a);
      pip(rec, b);
      return functionText(env, a, b, rec.cpu, opts);
    },
  };
  return h;
};

/** ftrace:func_repeats. */
export const funcRepeatsPlugin: PluginFactory = (ev, env) => {
  const ip = addressReader(ev, "ip", env.info);
  const pip = addressReader(ev, "parent_ip", env.info);
  const a = new Uint32Array(2);
  const b = new Uint32Array(2);
  const count = fieldU64(ev, "count", env.info);
  const top = fieldU64(ev, "top_delta_ts", env.info);
  const bottom = fieldU64(ev, "bottom_delta_ts", env.info);
  if (!ip || !pip || !count || !top || !bottom) return undefined;
  const opts = options(env);
  return {
    pretty: false,
    render: (rec) => {
      ip(rec, a);
      pip(rec, b);
      const s = functionText(env, a, b, rec.cpu, opts);
      // tep_print_event(..., "%6.1000d", TEP_PRINT_TIME): (ts + 500) / 1000 as "%5llu.%06llu".
      const ts = BigInt.asUintN(64, BigInt(rec.ts) - ((top(rec) << 32n) | bottom(rec)));
      const us = BigInt.asUintN(64, ts + 500n) / 1000n; // the C addition wraps
      const t = (us / 1000000n).toString().padStart(5, " ") + "." + (us % 1000000n).toString().padStart(6, "0");
      return s + " (count: " + lld(count(rec)) + "  last_ts: " + t + ")";
    },
  };
};

/** ftrace:kernel_stack: `<stack trace >` then one `=> func (addr)` line per entry. */
export const kernelStackPlugin: PluginFactory = (ev, env) => {
  const field = ownField(ev, "caller") ?? ev.findField("caller");
  if (!field) return { pretty: false, render: () => "<CANT FIND FIELD caller>" };
  const longSize = env.info.longSize;
  const le = env.info.littleEndian;
  const off = field.offset;
  const withOffset = env.option("ftrace", "offset", false);
  const { kallsyms } = env;
  // Frame lines by address (low half -> [high half, text]); stacks repeat the same addresses.
  const cache = new Map<number, [number, string]>();
  const frame = (hi: number, lo: number): string => {
    const c = cache.get(lo);
    if (c !== undefined && c[0] === hi) return c[1];
    const func = showFunctionHL(kallsyms, hi, lo, withOffset);
    const hex = hexHL(hi, lo);
    const text = func !== undefined ? "=> " + func + " (" + hex + ")\n" : "=> " + hex + "\n";
    if (cache.size > 65536) cache.clear();
    cache.set(lo, [hi, text]);
    return text;
  };
  return {
    pretty: false,
    render: (rec: RawRecord) => {
      let s = "<stack trace >\n";
      const end = rec.len;
      const avail = rec.view.byteLength - rec.pos;
      for (let p = off; p < end; p += longSize) {
        let hi = 0;
        let lo: number;
        if (longSize === 8) {
          if (p + 8 > avail) break;
          lo = rec.view.getUint32(rec.pos + (le ? p : p + 4), le);
          hi = rec.view.getUint32(rec.pos + (le ? p + 4 : p), le);
        } else {
          if (p + 4 > avail) break;
          lo = rec.view.getUint32(rec.pos + p, le);
        }
        // Ends at a value of all ones, or whose low 32 bits are all ones.
        if (lo === 0xffffffff) break;
        s += frame(hi, lo);
      }
      return s;
    },
  };
};

/** ftrace:raw_data: `# <id>` and the payload bytes. */
export const rawDataPlugin: PluginFactory = (ev, env) => {
  const id = fieldU64(ev, "id", env.info);
  const buf = ownField(ev, "buf") ?? ev.findField("buf");
  const step = env.info.longSize;
  if (!id) return undefined;
  return {
    pretty: false,
    render: (rec) => {
      let s = "# " + id(rec).toString(16);
      if (!buf) return s + "<CANT FIND FIELD buf>";
      // libtraceevent steps by the file's long size but prints the reader's (64-bit) long of 8 bytes each
      // time, so a 4-byte-long file shows every word twice (trace-cmd 3.1.6 on x86_64).
      for (let p = buf.offset; p < rec.len; p += step) {
        for (let i = p; i < p + 8 && i < rec.len; i++) {
          const b = rec.buf[rec.pos + i]!;
          s += " " + (b < 16 ? "0" : "") + b.toString(16);
        }
      }
      return s;
    },
  };
};
