// Fetch arguments of probe definitions (kernel Documentation/trace/uprobetracer.rst, kprobetrace.rst;
// tracefs-control.md §3.4): `[NAME=]FETCHARG[:TYPE]`. The kernel checks the syntax itself (its error_log
// line is shown on EINVAL); here we only expand the ABI shortcuts `$arg1`..`$arg6` for uprobes, check what
// cannot reach the kernel safely (whitespace, bad names), and name unnamed shortcuts.
import { ProbeError } from "../base/index.js";

/** Integer argument registers of the C calling convention, by ELF e_machine, in uprobe register syntax. */
const ARG_REGISTERS: ReadonlyMap<number, readonly string[]> = new Map([
  [62, ["%di", "%si", "%dx", "%cx", "%r8", "%r9"]], // EM_X86_64, System V AMD64 ABI
  [183, ["%x0", "%x1", "%x2", "%x3", "%x4", "%x5", "%x6", "%x7"]], // EM_AARCH64, AAPCS64
]);

const MACHINE_NAMES: ReadonlyMap<number, string> = new Map([[3, "i386"], [40, "arm"], [62, "x86_64"], [183, "aarch64"]]);

/** Event/argument/group names the kernel accepts: a C identifier, at most 64 characters. */
export function sanitizeName(raw: string): string {
  let s = raw.replace(/@.*$/, "").replace(/[^A-Za-z0-9_]/g, "_");
  if (s === "" || /^[0-9]/.test(s)) s = `_${s}`;
  return s.slice(0, 64);
}

/**
 * Rewrites the user's fetch arguments for the kernel. `machine` is the ELF e_machine of the probed binary
 * (uprobes) or undefined for kernel probes, where the kernel resolves `$argN` itself.
 */
export function expandFetchArgs(args: readonly string[], options: { machine?: number; isReturn: boolean; symbol: string }): string[] {
  const out: string[] = [];
  const names = new Set<string>();
  for (const arg of args) {
    if (arg === "") continue;
    if (/\s/.test(arg)) throw new ProbeError(`bad fetch argument '${arg}': no spaces allowed inside one argument`, { code: "bad-arg" });
    const eq = /^([^=(%$+@\\-][^=(]*)=(.*)$/.exec(arg);
    let name = eq?.[1];
    let body = eq === null ? arg : eq[2]!;
    if (name !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ProbeError(`bad fetch argument '${arg}': the name '${name}' must be a C identifier`, { code: "bad-arg" });
    }
    if (!options.isReturn && /\$retval\b/.test(body)) {
      throw new ProbeError(`bad fetch argument '${arg}': '$retval' needs a return probe: use '${options.symbol}%return'`, { code: "bad-arg" });
    }
    const argRef = /\$arg(\d+)/.exec(body);
    if (argRef !== null && options.machine !== undefined) {
      const regs = ARG_REGISTERS.get(options.machine);
      if (regs === undefined) {
        const m = MACHINE_NAMES.get(options.machine) ?? `machine ${options.machine}`;
        throw new ProbeError(`bad fetch argument '${arg}': '$argN' is not supported for ${m} binaries: use a register or stack offset`, { code: "bad-arg" });
      }
      if (options.isReturn) {
        throw new ProbeError(`bad fetch argument '${arg}': arguments are not available at return: use '$retval'`, { code: "bad-arg" });
      }
      body = body.replace(/\$arg(\d+)/g, (whole, n: string) => {
        const reg = regs[Number(n) - 1];
        if (reg === undefined) {
          throw new ProbeError(`bad fetch argument '${arg}': '${whole}' is out of range: use $arg1..$arg${regs.length}`, { code: "bad-arg" });
        }
        return reg;
      });
    }
    // Name unnamed shortcuts after what the user wrote, so `$arg2` shows as arg2 and not as the kernel's position name.
    if (name === undefined) {
      const bare = /^\$(arg\d+|retval|comm)$/.exec(arg);
      if (bare !== null) name = bare[1];
    }
    if (name !== undefined) {
      if (names.has(name)) throw new ProbeError(`bad fetch argument '${arg}': the name '${name}' is used twice`, { code: "bad-arg" });
      names.add(name);
      out.push(`${name}=${body}`);
    } else {
      out.push(body);
    }
  }
  return out;
}
