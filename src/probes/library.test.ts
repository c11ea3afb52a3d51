import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename } from "node:path";
import { ProbeError } from "../base/index.js";
import { parseLdSoCache, readMappedFiles, resolveBinary } from "./library.js";
import { hasTool } from "./testing.js";

const hasCache = existsSync("/etc/ld.so.cache");
const hasLdconfig = hasTool("ldconfig", ["-p"]);

test("parseLdSoCache() lists the same libraries as ldconfig -p", { skip: !hasCache || !hasLdconfig ? "no ld.so cache or ldconfig" : false }, () => {
  const ours = parseLdSoCache(readFileSync("/etc/ld.so.cache")).map((e) => `${e.key} => ${e.path}`);
  // ldconfig -p: "\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1"
  const oracle = execFileSync("ldconfig", ["-p"], { encoding: "latin1" }).split("\n")
    .map((l) => /^\t(\S+) \(.*\)(?:, OS ABI: [^=]*)? => (.*)$/.exec(l)).filter((m) => m !== null).map((m) => `${m[1]} => ${m[2]}`);
  assert.ok(oracle.length > 10, `ldconfig listed ${oracle.length}`);
  assert.deepEqual(ours, oracle);
  // Key prefixes keep exactly the entries whose key starts with one of them.
  const all = parseLdSoCache(readFileSync("/etc/ld.so.cache"));
  for (const prefixes of [["libc"], ["m", "libm"], ["libz.so"], ["no-such-lib-ftk"], []]) {
    assert.deepEqual(parseLdSoCache(readFileSync("/etc/ld.so.cache"), undefined, prefixes), all.filter((e) => prefixes.some((p) => e.key.startsWith(p))), prefixes.join(","));
  }
});

test("parseLdSoCache() reads the old+new combined layout and rejects other files", () => {
  // Old header "ld.so-1.7.0" + nlibs=1 + one 12-byte entry, then the new header aligned to 8, one entry, strings.
  const strings = Buffer.from("libx.so.1\0/opt/libx.so.1\0", "latin1");
  const newPart = Buffer.alloc(48 + 24);
  newPart.write("glibc-ld.so.cache1.1", 0, "latin1");
  newPart.writeUInt32LE(1, 20);
  newPart.writeUInt32LE(strings.length, 24);
  newPart.writeInt32LE(0x0303, 48);
  newPart.writeUInt32LE(72, 52); // key: offset from the new header
  newPart.writeUInt32LE(72 + 10, 56);
  const old = Buffer.alloc(16 + 12 + 4); // 28 rounded up to 32
  old.write("ld.so-1.7.0", 0, "latin1");
  old.writeUInt32LE(1, 12);
  const entries = parseLdSoCache(Buffer.concat([old, newPart, strings]));
  assert.deepEqual(entries, [{ key: "libx.so.1", path: "/opt/libx.so.1", flags: 0x0303 }]);
  assert.throws(() => parseLdSoCache(Buffer.from("garbage".repeat(10))), (e: unknown) =>
    e instanceof ProbeError && /^cannot read '\/etc\/ld\.so\.cache': not a glibc ld\.so cache/.test(e.message));
});

test("resolveBinary() finds libc by short name, paths as given, programs on $PATH", { skip: !hasCache ? "no ld.so cache" : false }, async () => {
  const libc = await resolveBinary("libc");
  assert.equal(basename(libc), "libc.so.6");
  assert.equal(realpathSync(libc), realpathSync(await resolveBinary("libc.so.6")));
  assert.equal(await resolveBinary("/bin/ls"), "/bin/ls");
  assert.equal(realpathSync(await resolveBinary("ls")), realpathSync("/bin/ls"));
  await assert.rejects(resolveBinary("no-such-library-xyz"), (e: unknown) =>
    e instanceof ProbeError && e.message === "binary 'no-such-library-xyz' not found in the ld.so cache or $PATH: give its path");
  await assert.rejects(resolveBinary("/no/such/file"), (e: unknown) => e instanceof ProbeError && e.message === "binary '/no/such/file' not found: check the path");
});

test("resolveBinary() with a pid uses the libraries that process has mapped", async () => {
  const child = spawn("sleep", ["5"], { stdio: "ignore" });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const maps = await readMappedFiles(child.pid!);
    const mappedLibc = maps.find((p) => /\/libc[.-]/.test(basename(p)) || basename(p).startsWith("libc.so"));
    assert.ok(mappedLibc !== undefined, maps.join(","));
    assert.equal(await resolveBinary("libc", { pid: child.pid! }), mappedLibc);
    await assert.rejects(readMappedFiles(999999999), (e: unknown) => e instanceof ProbeError && /^cannot read '\/proc\/999999999\/maps'/.test(e.message));
  } finally {
    child.kill();
  }
});
