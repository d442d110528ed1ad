// End-to-end test of the workbench in headless Chromium, driven by
// playwright-core. Started by crates/cli/tests/browser.rs, which builds the
// case, starts `leakcheck serve` and passes:
//   LC_URL        the workbench's address
//   LC_ADMIN      "name:password" of an admin
//   LC_VIEWER     "name:password" of a viewer
//   LC_XSS_ITEM   id of the hostile HTML email
//   LC_ARTIFACTS  folder for screenshots
//   LC_OCR        "1" when the demo's scans were read by OCR (Tesseract is
//                 there); the OCR steps are left out otherwise
// Besides reading, it reviews an email's redaction (accept, reject, a span
// marked by hand), downloads the evidence report of ticked search results
// (saved as selection-report.zip among the screenshots) and shows the case
// report's charts.
// Exits non-zero, naming the step, on the first failed assertion.
import { chromium } from "playwright-core";
import { createHash } from "node:crypto";
import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";

const url = process.env.LC_URL;
const [adminName, adminPass] = process.env.LC_ADMIN.split(":");
const [viewerName, viewerPass] = process.env.LC_VIEWER.split(":");
const xssItem = process.env.LC_XSS_ITEM;
const artifacts = process.env.LC_ARTIFACTS;
mkdirSync(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
const dialogs = [];
page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(String(e)));

let step = "start";
const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
async function login(name, password) {
  await page.goto(url);
  await page.waitForSelector("#login");
  await page.fill("#login input[name=user]", name);
  await page.fill("#login input[name=password]", password);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#total");
}
async function search(q) {
  await page.fill("#q", q);
  await page.press("#q", "Enter");
  await page.waitForFunction((q) => new URLSearchParams(location.hash.split("?")[1] || "").get("q") === q
    && document.querySelector("#q")?.value === q && document.querySelector("#total")?.dataset.q === q, q);
}
const hitIds = () => page.$$eval("#hits > li", (lis) => lis.map((li) => li.dataset.id));

