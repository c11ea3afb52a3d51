// Claims on trace buffers, so that two ftk sessions never set up the same instance at once: the second
// would save the first one's settings as "the state before" and put them back after the first ended
// (seen as tracing_on=0 and a dead ftk's pids in set_event_notrace_pid). A claim is a file under the
// journal directory, created exclusively, naming its owner; an owner that is gone leaves a stale claim.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { TracefsError } from "../base/index.js";
import { journalDir, processStart } from "./journal.js";
import type { UndoStack } from "./undo.js";

interface Owner {
  pid: number;
  start: string;
  argv: string[];
}

/** The claim file of one instance ("" = top level) of the tracing directory `root`. */
export function claimPath(root: string, instance: string): string {
  return join(journalDir(), `${encodeURIComponent(root)}@${instance === "" ? "top" : encodeURIComponent(instance)}.claim`);
}

function readOwner(path: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Owner;
  } catch {
    return undefined;
  }
}

/**
 * Claims `instance` for this process until `undo` unwinds (pushed first, so released last). Throws a
 * one-line TracefsError when a live ftk process holds it. Without a writable journal directory (not
 * root) nothing is claimed, as nothing is journaled.
 */
export function claimInstance(root: string, instance: string, undo: UndoStack): void {
  const path = claimPath(root, instance);
  const me: Owner = { pid: process.pid, start: processStart(process.pid) ?? "0", argv: process.argv.slice(2) };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      mkdirSync(journalDir(), { recursive: true, mode: 0o700 });
      fd = openSync(path, "wx", 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") return;
      const owner = readOwner(path);
      if (owner !== undefined && owner.pid === me.pid && owner.start === me.start) return;
      if (owner !== undefined && processStart(owner.pid) === owner.start) {
        const where = instance === "" ? "the top-level trace buffer" : `instance '${instance}'`;
        const what = owner.argv.length > 0 ? ` (ftk ${owner.argv.slice(0, 4).join(" ")}${owner.argv.length > 4 ? " ..." : ""})` : "";
        throw new TracefsError(`${where} is in use by ftk pid ${owner.pid}${what}: wait for it to end, or record into another instance with -B NAME`, { code: "EBUSY", path: root });
      }
      // Its owner is gone (killed): the claim is stale, its journal restores the settings.
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    undo.push(`release the claim on ${instance === "" ? "the top level" : `instance '${instance}'`}`, async () => rmSync(path, { force: true }), {
      step: { kind: "remove-file", root, path },
      own: true,
    });
    return;
  }
}

/** Drops this process's claim on `instance` now (start and set leave their settings; the claim goes). */
export function releaseInstanceClaim(root: string, instance: string): void {
  const path = claimPath(root, instance);
  const owner = readOwner(path);
  if (owner !== undefined && owner.pid === process.pid) rmSync(path, { force: true });
}
