// Boots the lab kernel under qemu (TCG: nested KVM is not available) and collects what the guest
// sends on its second serial port. Every boot has a host-side deadline that kills qemu.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

/**
 * Boots `kernel` with `initrd`; the guest's ttyS1 is written to `channel`. Resolves when qemu exits
 * or is killed at `timeoutMs`, or when a step runs `stepGraceMs` past its own timeout (`stepTimeouts`:
 * step id -> ms; the guest's runner announces each step on the console), with the console text and
 * how it ended. Never rejects for a guest failure.
 */
export function boot({ kernel, initrd, channel, timeoutMs, log, stepTimeouts = new Map(), stepGraceMs = 180000, memoryMb = 2048, cpus = Number(process.env.FTK_LAB_CPUS ?? 2) }) {
  rmSync(channel, { force: true });
  const argv = [
    // No MONITOR/MWAIT: TCG's mwait only halts, so a CPU idling in mwait misses the wake-up that the
    // kernel writes instead of sending an IPI (TIF_POLLING_NRFLAG), and smp_call_function from the other
    // CPU (ftrace code patching) spins forever. Seen as about half of the full runs stuck in trace-cmd record.
    // One TCG thread for both vCPUs: with multi-threaded TCG (qemu 7.2) an IPI is now and then lost,
    // and text_poke_bp's on_each_cpu() then spins forever in smp_call_function_many_cond (seen in
    // ftrace and static-call patching, soft lockup of the other CPU).
    "-accel", `tcg,thread=${process.env.FTK_LAB_TCG_THREAD ?? "single"}`, "-cpu", "max,-monitor", "-m", String(memoryMb), "-smp", String(cpus),
    "-display", "none", "-nodefaults", "-no-reboot", "-monitor", "none",
    "-serial", "stdio", "-serial", `file:${channel}`,
    "-kernel", kernel, "-initrd", initrd,
    "-append", "console=ttyS0 loglevel=5 idle=halt panic=-1 oops=panic",
  ];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("qemu-system-x86_64", argv, { stdio: ["ignore", "pipe", "pipe"] });
    const chunks = [];
    let pending = "";
    const onData = (buf) => {
      chunks.push(buf);
      pending += buf.toString("latin1");
      const lines = pending.split("\n");
      pending = lines.pop();
      for (const line of lines) {
        if (line.includes("FTKLAB-GUEST") || /Kernel panic|Oops|BUG:/.test(line)) log(`guest: ${line.replace(/\r$/, "")}`);
        const step = /FTKLAB-GUEST step (\S+) (start|status)/.exec(line);
        if (step) watchStep(step[1], step[2] === "start");
      }
    };
    // Per-step watchdog: a guest stuck in one step (e.g. a livelocked kernel) ends the boot early.
    let stepTimer;
    const watchStep = (id, started) => {
      clearTimeout(stepTimer);
      if (!started) return;
      const limit = (stepTimeouts.get(id) ?? 120000) + stepGraceMs;
      stepTimer = setTimeout(() => {
        timedOut = true;
        log(`qemu: step ${id} still running ${Math.round(limit / 1000)}s after it started, killing pid ${child.pid}`);
        child.kill("SIGKILL");
      }, limit);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      log(`qemu: no exit after ${Math.round(timeoutMs / 1000)}s, killing pid ${child.pid}`);
      child.kill("SIGKILL");
    }, timeoutMs);
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    const finish = (code, signal, error) => {
      clearTimeout(timer);
      clearTimeout(stepTimer);
      process.removeListener("exit", killOnExit);
      resolve({ code, signal, error, timedOut, seconds: (Date.now() - started) / 1000, console: Buffer.concat(chunks).toString("latin1") });
    };
    child.on("error", (e) => finish(null, null, e.message));
    child.on("exit", (code, signal) => finish(code, signal));
  });
}

/**
 * Parses the channel written by guest/runner.mjs into { files: Map(name -> Buffer), ends: Map(step -> meta),
 * notes: Map, truncated }. A frame cut short (guest died) is dropped and flagged.
 */
export function parseChannel(path) {
  let buf;
  try {
    buf = readFileSync(path);
  } catch {
    buf = Buffer.alloc(0);
  }
  const files = new Map();
  const ends = new Map();
  const notes = new Map();
  const marker = Buffer.from("\nFTKLAB ", "latin1");
  let pos = 0;
  let truncated = false;
  while (true) {
    const at = buf.indexOf(marker, pos);
    if (at < 0) break;
    const nl = buf.indexOf(0x0a, at + marker.length);
    if (nl < 0) {
      truncated = true;
      break;
    }
    const [type, name, lenText] = buf.toString("latin1", at + marker.length, nl).split(" ");
    const len = Number(lenText);
    const start = nl + 1;
    if (!Number.isSafeInteger(len) || start + len > buf.length) {
      truncated = true;
      break;
    }
    const body = buf.subarray(start, start + len);
    if (type === "file") files.set(name, body);
    else if (type === "end") ends.set(name, JSON.parse(body.toString("utf8")));
    else notes.set(name, body.toString("utf8"));
    pos = start + len;
  }
  return { files, ends, notes, truncated };
}
