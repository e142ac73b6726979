// Looks at flowdiff's diagrams and HTML reports the way a person would: in headless Chromium.
//
// Usage: node check.mjs MANIFEST.json   checks one manifest: prints one line per failure and
//                                       exits 1 if there was any;
//        node check.mjs                 serves the tests (tests/it/browser.rs): reads requests
//                                       `ID MANIFEST` from stdin, one a line, and answers each
//                                       with one JSON line {"id", "failures": [...], "summary"},
//                                       all with one Chromium: diagrams in one page with Mermaid
//                                       loaded, HTML reports in another, the two at once. Both
//                                       pages are made ready at start, before the first request.
//                                       Each page looks at one item at a time, the next one
//                                       taken from the manifest with the fewest left (a small
//                                       manifest is answered at once, not after a long one);
//                                       closes the browser at the end of stdin, unfinished
//                                       work dropped (the test process is gone).
//
// A manifest (written by tests/it/browser.rs) lists
//   mermaid: [{name, file, messages: [arrow text…]}]  Mermaid text files: each must parse with
//            Mermaid's own parser, render, and draw exactly these arrow texts in this order;
//   html:    [{name, file, arrows, findings: [{id, message}], severities: [..]}]  HTML reports:
//            no console error, no request leaving the file, each finding in the DOM, `arrows`
//            arrows in the SVG, the severity filter (clicked as a person would) hiding what it
//            should and only that;
//   out_dir: where the screenshots go (NAME.png), taken only when `screenshots` is true
//            (they cost more than the checks).

import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

// Required, not imported: importing a CommonJS package from an ES module has Node scan its
// source for the names it exports, 0.2 CPU s for playwright-core's 7 MB.
const { chromium } = createRequire(import.meta.url)("playwright-core");
const here = dirname(fileURLToPath(import.meta.url));
// Chromium's headless shell: the browser without the desktop browser's layers, which start and
// run at about half the CPU of `chromium --headless` (5.5 CPU s for the tests' work instead of
// 7.3); the same Blink and V8.
const executablePath = process.env.FLOWDIFF_CHROMIUM || "/usr/bin/chromium-headless-shell";
// Mermaid's ES module build, which loads each diagram type's code when first drawn: the page
// loads and compiles only what sequence diagrams need (0.9 of the bundle's 3.6 MB).
const mermaidDist = join(here, "node_modules/mermaid/dist");
const mermaidOrigin = "http://mermaid.invalid";

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
    // The pages' renderers as threads of the browser process instead of processes of their
    // own: 7-15% less CPU for the tests' work (no process start, no IPC between processes), as
    // fast. It holds only the tests' own pages.
  ],
});
// A fresh profile: playwright gives every context its own.
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });

/** A page that reports console errors and every request that is not a file of its own to
 * what it is looking at: `page.looking` = {name, failures}. */
async function watchedPage(blockRequests) {
  const page = await context.newPage();
  page.looking = { name: "", failures: [] };
  const fail = (what) => page.looking.failures.push(`${page.looking.name}: ${what}`);
  page.on("console", (m) => {
    if (m.type() === "error") fail(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => fail(`page error: ${e.message}`));
  if (blockRequests) {
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:") || url === "about:blank") {
        return route.continue();
      }
      fail(`network request: ${url}`);
      return route.abort();
    });
  }
  return page;
}

/** One page's work: manifests' items waiting to be looked at in `page` (a promise), one at a
 * time, the next item taken from the manifest with the fewest items left. */
function worker(page) {
  return { page, jobs: [], running: false };
}

/** Has `work`'s page look at the `items` of `manifest`, failures going to `failures`; resolves
 * when all are looked at (or the page failed: the rest of the items are skipped, the failure
 * reported). */
function submit(work, manifest, items, failures) {
  return new Promise((done) => {
    work.jobs.push({ manifest, items, next: 0, failures, done });
    if (!work.running) run(work);
  });
}

async function run(work) {
  work.running = true;
  let page = null;
  while (work.jobs.length > 0) {
    work.jobs.sort((a, b) => a.items.length - a.next - (b.items.length - b.next));
    const job = work.jobs[0];
    const item = job.items[job.next++];
    let failed = false;
    try {
      page ??= await work.page;
      page.looking = { name: item.name, failures: job.failures };
      await work.look(page, item, job.manifest.screenshots, job.manifest.out_dir);
      await settle(page);
    } catch (e) {
      job.failures.push(`${item.name}: the browser helper failed: ${e.stack || e}`);
      failed = true;
    } finally {
      if (page) page.looking = { name: "", failures: [] };
    }
    if (failed || job.next >= job.items.length) {
      work.jobs.shift();
      job.done();
    }
  }
  work.running = false;
}

