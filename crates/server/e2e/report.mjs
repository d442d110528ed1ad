// The evidence report in headless Chromium: the case report and an altered
// email's page open from disk, draw their charts, fetch nothing, and are
// screenshotted. Started by crates/cli/tests/browser.rs with:
//   LC_REPORT     the report's folder (the demo's demo-report)
//   LC_ARTIFACTS  folder for screenshots
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import assert from "node:assert/strict";

const report = process.env.LC_REPORT;
const artifacts = process.env.LC_ARTIFACTS;
mkdirSync(artifacts, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
const fetched = [];
page.on("request", (r) => { if (!/^(file|data):/.test(r.url())) fetched.push(r.url()); });
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
let step = "the case report";
try {
  await page.goto(pathToFileURL(join(report, "index.html")).href);
  assert.match(await page.title(), /evidence report/);
  const charts = await page.$$eval("svg", (s) => s.map((x) => x.getBoundingClientRect().width));
  assert.ok(charts.length >= 4 && charts.every((w) => w > 100), `charts drawn: ${charts}`);
  assert.ok(await page.isVisible("text=Custody"));
  await page.screenshot({ path: join(artifacts, "report-case.png"), fullPage: true });

  step = "an altered item's page";
  const altered = page.locator("tr", { has: page.locator(".badge", { hasText: "altered" }) }).locator("a").first();
  await altered.click();
  await page.waitForSelector("text=Findings");
  assert.ok(await page.isVisible("h1 .badge:has-text('altered')"));
  assert.ok(await page.isVisible("text=DKIM signatures, recomputed"));
  assert.ok(await page.isVisible("text=they differ"));
  await page.screenshot({ path: join(artifacts, "report-item.png"), fullPage: true });

  step = "printing";
  const pdf = await page.pdf({ format: "A4" });
  assert.ok(pdf.length > 10_000, `the page prints (${pdf.length} bytes)`);

  assert.deepEqual(fetched, [], "nothing is fetched");
  assert.deepEqual(errors, []);
  console.log("report e2e: every step passed; screenshots in " + artifacts);
} catch (e) {
  console.error(`report e2e failed at "${step}": ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
