// `ftk trace` flag parsing without tracefs: strace's flags, the split at the command, one-line usage
// errors, and a seeded fuzz over argv (nothing but UsageError may come out).
import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../index.js";
import { mulberry32 } from "../test-support/prng.js";
import { main } from "./main.js";
import { command, parseTraceArgs } from "./trace.js";

test("parseTraceArgs() takes strace's flags and stops at the command", () => {
  const { options, output } = parseTraceArgs(["-f", "-tt", "-T", "-e", "trace=%file,close", "-o", "out.txt", "ls", "-l", "/"]);
  assert.deepEqual(options.command, ["ls", "-l", "/"]);
  assert.equal(options.timestamps, "tt");
  assert.equal(options.durations, true);
  assert.equal(output, "out.txt");
  assert.ok(options.select!.has("openat") && options.select!.has("close") && !options.select!.has("read"));
  const not = parseTraceArgs(["-e", "!close", "ls"]).options.select!;
  assert.ok(!not.has("close") && not.has("read"));
  const c = parseTraceArgs(["-cS", "calls", "-p", "1,2", "-z"]).options;
  assert.equal(c.summary, "only");
  assert.equal(c.sort, "calls");
  assert.deepEqual(c.pids, [1, 2]);
  assert.equal(c.status, "success");
  assert.deepEqual(parseTraceArgs(["-a", "--", "-weird-name"]).options.command, ["-weird-name"]);
  assert.equal(parseTraceArgs(["-ttt", "-i", "x.dat"]).options.timestamps, "ttt");
  assert.equal(parseTraceArgs(["-s", "--histogram", "true"]).options.byThread, true);
});

test("parseTraceArgs() rejects bad input with one line", () => {
  const cases: [string[], RegExp][] = [
    [[], /nothing to trace/],
    [["-e", "trace=nosuchcall", "ls"], /unknown system call 'nosuchcall'/],
    [["-e", "signal=none", "ls"], /-e signal=: not supported/],
    [["-S", "bogus", "ls"], /unknown sort key 'bogus'/],
    [["-p", "abc"], /bad value 'abc' for -p/],
    [["-p", "1", "ls"], /-p cannot be combined/],
    [["-i", "a.dat", "-a"], /-i reads a file/],
    [["--bogus", "ls"], /run 'ftk trace --help'/],
  ];
  for (const [argv, re] of cases) {
    assert.throws(() => parseTraceArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message) && !e.message.includes("\n"), argv.join(" "));
  }
});

test("ftk trace --help prints the usage; a usage error exits 2 with one line", async () => {
  let out = "";
  let err = "";
  const io = { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } } as never;
  assert.equal(await main(["trace", "--help"], io), 0);
  assert.match(out, /^usage: ftk trace/);
  assert.equal(await main(["trace", "-e", "trace=opn", "ls"], io), 2);
  assert.equal(err, "ftk trace: -e trace: unknown system call 'opn': see 'man 2 syscalls' for names (x86_64)\n");
});

test("parseTraceArgs() --color: auto by default, always/never, one line for anything else", () => {
  assert.equal(parseTraceArgs(["-c", "ls"]).color, "auto");
  assert.equal(parseTraceArgs(["--color", "always", "-c", "ls"]).color, "always");
  assert.equal(parseTraceArgs(["--color=never", "ls"]).color, "never");
  assert.equal(parseTraceArgs(["--color=never", "ls", "--color=always"]).options.command.join(" "), "ls --color=always");
  assert.throws(() => parseTraceArgs(["--color", "sometimes", "ls"]), (e: Error) => e instanceof UsageError && e.message === "bad value 'sometimes' for --color: give auto, always or never");
});

test("parseTraceArgs() fuzz: random argv gives options or a UsageError, never another error", () => {
  const rnd = mulberry32(10);
  const words = ["-e", "trace=", "%file", "!", "-p", "-a", "-c", "-C", "-S", "-o", "-i", "-w", "-t", "-T", "-z", "-Z", "-s", "--histogram",
    "--", "--color", "always", "ls", "1,2", "open,close", "/re(", "?x", "-b", "abc", "=", "", "-", "--trace=%desc", "-tt", "-cS"];
  for (let i = 0; i < 3000; i++) {
    const argv = Array.from({ length: Math.floor(rnd() * 7) }, () => {
      const w = words[Math.floor(rnd() * words.length)]!;
      return rnd() < 0.2 ? w + words[Math.floor(rnd() * words.length)]! : w;
    });
    try {
      parseTraceArgs(argv);
    } catch (e) {
      assert.ok(e instanceof UsageError, `${JSON.stringify(argv)}: ${(e as Error).stack}`);
      assert.ok(!e.message.includes("\n"), e.message);
    }
  }
});

test("ftk trace's command starts at the first word that is no flag or flag value: later flags (--debug too) are the command's", () => {
  assert.equal(command.commandStart?.(["-T", "-e", "trace=openat", "--debug", "ls", "--debug", "-l"]), 4);
  assert.equal(command.commandStart?.(["-o", "out", "--", "-weird-name", "--debug"]), 3);
  assert.equal(command.commandStart?.(["-p", "1"]), 2);
});
