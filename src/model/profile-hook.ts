// `-H` hooks of `report --profile`: parsed apart from model/TaskProfile, so that parsing report's flags
// does not load the profile.

/** A `-H` hook: two events paired on fields, as `[sys:]start,match[,pid]/[sys:]end,match[,flags]`. */
export interface ProfileHook {
  startSystem: string | undefined;
  startEvent: string;
  startMatch: string;
  pid: string | undefined;
  endSystem: string | undefined;
  endEvent: string;
  endMatch: string;
  flags: string | undefined;
  migrate: boolean;
  global: boolean;
}

/** Parses a `-H` hook (trace-cmd's tracecmd_create_event_hook()); undefined when malformed. */
export function parseProfileHook(text: string): ProfileHook | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const side = (part: string, last: boolean): { system: string | undefined; event: string; match: string; extra: string | undefined } | undefined => {
    let system: string | undefined;
    let rest = part;
    const comma = rest.indexOf(",");
    const colon = rest.indexOf(":");
    if (colon >= 0 && (comma < 0 || colon < comma)) {
      system = rest.slice(0, colon);
      rest = rest.slice(colon + 1);
    }
    const items = rest.split(",");
    const event = items[0] ?? "";
    const match = items[1] ?? "";
    if (event === "" || match === "") return undefined;
    // The end side keeps everything after its second comma as flags; the start side one pid field.
    const extra = items.length > 2 ? (last ? items.slice(2).join(",") : items[2]) : undefined;
    if (extra === "") return undefined;
    return { system: system === "" ? undefined : system, event, match, extra };
  };
  const a = side(text.slice(0, slash), false);
  const b = side(text.slice(slash + 1), true);
  if (a === undefined || b === undefined) return undefined;
  let migrate = true;
  let global = false;
  for (const ch of (b.extra ?? "").toLowerCase()) {
    if (ch === "p") migrate = false;
    else if (ch === "g") global = true;
    else if (ch !== "s") return undefined;
  }
  return {
    startSystem: a.system,
    startEvent: a.event,
    startMatch: a.match,
    pid: a.extra,
    endSystem: b.system,
    endEvent: b.event,
    endMatch: b.match,
    flags: b.extra,
    migrate,
    global,
  };
}
