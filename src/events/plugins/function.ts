// The libtraceevent function plugin (ring-buffer-and-events.md §8.2): ftrace:function with its per-CPU
// indent stack and the ftrace:parent/indent/offset options, kernel_stack, func_repeats and raw_data.
import type { RawRecord } from "../../ringbuf/index.js";
import { fieldU64, lld, ownField, showFunction, type PluginFactory, type PluginEnv, type PluginHandler } from "./plugin.js";

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

function functionText(env: PluginEnv, ip: bigint, parentIp: bigint, cpu: number, opts: { parent: boolean; indent: boolean; offset: boolean }): string {
  const { kallsyms } = env;
  const func = showFunction(kallsyms, ip, false);
  const parent = showFunction(kallsyms, parentIp, false);
  let index = 0;
  if (parent !== undefined && opts.indent) index = indexOf(env, parent, func, cpu);
  let s = index > 0 ? " ".repeat(index * 3) : "";
  s += func !== undefined ? (opts.offset ? showFunction(kallsyms, ip, true)! : func) : "0x" + ip.toString(16);
  if (opts.parent) {
    s += " <-- ";
    s += parent !== undefined ? (opts.offset ? showFunction(kallsyms, parentIp, true)! : parent) : "0x" + parentIp.toString(16);
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
  const ip = fieldU64(ev, "ip", env.info);
  const pip = fieldU64(ev, "parent_ip", env.info);
  if (!ip || !pip) return undefined;
  const opts = options(env);
  const h: PluginHandler = { pretty: false, render: (rec) => functionText(env, ip(rec), pip(rec), rec.cpu, opts) };
  return h;
};

/** ftrace:func_repeats. */
export const funcRepeatsPlugin: PluginFactory = (ev, env) => {
  const ip = fieldU64(ev, "ip", env.info);
  const pip = fieldU64(ev, "parent_ip", env.info);
  const count = fieldU64(ev, "count", env.info);
  const top = fieldU64(ev, "top_delta_ts", env.info);
  const bottom = fieldU64(ev, "bottom_delta_ts", env.info);
  if (!ip || !pip || !count || !top || !bottom) return undefined;
  const opts = options(env);
  return {
    pretty: false,
    render: (rec) => {
      const s = functionText(env, ip(rec), pip(rec), rec.cpu, opts);
      const ts = rec.ts - Number((top(rec) << 32n) | bottom(rec));
      const t = env.formatTime ? env.formatTime(ts) : String(ts);
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
  return {
    pretty: false,
    render: (rec: RawRecord) => {
      let s = "<stack trace >\n";
      const end = rec.len;
      for (let p = off; p < end; p += longSize) {
        let addr: bigint;
        if (longSize === 8) {
          if (p + 8 > rec.view.byteLength - rec.pos) break;
          addr = rec.view.getBigUint64(rec.pos + p, le);
          if (addr === 0xffffffffffffffffn) break;
        } else {
          if (p + 4 > rec.view.byteLength - rec.pos) break;
          addr = BigInt(rec.view.getUint32(rec.pos + p, le));
        }
        if ((addr & 0xffffffffn) === 0xffffffffn) break;
        const func = showFunction(kallsyms, addr, withOffset);
        s += func !== undefined ? "=> " + func + " (" + addr.toString(16) + ")\n" : "=> " + addr.toString(16) + "\n";
      }
      return s;
    },
  };
};

/** ftrace:raw_data: `# <id>` and the payload bytes. */
export const rawDataPlugin: PluginFactory = (ev, env) => {
  const id = fieldU64(ev, "id", env.info);
  const buf = ownField(ev, "buf") ?? ev.findField("buf");
  if (!id) return undefined;
  return {
    pretty: false,
    render: (rec) => {
      let s = "# " + id(rec).toString(16);
      if (!buf) return s + "<CANT FIND FIELD buf>";
      for (let p = buf.offset; p < rec.len; p++) {
        const b = rec.buf[rec.pos + p]!;
        s += " " + (b < 16 ? "0" : "") + b.toString(16);
      }
      return s;
    },
  };
};
