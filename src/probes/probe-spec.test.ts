import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProbeError, UsageError } from "../base/index.js";
import { ElfFile } from "./elf/index.js";
import { expandFetchArgs, sanitizeName } from "./fetch-args.js";
import { editDistance, globToRegExp, nearMatches } from "./functions.js";
import { planUfuncgraph, resolveProbeSpec } from "./probe-spec.js";
import { hasTool } from "./testing.js";

const hasGcc = hasTool("gcc");

let dir = "";
let prog = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "ftk-spec-"));
  if (!hasGcc) return;
  writeFileSync(join(dir, "p.c"), `
int leaf_one(int x) { return x + 1; }
int leaf_two(int x) { return x * 2; }
int outer(int x) { return leaf_one(x) + leaf_two(x); }
int main(void) { return outer(1) == 4 ? 0 : 1; }
`);
  prog = join(dir, "p");
  execFileSync("gcc", ["-O0", "-fno-inline", "-o", prog, join(dir, "p.c")]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("expandFetchArgs() maps $argN to the ABI registers of the binary's machine", () => {
  assert.deepEqual(expandFetchArgs(["$arg1", "p=+0($arg2):string", "$arg6:u32"], { machine: 62, isReturn: false, symbol: "f" }),
    ["arg1=%di", "p=+0(%si):string", "%r9:u32"]);
  assert.deepEqual(expandFetchArgs(["$arg1", "n=$arg3:s32"], { machine: 183, isReturn: false, symbol: "f" }), ["arg1=%x0", "n=%x2:s32"]);
  assert.deepEqual(expandFetchArgs(["$retval"], { machine: 62, isReturn: true, symbol: "f" }), ["retval=$retval"]);
  // Kernel probes keep $argN: the kernel resolves it.
  assert.deepEqual(expandFetchArgs(["dfd=$arg1:s32"], { isReturn: false, symbol: "f" }), ["dfd=$arg1:s32"]);
  const bad: [string[], number | undefined, boolean, RegExp][] = [
    [["$retval"], 62, false, /'\$retval' needs a return probe: use 'f%return'$/],
    [["$arg7"], 62, false, /'\$arg7' is out of range: use \$arg1\.\.\$arg6$/],
    [["$arg1"], 3, false, /'\$argN' is not supported for i386 binaries/],
    [["$arg1"], 62, true, /arguments are not available at return/],
    [["1x=%di"], 62, false, /the name '1x' must be a C identifier/],
    [["a=%di", "a=%si"], 62, false, /the name 'a' is used twice/],
  ];
  for (const [args, machine, isReturn, re] of bad) {
    assert.throws(() => expandFetchArgs(args, { machine, isReturn, symbol: "f" }), (e: unknown) => e instanceof ProbeError && re.test(e.message), args.join(" "));
  }
});

test("sanitizeName(), globToRegExp(), editDistance() and nearMatches()", () => {
  assert.equal(sanitizeName("getenv@@GLIBC_2.2.5"), "getenv");
  assert.equal(sanitizeName("foo.cold"), "foo_cold");
  assert.equal(sanitizeName("9lives"), "_9lives");
  assert.equal(sanitizeName("x".repeat(80)).length, 64);
  assert.ok(globToRegExp("str*cpy").test("strncpy"));
  assert.ok(!globToRegExp("a?c").test("abbc"));
  assert.ok(globToRegExp("f[0-9]").test("f7"));
  assert.ok(globToRegExp("a.b").test("a.b") && !globToRegExp("a.b").test("axb"));
  assert.equal(editDistance("getenv", "getenv"), 0);
  assert.equal(editDistance("getenv", "setenv"), 1);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.deepEqual(nearMatches("getnev", ["getenv", "setenv", "malloc", "secure_getenv"]), ["getenv"]);
  assert.deepEqual(nearMatches("getenvv", ["getenv", "setenv", "malloc", "secure_getenv"]), ["getenv", "setenv"]);
  assert.deepEqual(nearMatches("getenv", ["secure_getenv", "malloc"]), ["secure_getenv"]);
});

test("resolveProbeSpec() builds uprobe lines with the function's file offset", { skip: !hasGcc ? "gcc not installed" : false }, async () => {
  const elf = await ElfFile.open(prog);
  const outer = (await elf.symbols("symtab")).find((s) => s.name === "outer")!;
  const off = elf.findFileOffset(outer.value)!;
  await elf.close();
  const [entry] = await resolveProbeSpec(`${prog}:outer x=$arg1:s32`);
  assert.deepEqual(entry, {
    kind: "uprobe", group: "probe_p", event: "outer", binary: prog, symbol: "outer", fileOffset: off,
    line: `p:probe_p/outer ${prog}:0x${off.toString(16)} x=%di:s32`,
  });
  const [ret] = await resolveProbeSpec(`${prog}:outer%return $retval`, { group: "mine" });
  assert.equal(ret!.line, `r:mine/outer__return ${prog}:0x${off.toString(16)} retval=$retval`);
  const [plus] = await resolveProbeSpec(`${prog}:outer+4`, { event: "inside" });
  assert.equal(plus!.line, `p:probe_p/inside ${prog}:0x${(off + 4).toString(16)}`);
  const [k] = await resolveProbeSpec("do_sys_openat2%return ret=$retval:s64");
  assert.deepEqual(k, { kind: "kretprobe", group: "probe", event: "do_sys_openat2__return", symbol: "do_sys_openat2", line: "r:probe/do_sys_openat2__return do_sys_openat2 ret=$retval:s64" });
});

test("resolveProbeSpec() reports bad input in one line", { skip: !hasGcc ? "gcc not installed" : false }, async () => {
  const cases: [string, RegExp][] = [
    [`${prog}:outr`, /^function 'outr' not found in '.*\/p': did you mean 'outer'\?$/],
    [`${prog}:zzzzzzzzzz`, /^function 'zzzzzzzzzz' not found in '.*\/p': list them with 'ftk probe -x .*\/p --funcs'$/],
    [`${dir}/missing:f`, /^binary '.*\/missing' not found: check the path$/],
    [`${join(dir, "p.c")}:f`, /^cannot read '.*\/p\.c': not an ELF file$/],
    [`${prog}:outer+100000`, /^offset 100000 is beyond the end of 'outer'/],
    [`${prog}:outer%return $arg1`, /arguments are not available at return/],
    ["", /^empty probe spec/],
    [`${prog}:outer+4%return`, /a return probe takes no offset/],
  ];
  for (const [spec, re] of cases) {
    await assert.rejects(resolveProbeSpec(spec), (e: unknown) => (e instanceof ProbeError || e instanceof UsageError) && re.test(e.message), spec);
  }
});

test("planUfuncgraph() makes an entry and a return probe per matched function, skipping C start-up code", { skip: !hasGcc ? "gcc not installed" : false }, async () => {
  const all = await planUfuncgraph({ binary: prog, globs: ["*"] });
  const events = all.map((d) => `${d.kind}:${d.group}/${d.event}`).sort();
  assert.deepEqual(events, [
    "uprobe:ufuncgraph_p/leaf_one", "uprobe:ufuncgraph_p/leaf_two", "uprobe:ufuncgraph_p/main", "uprobe:ufuncgraph_p/outer",
    "uretprobe:ufuncgraph_p/leaf_one__return", "uretprobe:ufuncgraph_p/leaf_two__return", "uretprobe:ufuncgraph_p/main__return",
    "uretprobe:ufuncgraph_p/outer__return",
  ]);
  const leaves = await planUfuncgraph({ binary: prog, globs: ["leaf_*", "!*two"] });
  assert.deepEqual(leaves.map((d) => d.event), ["leaf_one", "leaf_one__return"]);
  await assert.rejects(planUfuncgraph({ binary: prog, globs: ["*"], limit: 3 }), (e: unknown) =>
    e instanceof ProbeError && /^'\*' matches 4 functions of '.*\/p', more than the limit of 3: narrow the pattern$/.test(e.message));
  await assert.rejects(planUfuncgraph({ binary: prog, globs: ["nomatch*"] }), (e: unknown) =>
    e instanceof ProbeError && /^no function of '.*\/p' matches 'nomatch\*'/.test(e.message));
  await assert.rejects(planUfuncgraph({ binary: prog, globs: ["outr"] }), (e: unknown) =>
    e instanceof ProbeError && /did you mean 'outer'\?$/.test(e.message));
});

test("resolveProbeSpec() checks kernel function names against kallsyms and suggests near ones", async () => {
  const kallsyms = join(dir, "kallsyms");
  writeFileSync(kallsyms, "ffffffff81000000 T _text\nffffffff81100000 T do_sys_openat2\nffffffff81200000 t vfs_read\nffffffffc0000000 t mod_fn\t[mymod]\n");
  const [k] = await resolveProbeSpec("vfs_read count=%dx:u64", { kallsymsPath: kallsyms });
  assert.equal(k!.line, "p:probe/vfs_read vfs_read count=%dx:u64");
  assert.equal((await resolveProbeSpec("mod_fn%return", { kallsymsPath: kallsyms }))[0]!.line, "r:probe/mod_fn__return mod_fn");
  await assert.rejects(resolveProbeSpec("do_sys_opnat2", { kallsymsPath: kallsyms }), (e: unknown) =>
    e instanceof ProbeError && e.message === `kernel function 'do_sys_opnat2' not found in '${kallsyms}': did you mean 'do_sys_openat2'?`);
  // Unreadable kallsyms: the kernel judges the name.
  assert.equal((await resolveProbeSpec("anything", { kallsymsPath: join(dir, "none") }))[0]!.line, "p:probe/anything anything");
});

test("resolveProbeSpec() explains IFUNC symbols (libc strcpy) instead of probing their resolver", async (t) => {
  let libc: string;
  try {
    libc = (await resolveProbeSpec("libc:getenv"))[0]!.binary!;
  } catch {
    t.skip("no libc in the ld.so cache");
    return;
  }
  const elf = await ElfFile.open(libc);
  const strcpy = (await elf.symbols("dynsym")).find((s) => s.name === "strcpy");
  await elf.close();
  if (strcpy?.type !== "IFUNC") {
    t.skip("strcpy is not an IFUNC in this libc");
    return;
  }
  await assert.rejects(resolveProbeSpec("libc:strcpy"), (e: unknown) =>
    e instanceof ProbeError && /^function 'strcpy' in '.*libc\.so\.6' is an indirect function \(IFUNC\) chosen at run time: /.test(e.message));
  await assert.rejects(resolveProbeSpec("libc:strcpyy"), (e: unknown) => e instanceof ProbeError && /did you mean 'strcpy'/.test(e.message));
});
