// The pictures in a real browser (headless Chromium through playwright-core): the html and svg outputs
// load with no console error and no network request, a click zooms, a search highlights with its share;
// speedscope's own page opens our JSON and shows the frames. Screenshots go to test-artifacts/.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, suite, test } from "node:test";
import { repoRoot } from "../test-support/paths.js";
import type { WeightedStack } from "../model/index.js";
import { buildFlameTree, flameGraphHtml, flameGraphSvg, foldStacks, speedscopeJson } from "./index.js";

const CHROMIUM = "/usr/bin/chromium";
const require = createRequire(import.meta.url);

function findSpeedscope(): string | undefined {
  try {
    return dirname(require.resolve("speedscope/package.json"));
  } catch {
    return undefined;
  }
}

async function loadPlaywright(): Promise<typeof import("playwright-core") | undefined> {
  try {
    return await import("playwright-core");
  } catch {
    return undefined;
  }
}
const playwright = await loadPlaywright();
const skip = !existsSync(CHROMIUM) ? "chromium not installed (/usr/bin/chromium)" : playwright === undefined ? "playwright-core not installed" : false;

/** Where screenshots are kept (FTK_ARTIFACTS, else test-artifacts/ in the checkout). */
export function artifactsDir(): string {
  const dir = process.env["FTK_ARTIFACTS"] ?? join(repoRoot(), "test-artifacts");
  mkdirSync(dir, { recursive: true });
  return dir;
}

function stack(user: string[], weightNs: number, kernel: string[] = []): WeightedStack {
  return { kind: "on-cpu", pid: 42, comm: "spin", user, kernel, weightNs, count: 1 };
}

// spin_a 3/4, spin_b 1/4 of 4 s, plus a kernel frame under spin_b and a name that needs escaping.
const STACKS = [
  stack(["main", "work", "spin_a"], 3_000_000_000),
  stack(["main", "work", "spin_b"], 900_000_000),
  stack(["main", "work", "spin_b"], 100_000_000, ["asm_exc_page_fault", "handle_mm_fault"]),
  stack(["main", "</script><b>x</b>]]>"], 1),
];
const FOLDED = foldStacks(STACKS);
const TREE = buildFlameTree(FOLDED);

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

suite("flame graph pictures in headless Chromium", { skip }, () => {
  let dir = "";
  let profileDir = "";
  let browser: import("playwright-core").BrowserContext;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ftk-fg-browser-"));
    profileDir = mkdtempSync(join(tmpdir(), "ftk-chromium-profile-"));
    browser = await playwright!.chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(profileDir, { recursive: true, force: true });
  });

  /** Opens a file; collects console errors, page errors and every request beyond the file itself. */
  async function open(path: string) {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    const url = pathToFileURL(path).href;
    page.on("request", (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.goto(url);
    return { page, errors, requests };
  }

  for (const format of ["html", "svg"] as const) {
    test(`${format}: loads cleanly, a click zooms, a search for spin_a shows its share`, async () => {
      const path = join(dir, `fg.${format}`);
      const o = { title: "On-CPU flame graph: test", unit: "ns" as const };
      writeFileSync(path, format === "html" ? flameGraphHtml(TREE, o) : flameGraphSvg(TREE, o));
      const { page, errors, requests } = await open(path);
      try {
        const fg = page.locator("#fg");
        assert.equal(await fg.getAttribute("data-zoom"), "all");
        // The tooltip (title) of spin_a carries its share and time.
        const spinA = page.locator('rect[data-name="spin_a"]');
        assert.equal(await spinA.count(), 1);
        const tip = await page.locator("g.frame", { has: spinA }).locator("title").textContent();
        assert.equal(tip, "spin_a (75.00%, 3.000 s)");
        // Hover shows the same in the details line.
        await spinA.hover();
        assert.equal((await page.locator("#details").textContent())?.trim(), "spin_a (75.00%, 3.000 s)");

        // Click spin_b: it becomes the zoom root and spans the whole width.
        const widthBefore = Number(await page.locator('rect[data-name="spin_b"]').getAttribute("width"));
        await page.locator('rect[data-name="spin_b"]').click();
        assert.equal(await fg.getAttribute("data-zoom"), "spin_b");
        const widthAfter = Number(await page.locator('rect[data-name="spin_b"]').getAttribute("width"));
        assert.ok(widthAfter > widthBefore * 3.5, `spin_b widened from ${widthBefore} to ${widthAfter}`);
        assert.equal(await page.locator('rect[data-name="spin_a"]').count(), 0, "spin_a is outside the zoomed frame");

        // Reset, then search.
        await page.locator("#reset").click();
        assert.equal(await fg.getAttribute("data-zoom"), "all");
        if (format === "html") await page.locator("#search").fill("spin_a");
        else {
          page.once("dialog", (d) => void d.accept("spin_a"));
          await page.locator("#search").click();
        }
        assert.equal(await page.locator("#matched").textContent(), "Matched: 75.00%");
        assert.equal(await page.locator("rect.match").count(), 1);
        assert.equal(await page.locator('rect[data-name="spin_a"]').getAttribute("fill"), "rgb(230,0,230)");
        await page.screenshot({ path: join(artifactsDir(), `flamegraph-${format}.png`) });
        assert.deepEqual(errors, []);
        assert.deepEqual(requests, []);
      } finally {
        await page.close();
      }
    });
  }

  test("speedscope JSON opens in speedscope's own page and shows spin_a", { skip: findSpeedscope() === undefined ? "speedscope not installed" : false }, async () => {
    const path = join(dir, "profile.speedscope.json");
    writeFileSync(path, speedscopeJson(FOLDED, { name: "spin", unit: "nanoseconds" }));
    const { page, errors, requests } = await open(join(findSpeedscope()!, "dist", "release", "index.html"));
    try {
      await page.locator('input[type="file"]').setInputFiles(path);
      // The sandwich view lists the functions as text.
      await page.getByText("Sandwich").click();
      await page.getByText("spin_a", { exact: true }).first().waitFor({ timeout: 15000 });
      await page.screenshot({ path: join(artifactsDir(), "speedscope.png") });
      assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), []);
      assert.deepEqual(requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:") && !u.startsWith("blob:")), []);
    } finally {
      await page.close();
    }
  });
});