/** Settles a page: what it queued (console messages of the last item) is reported before this
 * returns, so it is charged to that item and not to the next manifest's. */
const settle = (page) => page.evaluate(() => new Promise((done) => setTimeout(done, 0)));

// One page for every diagram of every manifest: loading Mermaid takes a second or more. The
// page and Mermaid's modules are served by this helper from a name that cannot resolve (ES
// modules do not load from file: URLs).
async function mermaidPage() {
  const page = await watchedPage(false);
  await page.route(`${mermaidOrigin}/**`, (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname);
    if (path === "/") {
      const body = "<!doctype html><html><body><div id=out></div></body></html>";
      return route.fulfill({ contentType: "text/html", body });
    }
    return route
      .fulfill({ path: join(mermaidDist, path), contentType: "text/javascript" })
      .catch(() => route.fulfill({ status: 404 }));
  });
  await page.goto(`${mermaidOrigin}/`);
  await page.evaluate(async () => {
    window.mermaid = (await import("/mermaid.esm.min.mjs")).default;
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
    // Loads the code of sequence diagrams (on first use) while the tests prepare their work.
    await mermaid.render("warm_up", "sequenceDiagram\n    a->>b: x\n");
  });
  return page;
}
let diagrams = 0;
// What Mermaid made of each distinct diagram text in this run: the same text (several reports
// draw the same diagram) is rendered once, and each item with it is checked against that. Not
// with screenshots: each item's picture needs its own rendering in the page.
const drawn = new Map();

/** Has Mermaid render `text`: the arrow texts drawn and the number of elements that could run
 * or load something, or the error (`parse: ...` or `render: ...`). The rendered SVG is put in
 * the page (`#out`) only for a screenshot: the arrows are read from an inert copy, which the
 * page does not lay out or paint again. */
function draw(page, text, screenshots) {
  const render = () =>
    page.evaluate(drawInPage, { text, id: `diagram${diagrams++}`, screenshots });
  if (screenshots) return render();
  if (!drawn.has(text)) drawn.set(text, render());
  return drawn.get(text);
}

async function drawInPage({ text, id, screenshots }) {
  const out = document.getElementById("out");
  out.innerHTML = "";
  let svg;
  try {
    // render() parses the text with the same parser as parse() before it draws; parse() is
    // asked again only to tell a parse error from a drawing error.
    ({ svg } = await mermaid.render(id, text));
  } catch (e) {
    const error = `${e.message || e}`;
    // What render() leaves behind when it fails: the error diagram it drew.
    document.getElementById(`d${id}`)?.remove();
    const parsed = await mermaid.parse(text).then(
      () => null,
      (p) => `parse: ${p.message || p}`,
    );
    return { error: parsed ?? `render: ${error}` };
  }
  const held = document.createElement("template");
  held.innerHTML = svg;
  const messages = [...held.content.querySelectorAll(".messageText")].map((t) =>
    t.textContent.replace(/\s+/g, " ").trim(),
  );
  const scripts = held.content.querySelectorAll("script, img, iframe, [onerror]").length;
  if (screenshots) out.innerHTML = svg;
  return { messages, scripts };
}

async function checkDiagram(page, item, screenshots, outDir) {
  const fail = (name, what) => page.looking.failures.push(`${name}: ${what}`);
  const result = await draw(page, readFileSync(item.file, "utf8"), screenshots);
  if (result.error) {
    fail(item.name, result.error);
    return;
  }
  const want = (item.messages || []).map((m) => m.replace(/\s+/g, " ").trim());
  if (item.messages && JSON.stringify(result.messages) !== JSON.stringify(want)) {
    fail(
      item.name,
      `arrow texts differ:\n  drawn:    ${JSON.stringify(result.messages)}\n  expected: ${JSON.stringify(want)}`,
    );
  }
  if (result.scripts > 0) fail(item.name, "markup from captured text made it into the diagram");
  if (screenshots) {
    await page.locator("#out svg").screenshot({ path: join(outDir, `${item.name}.mermaid.png`) });
  }
}


/** Clicks the severity filter `severity` where a person would (its box, scrolled into view,
 * not covered by anything): a description of what is wrong, or null and the box's new state. */
