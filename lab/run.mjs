// Kernel lab entry point (`npm run test:lab`): installs what is missing, builds the initramfs from
// the current checkout, boots the Debian 6.1 kernel once under qemu with every scenario's steps,
// then checks the returned outputs and files with node:test. See lab/README.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureKernel, ensurePackages } from "./lib/setup.mjs";
import { ensureImage } from "./lib/image.mjs";
import { boot, parseChannel } from "./lib/qemu.mjs";
import { Lab } from "./lib/lab.mjs";

const labDir = dirname(fileURLToPath(import.meta.url));
const repo = dirname(labDir);
const cacheDir = process.env.FTK_LAB_CACHE ?? join(labDir, "cache");
const started = Date.now();
const log = (msg) => process.stderr.write(`[lab +${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`);

/** Steps every boot runs first: what the other checks rely on. */
const LAB_STEPS = [
  { id: "lab/ftk-help", argv: ["ftk", "--help"] },
  { id: "lab/uname", argv: ["uname", "-r"] },
  { id: "lab/tracers", argv: ["cat", "/sys/kernel/tracing/available_tracers"] },
];

// FTK_LAB_ONLY=name,name runs a subset of scenarios (development); CI runs them all.
const only = process.env.FTK_LAB_ONLY?.split(",").filter(Boolean);
const scenarioFiles = readdirSync(join(labDir, "scenarios")).filter((f) => /^\d+-.*\.mjs$/.test(f)).sort();
const scenarios = [];
for (const f of scenarioFiles) {
  const mod = await import(join(labDir, "scenarios", f));
  if (only === undefined || only.includes(mod.name)) scenarios.push(mod);
}

function buildPlan() {
  const steps = [...LAB_STEPS];
  for (const s of scenarios) {
    for (const step of s.steps) {
      steps.push({
        ...step,
        id: `${s.name}/${step.id}`,
        cwd: step.cwd ?? `/work/${s.name}`,
        ...(step.compareTo ? { compareTo: `${s.name}/${step.compareTo}` } : {}),
      });
    }
  }
  return { steps };
}

let lab;
let setupError;
let bootInfo;
try {
  mkdirSync(cacheDir, { recursive: true });
  if (ensurePackages(log)) log("packages installed");
  const kernel = ensureKernel(cacheDir, log);
  log(`kernel: ${kernel}`);
  const plan = buildPlan();
  const image = ensureImage({ repo, guestDir: join(labDir, "guest"), plan, cacheDir, log });
  const timeoutMs = Math.min(plan.steps.reduce((sum, s) => sum + (s.timeoutMs ?? 120000), 0), 40 * 60000) + 120000;
  log(`boot: ${plan.steps.length} steps, deadline ${Math.round(timeoutMs / 1000)}s`);
  const channelPath = join(cacheDir, "channel.bin");
  const stepTimeouts = new Map(plan.steps.map((s) => [s.id, s.timeoutMs ?? 120000]));
  // FTK_LAB_REUSE=1 re-checks the previous boot's results without booting (editing tests only).
  bootInfo = process.env.FTK_LAB_REUSE
    ? { timedOut: false, seconds: 0, code: 0, console: "" }
    : await boot({ kernel, initrd: image.path, channel: channelPath, timeoutMs, stepTimeouts, log });
  if (!process.env.FTK_LAB_REUSE) writeFileSync(join(cacheDir, "console.log"), bootInfo.console);
  log(`boot: qemu ended after ${bootInfo.seconds.toFixed(0)}s (exit ${bootInfo.code ?? bootInfo.signal}${bootInfo.timedOut ? ", killed at deadline" : ""})`);
  lab = new Lab({ channel: parseChannel(channelPath), resultsDir: join(cacheDir, "results"), repo, boot: bootInfo });
  const slow = [...lab.steps.values()].filter((r) => r.ran).sort((a, b) => b.meta.ms - a.meta.ms).slice(0, 5);
  log(`slowest steps: ${slow.map((r) => `${r.id} ${(r.meta.ms / 1000).toFixed(0)}s`).join(", ")}`);
} catch (e) {
  setupError = e;
  lab = new Lab({ channel: { files: new Map(), ends: new Map(), notes: new Map(), truncated: true }, resultsDir: join(cacheDir, "results"), repo });
}

test("lab: the guest booted, ran every step and powered off", () => {
  if (setupError) throw setupError;
  assert.equal(bootInfo.error, undefined, `qemu could not run: ${bootInfo.error}`);
  assert.equal(bootInfo.timedOut, false, "qemu was killed at the deadline; console tail:\n" + bootInfo.console.slice(-3000));
  assert.equal(lab.truncated, false, "the guest's channel ends mid-record");
  const missing = buildPlan().steps.map((s) => s.id).filter((id) => !lab.step(id).ran);
  assert.deepEqual(missing, [], "steps without a result; console tail:\n" + bootInfo.console.slice(-3000));
});

test("lab: the image's ftk runs (ftk --help) and lists its subcommands", () => {
  lab.step("lab/ftk-help").assertOk();
  assert.ok(lab.commands.size > 0, "ftk --help listed no subcommand");
});

test("lab: the kernel is Debian 6.1 with function_graph", () => {
  assert.match(lab.step("lab/uname").assertOk().stdout, /^6\.1\./);
  assert.match(lab.step("lab/tracers").assertOk().stdout, /\bfunction_graph\b/);
});

for (const s of scenarios) s.tests(lab);