try {
  step = "the login page, and a wrong password";
  await page.goto(url);
  await page.waitForSelector("#login");
  // Nobody is logged in: no name, no Admin, no "Log out".
  assert.ok(await page.isHidden("#bar"), "the signed-in bar shows on the login page");
  await shot("01-login");
  await page.fill("#login input[name=user]", adminName);
  await page.fill("#login input[name=password]", "not the password");
  await page.click("#login button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#login-error").textContent.includes("wrong"));

  step = "log in";
  await login(adminName, adminPass);
  assert.match(await page.textContent("#who"), new RegExp(adminName));
  await shot("02-search-all");

  step = "search";
  await search("figures");
  const figures = await hitIds();
  assert.ok(figures.length >= 2, `"figures" found ${figures.length} items`);
  assert.ok(await page.$("#hits .snippet b"), "snippets mark the matched words");

  step = "apply a facet";
  await search("campaign");
  const before = Number((await page.textContent("#total")).split(" ")[0]);
  await page.click('[data-facet="kind:email"]');
  await page.waitForFunction(() => decodeURIComponent(location.hash).includes("kind:email"));
  await page.waitForFunction((b) => Number(document.querySelector("#total")?.textContent.split(" ")[0]) < b, before);
  const kinds = await page.$$eval("#hits .hit-meta", (els) => els.map((e) => e.textContent.split(" · ")[0]));
  assert.ok(kinds.length > 0 && kinds.every((k) => k === "email"), `after the facet: ${kinds}`);
  assert.ok(await page.$("#histogram a"), "a date histogram is drawn");
  assert.match(await page.textContent("#histogram-axis"), /^\d{4}-\d{2}/, "the histogram's months are labelled");
  await shot("03-search-facet");

  step = "open an email with the keyboard";
  await search("verdict:authentic kind:email");
  await page.locator("#q").blur();
  await page.keyboard.press("j");
  await page.keyboard.press("k");
  const first = (await hitIds())[0];
  await page.keyboard.press("Enter");
  await page.waitForSelector("#verification");
  assert.equal(await page.evaluate(() => location.hash), `#/item/${first}`);

  step = "the verification panel";
  assert.equal(await page.getAttribute("#verification .verdict-big .badge", "data-verdict"), "authentic");
  const dkim = page.locator('#verification .finding[data-check="email.dkim"]');
  assert.match(await dkim.textContent(), /pass/);
  assert.ok(await dkim.locator("table.signatures").count(), "each DKIM signature is listed");
  assert.match(await dkim.textContent(), /Re-check it yourself/);
  await shot("04-item-verification");

  step = "open the thread";
  await page.click("#open-thread");
  await page.waitForSelector("#thread");
  assert.match(await page.textContent("#thread"), /this one/);
  await shot("05-thread");

  step = "download an original";
  await page.goBack();
  await page.waitForSelector("#download");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  const saved = join(artifacts, "original.bin");
  await download.saveAs(saved);
  const sha = createHash("sha256").update(readFileSync(saved)).digest("hex");
  assert.equal(sha, first, "the download is the original, byte for byte");

  step = "tag an item and find it by its tag";
  await page.fill("#new-tag", "check-me");
  await page.click("#tag-form button");
  await page.waitForSelector('#tags a[href*="check-me"]');
  await page.goto(`${url}#/search?q=tag%3Acheck-me`);
  await page.waitForSelector("#total");
  assert.deepEqual(await hitIds(), [first]);

  step = "review the redaction of an email: accept, reject, mark by hand";
  await page.goto(`${url}#/item/${first}`);
  await page.waitForSelector("#redaction #redaction-summary");
  const rows = page.locator("#detections tr[data-start]");
  assert.ok((await rows.count()) >= 2, "the email's addresses are detected");
  const [acceptAt, rejectAt] = [await rows.nth(0).getAttribute("data-start"), await rows.nth(1).getAttribute("data-start")];
  await rows.nth(0).locator("button.accept").click();
  await page.waitForSelector(`#detections tr[data-start="${acceptAt}"][data-review="accepted"]`);
  await page.locator(`#detections tr[data-start="${rejectAt}"] button.reject`).click();
  await page.waitForSelector(`#detections tr[data-start="${rejectAt}"][data-review="rejected"]`);
  assert.match(await page.textContent(`#detections tr[data-start="${acceptAt}"]`), new RegExp(`accepted \\(redacted\\) by ${adminName}`));
  assert.ok(await page.$("#redaction-text mark.rejected"), "the rejected value is shown as left in");
  // Select the subject's first characters in the rendering, as a reader
  // would with the mouse, and mark them.
  const chosen = await page.evaluate(() => {
    const pre = document.querySelector("#redaction-text");
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = n.data.indexOf("Subject: ");
      if (i < 0) continue;
      const range = document.createRange();
      range.setStart(n, i + 9);
      range.setEnd(n, Math.min(n.data.length, i + 9 + 8));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      return range.toString();
    }
    return null;
  });
  assert.ok(chosen && chosen.trim(), "the rendering shows the subject");
  await page.waitForFunction(() => !document.querySelector("#mark-selection").disabled);
  await page.selectOption("#manual-kind", "name");
  await page.click("#mark-selection");
  await page.waitForSelector("#manual-spans li");
  assert.ok((await page.textContent("#manual-spans")).includes(chosen), "the span marked by hand is listed");
  assert.ok(await page.$("#redaction-text mark.manual"), "the span marked by hand is shown redacted");
  const review = await page.evaluate(async (id) => (await fetch(`/api/v1/items/${id}/redaction`)).json(), first);
  assert.deepEqual(review.manual.map((m) => [m.value, m.kind, m.by]), [[chosen, "name", adminName]]);
  assert.equal(review.detections.filter((d) => d.review !== "automatic").length, 2);
  await page.locator("#redaction").scrollIntoViewIfNeeded();
  await shot("04d-redaction-review");

  step = "an evidence report of ticked search results";
  await page.goto(`${url}#/search`);
  await page.waitForSelector("#total");
  await search("verdict:authentic kind:email");
  const ticked = (await hitIds()).slice(0, 2);
  for (const id of ticked) await page.check(`#hits input.pick[data-id="${id}"]`);
  assert.match(await page.textContent("#picked-count"), /^2 items ticked/);
  const [zip] = await Promise.all([page.waitForEvent("download"), page.click("#report-picked")]);
  assert.equal(zip.suggestedFilename(), "leakcheck-report.zip");
  const zipPath = join(artifacts, "selection-report.zip");
  await zip.saveAs(zipPath);
  const zipBytes = readFileSync(zipPath);
  assert.equal(zipBytes.subarray(0, 4).toString("hex"), "504b0304", "the download is not a zip");
  for (const id of ticked) assert.ok(zipBytes.includes(`leakcheck-report/items/${id}.html`), `${id} is not in the report`);
  await page.waitForSelector("#report-download");
  await shot("04e-selection-report");

  if (process.env.LC_OCR) {
    step = "a scan's text read by OCR: labelled in search and on its page";
    await search("ocr:RHONE-412");
    const scan = page.locator("#hits > li", { hasText: "Scan_20170413_0001" });
    assert.equal(await scan.count(), 1, "the scanned invoice is found by its OCR text");
    assert.equal(await scan.locator(".snippet .ocr-label").textContent(), "(OCR)", "the hit says its snippet is OCR text");
    await scan.locator("a").first().click();
    await page.waitForSelector("#ocr");
    assert.equal(await page.getAttribute("#ocr", "data-status"), "read");
    assert.equal(await page.textContent("#ocr h2"), "Text read by OCR");
    assert.match(await page.textContent("#ocr .ocr-engine"), /^tesseract \d/);
    assert.match(await page.textContent("#ocr .ocr-languages"), /^fra\+eng \(French, English\)$/);
    assert.match(await page.textContent("#ocr dl .ocr-confidence"), /^\d+ %$/);
    const first = page.locator('#ocr .ocr-page[data-page="1"]');
    assert.match(await first.locator("h3").textContent(), /^Page 1 · \d+ words · confidence \d+ %$/);
    assert.match(await first.locator("pre").textContent(), /RHONE-412/);
    // A PDF's page is not drawn (the server renders no PDF); its own text,
    // empty on a scanner's PDF, is not mixed with what OCR read.
    assert.equal(await page.locator("#ocr-picture").count(), 0);
    if (await page.locator("#text").count()) assert.doesNotMatch(await page.textContent("#text"), /RHONE/);
    await shot("04b-ocr");

    step = "a picture's OCR section shows the picture";
    const pictured = await page.evaluate(async () => {
      const r = await (await fetch("/api/v1/search?q=kind%3Ajpeg&limit=50")).json();
      for (const hit of r.hits) {
        const v = await (await fetch(`/api/v1/items/${hit.id}`)).json();
        if (v.ocr && v.has_picture) return hit.id;
      }
      return null;
    });
    assert.ok(pictured, "a demo picture has an OCR layer");
    await page.goto(`${url}#/item/${pictured}`);
    await page.waitForSelector("#ocr #ocr-picture");
    await page.waitForFunction(() => {
      const img = document.querySelector("#ocr-picture");
      return img && img.complete && img.naturalWidth > 0;
    });
    await shot("04c-ocr-picture");
  }

  step = "timeline and people";
  await page.goto(`${url}#/timeline`);
  await page.waitForSelector("#timeline .row");
  // The month without email between April and June, as the CLI reports it.
  assert.match(await page.textContent("#timeline"), /1 month without email/);
  await shot("06-timeline");
  await page.goto(`${url}#/people`);
  await page.waitForSelector("#people tr td");
  await shot("07-people");
  await page.goto(`${url}#/keys`);
  await page.waitForSelector("#keys");
  await shot("07b-keys");

  step = "the case report's charts";
  await page.goto(`${url}#/case`);
  await page.waitForSelector("#charts img");
  await page.waitForFunction(() => [...document.querySelectorAll("#charts img")].every((i) => i.complete && i.naturalWidth > 0));
  assert.deepEqual(await page.$$eval("#charts figure", (fs) => fs.map((f) => f.dataset.chart)), ["verdicts", "by-month", "by-check", "dkim-coverage"]);
  await shot("07e-case-charts");

  step = "the spread of the dump outside";
  await page.goto(`${url}#/spread`);
  await page.waitForSelector("#spread-chart .seg");
  assert.ok((await page.$$("#posts > li")).length >= 7, "the demo's posts are listed");
  assert.match(await page.textContent("#first-seen"), /Leaks 2017/);
  await shot("07c-spread");

  step = "the spread's downloads: the chart as CSV, SVG and PNG, each table as CSV";
  for (const id of ["spread-csv", "spread-svg", "first-seen-csv", "accounts-csv"]) {
    assert.ok(await page.$(`#${id}[href^="blob:"][download]`), `#${id} is not a download`);
  }
  await page.waitForSelector('#spread-png[href^="blob:"][download]');
  const saveDownload = async (selector, name) => {
    const [d] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
    assert.equal(d.suggestedFilename(), name);
    const path = join(artifacts, name);
    await d.saveAs(path);
    return readFileSync(path);
  };
  const svg = (await saveDownload("#spread-svg", "spread-per-hour.svg")).toString();
  assert.match(svg, /^<svg [^>]*width="900" height="370"/, "the SVG is the command line's chart");
  assert.ok(svg.includes('fill="#b3261e"') && svg.includes(">altered-material</text>"), "the SVG lacks the altered bar or the legend");
  const png = await saveDownload("#spread-png", "spread-per-hour.png");
  assert.equal(png.subarray(0, 8).toString("hex"), "89504e470d0a1a0a", "the PNG download is not a PNG");
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1800, 740], "the PNG is not twice the SVG's size");
  // Drawn, not blank: the altered post's red bar, and black text (the
  // scale, the hours, the legend). Decoded in the page from the bytes.
  const drawn = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
    const canvas = document.createElement("canvas");
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(bitmap, 0, 0);
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const near = (i, [r, g, b]) => Math.abs(d[i] - r) < 4 && Math.abs(d[i + 1] - g) < 4 && Math.abs(d[i + 2] - b) < 4;
    let red = 0, black = 0, white = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (near(i, [0xb3, 0x26, 0x1e])) red++;
      if (d[i] < 60 && d[i + 1] < 60 && d[i + 2] < 60) black++;
      if (near(i, [255, 255, 255])) white++;
    }
    return { red, black, white };
  }, png.toString("base64"));
  assert.ok(drawn.red > 1000 && drawn.black > 300 && drawn.white > 100000, `the PNG looks blank: ${JSON.stringify(drawn)}`);
  const accountsCsv = (await saveDownload("#accounts-csv", "spread-accounts.csv")).toString().trim().split("\n");
  assert.equal(accountsCsv[0], "author,author_id,platform,posts,altered,not_in_dump,authentic,unverifiable");
  assert.equal(accountsCsv.length, await page.locator("#accounts tr").count(), "one CSV line per table row");
  const firstCsv = (await saveDownload("#first-seen-csv", "spread-first-seen.csv")).toString();
  assert.match(firstCsv, /"Leaks 2017","telegram"/);
  // Paths from the source's folder on, as everywhere in the workbench.
  assert.match(firstCsv, /,"demo-dump\/signed\/agreement\.eml ! agreement\.txt",/, "the operator's folders show");

  step = "the spread's filters: class, platform, account, period";
  const spreadShown = (filter) => page.waitForFunction((f) => document.querySelector("#spread-title")?.dataset.filter === f, filter);
  const postsShown = () => page.$$eval("#posts > li", (lis) => lis.map((li) => ({ platform: li.dataset.platform, time: Number(li.dataset.time) })));
  const all = await postsShown();
  await page.goto(`${url}#/spread?class=altered-material`);
  await spreadShown("class=altered-material");
  assert.equal((await postsShown()).length, 1);
  assert.match(await page.textContent("#posts"), /2 000/, "the changed figure is shown");
  await page.click('[data-filter="platform:telegram"]');
  await spreadShown("platform=telegram&class=altered-material");
  await page.click('[data-filter="class:"]');
  await spreadShown("platform=telegram");
  const telegram = await postsShown();
  assert.ok(telegram.length > 0 && telegram.length < all.length && telegram.every((p) => p.platform === "telegram"), JSON.stringify(telegram));
  await page.click("#accounts tr:nth-child(2) a");
  await page.waitForFunction(() => /account=/.test(document.querySelector("#spread-title")?.dataset.filter || ""));
  assert.equal(await page.locator("#accounts tr").count(), 2, "one account after its filter");
  await page.goto(`${url}#/spread`);
  await spreadShown("");
  await page.fill("#spread-since", "2017-05-05T21:00");
  await page.click("#spread-filter button[type=submit]");
  await spreadShown("since=2017-05-05T21%3A00");
  const since = Date.parse("2017-05-05T21:00:00Z") / 1000;
  const late = await postsShown();
  assert.ok(late.length > 0 && late.length < all.length && late.every((p) => p.time >= since), JSON.stringify(late));
  assert.equal(await page.inputValue("#spread-since"), "2017-05-05T21:00", "the form shows the filter");
  await shot("07d-spread-filtered");

  step = "routes named like Object's own properties";
  for (const route of ["constructor", "__proto__", "toString"]) {
    await page.goto(`${url}#/${route}`);
    await page.waitForSelector("#total");
  }

  step = "the access log";
  await page.goto(`${url}#/admin`);
  await page.waitForSelector("#access-log");
  const log = await page.textContent("#access-log");
  for (const action of ["login", "login-failed", "original", "tag-add", "redaction-accept", "redaction-reject", "redaction-manual", "report", ...(process.env.LC_OCR ? ["picture"] : [])]) assert.ok(log.includes(action), `access log lacks ${action}`);
  await shot("08-admin");

  step = "a hostile HTML email: nothing runs, nothing loads, the text reads";
  await page.goto(`${url}#/item/${xssItem}`);
  const frameEl = await page.waitForSelector("#html-frame");
  assert.equal(await frameEl.getAttribute("sandbox"), "", "the frame is sandboxed without scripts");
  const frame = await frameEl.contentFrame();
  await frame.waitForLoadState("load");
  const text = await frame.textContent("body");
  assert.match(text, /readable secret plan/);
  assert.equal(await frame.locator("script").count(), 0);
  assert.equal(await frame.locator("[onerror], [onclick], [onload]").count(), 0);
  assert.equal(await frame.locator('a[href^="javascript"]').count(), 0);
  assert.equal(await frame.locator('img[src^="http"]').count(), 0);
  if (await frame.locator("#jslink, a:has-text('click me')").count()) {
    await frame.locator("a:has-text('click me')").first().click({ timeout: 2000 }).catch(() => {});
  }
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.__xss), undefined, "a script of the email ran");
  assert.deepEqual(dialogs, [], "the email opened a dialog");
  await shot("09-hostile-html");

  step = "log out";
  await page.click("#logout");
  await page.waitForSelector("#login");
  assert.ok(await page.isHidden("#bar"), "the signed-in bar shows after logging out");
  assert.ok(await page.isHidden("#logout") && await page.isHidden("#nav-admin"), "Log out and Admin show after logging out");
  assert.equal(await page.textContent("#who"), "", "the name stays after logging out");
  const status = await page.evaluate(async () => (await fetch("/api/v1/search?q=budget")).status);
  assert.equal(status, 401, "the API still answered after logging out");
  await shot("10-logged-out");

  step = "a viewer reads but cannot tag";
  await login(viewerName, viewerPass);
  await page.goto(`${url}#/item/${first}`);
  await page.waitForSelector("#verification");
  assert.equal(await page.locator("#tag-form").count(), 0);
  await page.waitForSelector("#redaction #redaction-summary");
  assert.equal(await page.locator("#redaction button").count(), 0, "a viewer is offered review buttons");
  assert.equal(await page.locator("#redaction #manual-spans li").count(), 1, "a viewer sees the spans reviewed");
  const forbidden = await page.evaluate(async (id) => {
    const s = await (await fetch("/api/v1/session")).json();
    const r = await fetch(`/api/v1/items/${id}/tags`, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": s.csrf }, body: JSON.stringify({ tag: "x" }) });
    return r.status;
  }, first);
  assert.equal(forbidden, 403);

  assert.deepEqual(pageErrors, [], "the pages threw errors");
  console.log("workbench e2e: every step passed; screenshots in " + artifacts);
} catch (e) {
  await shot("failed").catch(() => {});
  console.error(`workbench e2e failed at "${step}": ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
