// Tests of parseRecordArgs(): trace-cmd's order-dependent flags (-f/-R after -e, -B groups, the command).
import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../base/index.js";
import { parseRecordArgs } from "./options.js";

test("parseRecordArgs() ties -f and -R to the preceding -e and -e to the current -B", () => {
  const o = parseRecordArgs(["-e", "sched", "-f", "prev_pid==1", "-R", "stacktrace", "-B", "inst", "-e", "irq", "-T", "ls", "-l", "/"]);
  assert.equal(o.instances.length, 2);
  assert.deepEqual(o.instances[0]!.events, [{ spec: "sched", filter: "prev_pid==1", triggers: ["stacktrace"] }]);
  assert.deepEqual(o.instances[1]!.events, [{ spec: "irq", triggers: [] }]);
  assert.deepEqual(o.instances[1]!.options, [{ name: "stacktrace", on: true }]);
  assert.deepEqual(o.command, ["ls", "-l", "/"], "flags after the command belong to it");
});

test("parseRecordArgs() reads attached values, --long=value, -O no-prefixes and comma pid lists", () => {
  const o = parseRecordArgs(["-esched", "--file-version=6", "-O", "nooverwrite,sym-addr", "-P", "12,34", "-C", "mono", "-o", "x.dat"]);
  assert.equal(o.instances[0]!.events[0]!.spec, "sched");
  assert.equal(o.fileVersion, 6);
  assert.equal(o.compression, "none", "version 6 is never compressed");
  assert.deepEqual(o.instances[0]!.options, [{ name: "overwrite", on: false }, { name: "sym-addr", on: true }]);
  assert.deepEqual(o.pids, [12, 34]);
  assert.equal(o.instances[0]!.clock, "mono");
  assert.equal(o.output, "x.dat");
});

test("parseRecordArgs() rejects bad combinations in one line", () => {
  const cases: [string[], RegExp][] = [
    [["-f", "x==1"], /-f 'x==1' must follow the -e it filters/],
    [["--file-version", "6", "--compression", "zstd", "-e", "sched"], /needs --file-version 7/],
    [["--compression", "lz4"], /unknown algorithm 'lz4'/],
    [["-F", "-e", "sched"], /-F needs a command/],
    [["-c", "-e", "sched", "ls"], /-c follows children/],
    [["-e"], /option '-e' needs a value/],
    [["--bogus"], /unknown option '--bogus'/],
    [["-b", "12k"], /bad number '12k'/],
    [["-p", "ufuncgraph", "-g", "main"], /needs -x BINARY/],
  ];
  for (const [argv, re] of cases) assert.throws(() => parseRecordArgs(argv), re, argv.join(" "));
  assert.throws(() => parseRecordArgs(["ls"], "extract"), /'extract' runs no command/);
});

test("parseRecordArgs() refuses trace-cmd's network, guest and profile flags with a reason, not as unknown", () => {
  for (const [args, why] of [
    [["-N", "host:1234"], /records on this machine only/],
    [["-A", "guest"], /run ftk inside the guest/],
    [["--proxy", "3"], /run ftk inside the guest/],
    [["-t"], /TCP with -N/],
    [["-G"], /ftk profile -G/],
    [["--by-comm"], /ftk profile --by-comm/],
    [["--nosplice"], /never splices/],
  ] as const) {
    assert.throws(() => parseRecordArgs([...args, "-e", "sched", "true"]), (e: Error) => e instanceof UsageError && /is not supported by ftk record: /.test(e.message) && why.test(e.message), args.join(" "));
  }
  assert.throws(() => parseRecordArgs(["--fork", "-e", "sched"], "start"), /not supported by ftk start: ftk runs no command/);
  // extract's own -t is not refused; record's -a is still unknown.
  assert.equal(parseRecordArgs(["-t"], "extract").extractTop, true);
  assert.throws(() => parseRecordArgs(["-a", "true"]), /unknown option '-a'/);
});

test("parseRecordArgs(): --func-stack with -p function turns on the option func_stack_trace (the lab kernel has the function tracer)", () => {
  const o = parseRecordArgs(["-p", "function", "--func-stack", "true"]);
  assert.deepEqual(o.instances[0]!.options, [{ name: "func_stack_trace", on: true }]);
  assert.throws(() => parseRecordArgs(["--func-stack", "-e", "sched", "true"]), /--func-stack needs -p function/);
});
