#!/usr/bin/env node
// Build step: writes dist/cli/commands.json (each command's summary and flag table) so that `ftk --help`
// lists the commands without loading their modules. main.js falls back to the modules when it is stale.
import { writeFileSync } from "node:fs";
import { COMMAND_MANIFEST, loadCommandInfo } from "../dist/cli/main.js";

const info = await loadCommandInfo();
writeFileSync(COMMAND_MANIFEST, JSON.stringify(Object.fromEntries(info), null, 1) + "\n");
