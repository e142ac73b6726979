// Looks at flowdiff's diagrams and HTML reports the way a person would: in headless Chromium.
//
// Usage: node check.mjs MANIFEST.json
//
// The manifest (written by tests/it/visual.rs) lists
//   mermaid: [{name, file, messages: [arrow text…]}]  Mermaid text files: each must parse with
//            Mermaid's own parser, render, and draw exactly these arrow texts in this order;
//   html:    [{name, file, arrows, findings: [{id, message}], severities: [..]}]  HTML reports:
//            no console error, no request leaving the file, each finding in the DOM, `arrows`
//            arrows in the SVG, the severity filter hiding what it should;
//   out_dir: where the screenshots go (NAME.png), taken only when `screenshots` is true
//            (they cost more than the checks).
// Prints one line per failure and exits 1 if there was any.

import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(readFileSync(process.argv[2], "utf8"));
const executablePath = process.env.FLOWDIFF_CHROMIUM || "/usr/bin/chromium";
mkdirSync(manifest.out_dir, { recursive: true });

const failures = [];
const fail = (name, what) => failures.push(`${name}: ${what}`);

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
// A fresh profile per run: playwright gives every context its own.
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });

/** A page that records console errors and every request that is not the file itself. */
async function watchedPage(name) {
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") fail(name, `console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => fail(name, `page error: ${e.message}`));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:") || url === "about:blank") {
      return route.continue();
    }
    fail(name, `network request: ${url}`);
    return route.abort();
  });
  return page;
}

const mermaidJs = join(here, "node_modules/mermaid/dist/mermaid.min.js");

// One page for every diagram: loading Mermaid takes seconds.
let current = "mermaid";
if (manifest.mermaid.length > 0) {
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") fail(current, `console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => fail(current, `page error: ${e.message}`));
  await page.setContent("<!doctype html><html><body><div id=out></div></body></html>");
  await page.addScriptTag({ path: mermaidJs });
  await page.evaluate(() => mermaid.initialize({ startOnLoad: false, securityLevel: "strict" }));
  let n = 0;
  for (const item of manifest.mermaid) {
    current = item.name;
    const text = readFileSync(item.file, "utf8");
    const result = await page.evaluate(
      async ({ text, id }) => {
        const out = document.getElementById("out");
        out.innerHTML = "";
        try {
          await mermaid.parse(text);
        } catch (e) {
          return { error: `parse: ${e.message || e}` };
        }
        try {
          const { svg } = await mermaid.render(id, text);
          out.innerHTML = svg;
        } catch (e) {
          return { error: `render: ${e.message || e}` };
        }
        const messages = [...out.querySelectorAll(".messageText")].map((t) =>
          t.textContent.replace(/\s+/g, " ").trim(),
        );
        const scripts = out.querySelectorAll("script, img, iframe, [onerror]").length;
        return { messages, scripts };
      },
      { text, id: `diagram${n++}` },
    );
    if (result.error) {
      fail(item.name, result.error);
      continue;
    }
    const want = (item.messages || []).map((m) => m.replace(/\s+/g, " ").trim());
    if (item.messages && JSON.stringify(result.messages) !== JSON.stringify(want)) {
      fail(
        item.name,
        `arrow texts differ:\n  drawn:    ${JSON.stringify(result.messages)}\n  expected: ${JSON.stringify(want)}`,
      );
    }
    if (result.scripts > 0) fail(item.name, "markup from captured text made it into the diagram");
    if (manifest.screenshots) {
      await page.locator("#out svg").screenshot({ path: join(manifest.out_dir, `${item.name}.mermaid.png`) });
    }
  }
  await page.close();
}

for (const item of manifest.html) {
  const page = await watchedPage(item.name);
  await page.goto(pathToFileURL(resolve(item.file)).href);
  const seen = await page.evaluate((findings) => {
    const missing = [];
    for (const f of findings) {
      const el = document.querySelector(`[data-finding="${CSS.escape(f.id)}"]`);
      if (!el || !el.textContent.replace(/\s+/g, " ").includes(f.message.replace(/\s+/g, " "))) {
        missing.push(f.id + " " + f.message);
      }
    }
    const svgs = [...document.querySelectorAll("svg.diagram")];
    return {
      missing,
      arrows: svgs.map((s) => s.querySelectorAll(".arrow").length),
      injected: document.querySelectorAll("[data-injected], script[src], img[src], link[href]").length,
    };
  }, item.findings);
  for (const m of seen.missing) fail(item.name, `finding not in the page: ${m}`);
  if (JSON.stringify(seen.arrows) !== JSON.stringify(item.arrows)) {
    fail(item.name, `arrows per diagram ${JSON.stringify(seen.arrows)}, expected ${JSON.stringify(item.arrows)}`);
  }
  if (seen.injected > 0) fail(item.name, `${seen.injected} element(s) injected or loading from outside`);
  // The severity filter: unticking a severity hides its findings and only those.
  for (const severity of item.severities) {
    const box = page.locator(`input[data-severity="${severity}"]`).first();
    if ((await box.count()) === 0) {
      fail(item.name, `no filter for ${severity}`);
      continue;
    }
    await box.uncheck();
    const visible = await page.evaluate((severity) => {
      const shown = (el) => el.getClientRects().length > 0;
      const all = [...document.querySelectorAll("[data-finding]")];
      return {
        hidden: all.filter((el) => el.dataset.severity === severity).filter(shown).length,
        others: all.filter((el) => el.dataset.severity !== severity).filter((el) => !shown(el)).length,
      };
    }, severity);
    if (visible.hidden > 0) fail(item.name, `${visible.hidden} ${severity} finding(s) still shown when filtered out`);
    await box.check();
  }
  if (manifest.screenshots) {
    await page.screenshot({ path: join(manifest.out_dir, `${item.name}.png`), fullPage: true });
  }
  await page.close();
}

await browser.close();
for (const f of failures) console.log(f);
console.log(`${manifest.mermaid.length} diagrams, ${manifest.html.length} HTML reports, ${failures.length} failures`);
process.exit(failures.length > 0 ? 1 : 0);