async function clickFilter(page, severity) {
  const target = await page.evaluate((severity) => {
    const box = document.querySelector(`input[data-severity="${CSS.escape(severity)}"]`);
    if (!box) return { error: `no filter for ${severity}` };
    box.scrollIntoView({ block: "center" });
    const r = box.getBoundingClientRect();
    const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
    const hit = document.elementFromPoint(x, y);
    if (box.disabled || r.width === 0 || r.height === 0 || hit !== box) {
      return { error: `the ${severity} filter cannot be clicked (under it: ${hit && hit.outerHTML.slice(0, 80)})` };
    }
    return { x, y, checked: box.checked };
  }, severity);
  if (target.error) return target;
  await page.mouse.click(target.x, target.y);
  const checked = await page.evaluate(
    (severity) => document.querySelector(`input[data-severity="${CSS.escape(severity)}"]`).checked,
    severity,
  );
  if (checked === target.checked) return { error: `clicking the ${severity} filter did not change it` };
  return { checked };
}

async function checkPage(page, item, screenshots, outDir) {
  const fail = (name, what) => page.looking.failures.push(`${name}: ${what}`);
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
  // The severity filter: unticking a severity hides its findings and only those; ticking it
  // again shows them.
  for (const severity of item.severities) {
    const off = await clickFilter(page, severity);
    if (off.error) {
      fail(item.name, off.error);
      continue;
    }
    const visible = await page.evaluate((severity) => {
      const shown = (el) => el.getClientRects().length > 0;
      const all = [...document.querySelectorAll("[data-finding]")];
      return {
        hidden: all.filter((el) => el.dataset.severity === severity).filter(shown).length,
        others: all.filter((el) => el.dataset.severity !== severity).filter((el) => !shown(el)).length,
      };
    }, severity);
    if (visible.hidden > 0) fail(item.name, `${visible.hidden} ${severity} finding(s) still shown when filtered out`);
    if (visible.others > 0) fail(item.name, `${visible.others} other finding(s) hidden when ${severity} is filtered out`);
    const on = await clickFilter(page, severity);
    if (on.error) fail(item.name, on.error);
  }
  if (screenshots) {
    await page.screenshot({ path: join(outDir, `${item.name}.png`), fullPage: true });
  }
}

// The two pages and what each looks at, made when first needed (at start when serving).
const workers = {};
function page(kind) {
  if (!workers[kind]) {
    // One page for every diagram (loading Mermaid takes seconds); one for every HTML report,
    // each loaded in turn from its file.
    const [open, look] =
      kind === "mermaid" ? [mermaidPage, checkDiagram] : [() => watchedPage(true), checkPage];
    const work = worker(open());
    work.look = look;
    // A page that failed to open fails each request that needs it, not the helper.
    work.page.catch(() => {});
    workers[kind] = work;
  }
  return workers[kind];
}

/** Checks one manifest: its failures, one line each, and a summary line. */
async function check(manifestPath) {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  mkdirSync(manifest.out_dir, { recursive: true });
  const failures = [];
  await Promise.all(
    ["mermaid", "html"]
      .filter((kind) => manifest[kind].length > 0)
      .map((kind) => submit(page(kind), manifest, manifest[kind], failures)),
  );
  const summary = `${manifest.mermaid.length} diagrams, ${manifest.html.length} HTML reports, ${failures.length} failures`;
  return { failures, summary };
}

if (process.argv[2]) {
  const { failures, summary } = await check(process.argv[2]);
  await browser.close();
  for (const f of failures) console.log(f);
  console.log(summary);
  process.exit(failures.length > 0 ? 1 : 0);
} else {
  // Both pages made ready (Chromium started, Mermaid loaded) while the tests prepare their
  // first manifests; each request is answered when its checks are done, not in the order asked.
  // When each thing happened goes to stderr (the tests' helper.log), to tell a slow helper from
  // a slow test.
  const log = (what) => console.error(`${Math.round(performance.now())} ms: ${what}`);
  for (const kind of ["mermaid", "html"]) {
    page(kind).page.then(() => log(`${kind} page ready`), () => {});
  }
  let ended = false;
  for await (const line of createInterface({ input: process.stdin })) {
    const match = /^(\d+) (.+)$/.exec(line.trim());
    if (!match) continue;
    const [, id, manifest] = match;
    log(`asked ${id} ${manifest}`);
    check(manifest)
      .catch((e) => ({ failures: [`${manifest}: the browser helper failed: ${e.stack || e}`], summary: "failed" }))
      .then((answer) => {
        if (ended) return;
        log(`answered ${id}: ${answer.summary}`);
        process.stdout.write(JSON.stringify({ id: Number(id), ...answer }) + "\n");
      });
  }
  // The test process ended: nobody reads what is still being looked at (work handed over by
  // the first browser test when only that one runs).
  ended = true;
  log("stdin closed");
  await browser.close();
  process.exit(0);
}
