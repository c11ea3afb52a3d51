// Event text exactly as trace-cmd 3.1.6 / libtraceevent 1.7.1 print it (ring-buffer-and-events.md §5-§8):
// a plugin handler, the compiled print fmt, bprint, or the [FAILED TO PARSE] fallback. Each event's
// renderer is built once, on its first record, and kept in a dense array by id.
import type { RawRecord } from "../ringbuf/index.js";
import { BprintRenderer } from "./bprint.js";
import type { EventFormat, EventFormatInternal, EventTable } from "./event-format.js";
import type { Kallsyms } from "./kallsyms.js";
import { PLUGINS, type PluginEnv, type PluginHandler } from "./plugins/index.js";
import { Compiler, type CompiledFormat } from "./printfmt/compiler.js";
import type { PrintkFormats } from "./printk-formats.js";
import { compileRawFields } from "./raw-fields.js";
import type { TaskNames } from "./task-names.js";

/** Options of the event printer (report -N, -O, -n). */
export interface PrinterOptions {
  /** false for `report -N`: no plugin handlers and no plugin print functions. */
  plugins: boolean;
  /** `-O [plugin:]opt[=val]`, e.g. "ftrace:parent" -> true, "offset" -> true. */
  pluginOptions?: Map<string, string | boolean>;
  /** `report -n regex`: events whose name or system matches keep their print fmt (no handler). */
  disabledHandlers?: RegExp;
  /** Receives one warning per kind of damaged record (a length past the record's end); default: none. */
  onWarning?: (message: string) => void;
}

/** The symbol tables a printer uses. */
export interface PrinterSymbols {
  kallsyms: Kallsyms;
  printk: PrintkFormats;
  tasks: TaskNames;
}

type Render = (rec: RawRecord) => string;

interface EventRenderers {
  text: Render;
  raw: Render;
}

const UNKNOWN: EventRenderers = { text: () => "[UNKNOWN EVENT]", raw: () => "[UNKNOWN EVENT]" };

/** Renders event text for the records of one file (or live kernel). */
export class EventPrinter {
  private readonly renderers: (EventRenderers | undefined)[] = [];
  private readonly env: PluginEnv;
  private readonly le: boolean;

  constructor(
    private readonly table: EventTable,
    private readonly symbols: PrinterSymbols,
    private readonly options: PrinterOptions,
  ) {
    this.le = table.info.littleEndian;
    const opts = options.pluginOptions ?? new Map<string, string | boolean>();
    this.env = {
      info: table.info,
      kallsyms: symbols.kallsyms,
      tasks: symbols.tasks,
      funcStacks: [],
      option: (alias, name, dflt) => {
        const v = opts.get(alias + ":" + name) ?? opts.get(name);
        if (v === undefined) return dflt;
        if (typeof v === "boolean") return v;
        return !(v === "0" || v === "false" || v === "off");
      },
    };
  }

  /** The event format for rec (by common_type), or undefined for an unknown id. */
  eventOf(rec: RawRecord): EventFormat | undefined {
    if (rec.len < 2) return undefined;
    return this.table.byId(rec.view.getUint16(rec.pos, this.le));
  }

  /** Event text for rec: plugin output, compiled print fmt, or the [FAILED TO PARSE] fallback. */
  text(rec: RawRecord): string {
    const id = rec.len >= 2 ? rec.view.getUint16(rec.pos, this.le) : -1;
    const r = this.renderers[id] ?? this.build(id);
    return r.text(rec);
  }

  /** `report -R`: the raw " name=value" field list. */
  rawText(rec: RawRecord): string {
    const id = rec.len >= 2 ? rec.view.getUint16(rec.pos, this.le) : -1;
    const r = this.renderers[id] ?? this.build(id);
    return r.raw(rec);
  }

  /** Whether the event prints `[FAILED TO PARSE]` with these options (e.g. plugin functions under -N). */
  isFailed(ev: EventFormat): boolean {
    if (this.renderers[ev.id] === undefined) this.build(ev.id);
    this.formats[ev.id]?.();
    return this.failedIds.has(ev.id);
  }

  private readonly failedIds = new Set<number>();
  private readonly warned = new Set<string>();
  /** By id: the event's print fmt renderers, compiled on first call (see build). */
  private readonly formats: (() => EventRenderers)[] = [];

  private warnOnce(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.options.onWarning?.(message + " (warned once)");
  }

  private build(id: number): EventRenderers {
    if (id < 0) return UNKNOWN;
    const ev = this.table.byId(id) as EventFormatInternal | undefined;
    if (!ev) {
      this.renderers[id] = UNKNOWN;
      return UNKNOWN;
    }
    let format: EventRenderers | undefined;
    const formatOf = (this.formats[id] = () => (format ??= this.compileFormat(ev)));
    const key = ev.system + ":" + ev.name;
    const factory = this.options.plugins ? PLUGINS.get(key) : undefined;
    const off = this.options.disabledHandlers;
    const disabled = off !== undefined && (off.test(ev.name) || off.test(ev.system));
    const h: PluginHandler | undefined = factory && !disabled ? factory(ev, this.env) : undefined;
    let r: EventRenderers;
    if (h === undefined) r = formatOf();
    else {
      // A plugin's event (sched_switch) compiles its print fmt only when a record needs it: when the
      // handler asks for it after its own text, or for `-R`. Parsing and compiling it cost more than
      // the few records of a small report.
      const always = h.pretty;
      r = {
        text: always
          ? (rec) => h.render(rec) + formatOf().text(rec)
          : (rec) => {
              h.pretty = false;
              const s = h.render(rec);
              return h.pretty ? s + formatOf().text(rec) : s;
            },
        raw: (rec) => formatOf().raw(rec),
      };
    }
    this.renderers[id] = r;
    return r;
  }

  /** The event's print fmt (or bprint, or the [FAILED TO PARSE] fallback) and raw field list. */
  private compileFormat(ev: EventFormatInternal): EventRenderers {
    const { kallsyms, printk } = this.symbols;
    const info = this.table.info;
    let compiled: CompiledFormat | undefined;
    let failed = ev.failed || ev.ast === undefined;
    const isBprint = ev.system === "ftrace" && ev.name === "bprint";
    if (!failed && ev.ast) {
      try {
        const onClamp = (what: string): void => this.warnOnce(what, `${what}() length past the end of a '${ev.system}:${ev.name}' record: printed the bytes the record holds`);
        const compiler = new Compiler({ fields: ev.fields, findField: (n) => ev.findField(n), info, kallsyms, printk, plugins: this.options.plugins, onClamp });
        let ast = ev.ast;
        if (ev.system === "ftrace" && ast.args.length === 0) {
          // Old ftrace formats had no arguments: one per field (libtraceevent parse_format()).
          ast = { ...ast, args: ev.fields.map((f) => ({ kind: "field" as const, name: f.name })) };
        }
        if (!isBprint) compiled = compiler.compile(ast);
      } catch {
        failed = true;
      }
    }
    if (failed) this.failedIds.add(ev.id);
    const raw = compileRawFields(ev.fields, info, failed || isBprint ? undefined : compiled?.pieces);
    let text: Render;
    if (failed) text = (rec) => "[FAILED TO PARSE]" + raw(rec);
    else if (isBprint) {
      const b = BprintRenderer.create(ev, info, kallsyms, printk);
      const failedText = (rec: RawRecord): string => "[FAILED TO PARSE]" + raw(rec);
      text = b ? (rec) => (b.failed ? failedText(rec) : b.render(rec)) : () => "";
    } else text = compiled!.render;
    return { text, raw };
  }
}
