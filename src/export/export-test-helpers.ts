// Test helpers for the exports: decode a Perfetto file with protoc into a tree, run the CLI in-process.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sharedDir } from "../test-support/paths.js";

/** A protoc text-format node: scalar fields as [name, value] and nested messages as [name, node]. */
export interface TextNode {
  fields: [string, string | TextNode][];
}

/** The Perfetto schema in ../shared, or undefined. */
export function perfettoProto(): string | undefined {
  const dir = sharedDir();
  const p = dir === undefined ? undefined : join(dir, "reference", "perfetto", "perfetto_trace.proto");
  return p !== undefined && existsSync(p) ? p : undefined;
}

/** Why Perfetto decode tests cannot run, or false. */
export function skipWithoutProtoc(): string | false {
  if (perfettoProto() === undefined) return "../shared/reference/perfetto not found (set FTK_SHARED)";
  if (spawnSync("protoc", ["--version"]).status !== 0) return "protoc not installed (apt-get install protobuf-compiler)";
  return false;
}

/** `protoc --decode=perfetto.protos.Trace` of a file: the text, or throws with protoc's message. */
export function protocDecode(file: string): string {
  const proto = perfettoProto()!;
  const dir = proto.slice(0, proto.lastIndexOf("/"));
  const r = spawnSync("sh", ["-c", 'exec protoc --proto_path="$1" --decode=perfetto.protos.Trace perfetto_trace.proto < "$2"', "sh", dir, file], {
    maxBuffer: 1 << 30,
    encoding: "latin1",
  });
  if (r.status !== 0) throw new Error(`protoc failed on ${file}: ${r.stderr}`);
  return r.stdout;
}

function unescape(s: string): string {
  return s.replace(/\\([0-7]{3}|.)/g, (_, e: string) => {
    if (e.length === 3) return String.fromCharCode(parseInt(e, 8));
    return ({ n: "\n", t: "\t", r: "\r" } as Record<string, string>)[e] ?? e;
  });
}

/** Parses protoc's text format; strings lose their quotes and escapes (UTF-8 bytes stay bytes). */
export function parseTextFormat(text: string): TextNode {
  const root: TextNode = { fields: [] };
  const stack = [root];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line === "}") {
      stack.pop();
      continue;
    }
    const top = stack[stack.length - 1]!;
    if (line.endsWith(" {")) {
      const node: TextNode = { fields: [] };
      top.fields.push([line.slice(0, -2), node]);
      stack.push(node);
      continue;
    }
    const colon = line.indexOf(": ");
    const name = line.slice(0, colon);
    let value = line.slice(colon + 2);
    if (value.startsWith('"')) value = Buffer.from(unescape(value.slice(1, -1)), "latin1").toString("utf8");
    top.fields.push([name, value]);
  }
  return root;
}

/** Children of `node` named `name`. */
export function children(node: TextNode, name: string): TextNode[] {
  return node.fields.filter(([n, v]) => n === name && typeof v !== "string").map(([, v]) => v as TextNode);
}

/** The scalar `name` of `node`, or undefined. */
export function scalar(node: TextNode, name: string): string | undefined {
  const f = node.fields.find(([n, v]) => n === name && typeof v === "string");
  return f?.[1] as string | undefined;
}
