// Terminal colour for the commands that colour (issue 11): `--color auto|always|never`, NO_COLOR
// (no-color.org: set and not empty means no colour unless the user asks with --color=always), and
// plain text whenever `auto` writes to something that is not a terminal.

/** The value of a `--color` flag. */
export type ColorMode = "auto" | "always" | "never";

/** Parses a `--color` value; undefined for anything else (the caller reports the usage error). */
export function parseColorMode(value: string | undefined): ColorMode | undefined {
  return value === "auto" || value === "always" || value === "never" ? value : undefined;
}

/** True when output to `stream` should be coloured under `mode` and the environment `env`. */
export function useColor(mode: ColorMode, stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  if (mode !== "auto") return mode === "always";
  if ((env["NO_COLOR"] ?? "") !== "" || env["TERM"] === "dumb") return false;
  return stream.isTTY === true;
}

/** SGR codes used by ftk's outputs (colours, and bold). */
export const COLOR = { bold: 1, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36 } as const;

/** `text` wrapped in one SGR colour and a reset. */
export function paint(text: string, color: number): string {
  return `\x1b[${color}m${text}\x1b[0m`;
}
