// The leakcheck workbench: plain JavaScript over /api/v1. Every piece of
// case data is put in the page as text (never parsed as HTML); an email's
// HTML is shown only through the server's sanitised, sandboxed frame.
"use strict";

const API = "/api/v1";
let session = null; // {user, role, csrf, case}

// ---- helpers -------------------------------------------------------------

// Builds an element: h("a", {href: "#"}, "text", child...). Strings become
// text nodes, so data from the dump can never become markup.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

async function api(path, options = {}) {
  const opts = { credentials: "same-origin", ...options, headers: { ...(options.headers || {}) } };
  if (opts.body !== undefined && typeof opts.body !== "string") {
    opts.body = JSON.stringify(opts.body);
    opts.headers["Content-Type"] = "application/json";
  }
  if (opts.method && opts.method !== "GET" && session) opts.headers["X-CSRF-Token"] = session.csrf;
  const r = await fetch(API + path, opts);
  if (r.status === 401 && path !== "/login") {
    session = null;
    showLogin("Your session ended; log in again.");
    throw new Error("log in first");
  }
  const body = r.headers.get("content-type")?.includes("json") ? await r.json() : await r.text();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

const main = () => document.getElementById("main");
function render(...nodes) { main().replaceChildren(...nodes); }
function fail(e) { render(h("p", { class: "error", role: "alert" }, String(e.message || e))); }
const short = (id) => id.slice(0, 12);
const badge = (v) => h("span", { class: "badge " + v, "data-verdict": v }, v);
const itemLink = (id, label) => h("a", { href: "#/item/" + id }, label || short(id));
// The name of the file at the end of a place ("dump/a.zip ! docs/b.pdf" → "b.pdf"):
// an untitled item's title, so that its path is not shown twice.
const fileName = (path) => (path || "").split(" ! ").pop().split("/").pop();
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const canEdit = () => session && (session.role === "editor" || session.role === "admin");
const addr = (list) => (list || []).map((a) => (a.name ? `${a.name} <${a.address || ""}>` : a.address || "")).join(", ");

// A snippet with matches between « and », as text with <b> elements. One
// found in the text OCR read starts with "(OCR) " (the search says so):
// shown as a label, so OCR text is never taken for a document's own.
function snippet(text) {
  const out = h("div", { class: "snippet" });
  if (text.startsWith("(OCR) ")) {
    out.append(h("span", { class: "ocr-label", title: "found in the text OCR read in a picture or a scan, not in the item's own text" }, "(OCR)"), " ");
    text = text.slice(6);
  }
  for (const [i, part] of text.split(/[«»]/).entries()) {
    out.append(i % 2 ? h("b", {}, part) : document.createTextNode(part));
  }
  return out;
}

// Month counts ("2017-04" → n) with the months between them that have none,
// so that the histogram's gaps are visible; bounded to 20 years.
function everyMonth(counts) {
  const known = Object.keys(counts).filter((m) => /^\d{4}-\d{2}$/.test(m)).sort();
  if (!known.length) return [];
  const out = [];
  let [y, m] = known[0].split("-").map(Number);
  const [ly, lm] = known[known.length - 1].split("-").map(Number);
  while ((y < ly || (y === ly && m <= lm)) && out.length < 240) {
    const key = `${y}-${String(m).padStart(2, "0")}`;
    out.push([key, counts[key] || 0]);
    if (++m > 12) { m = 1; y++; }
  }
  return out;
}

// Evidence as a key/value list; nested values as indented JSON text.
function evidence(value) {
  if (value === null || typeof value !== "object") return h("span", {}, String(value));
  const dl = h("dl", { class: "kv" });
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v) && v.length === 0) continue;
    // A difference picture drawn by verification: shown, not spelled out.
    // Only a PNG data URL is taken (the page's CSP allows data: images).
    if (k === "difference_picture" && typeof v === "string" && v.startsWith("data:image/png;base64,")) {
      dl.append(h("dt", {}, k), h("dd", {}, h("img", { src: v, alt: "where the thumbnail and the image differ", class: "difference" })));
      continue;
    }
    const text = typeof v === "object" && v !== null ? JSON.stringify(v, null, 1) : String(v);
    dl.append(h("dt", {}, k), h("dd", {}, text));
  }
  return dl;
}

// ---- login ---------------------------------------------------------------

function showLogin(message) {
  document.getElementById("bar").hidden = true;
  const error = h("p", { class: "error", id: "login-error", role: "alert" }, message || "");
  const form = h("form", { class: "login", id: "login" },
    h("h1", {}, "leakcheck workbench"),
    h("label", {}, "User name", h("input", { name: "user", autocomplete: "username", required: true })),
    h("label", {}, "Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    h("button", { type: "submit" }, "Log in"),
    error);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      session = await api("/login", { method: "POST", body: { user: form.user.value, password: form.password.value } });
      started();
    } catch (e) {
      error.textContent = e.message;
    }
  });
  render(form);
  form.user.focus();
}

function started() {
  const bar = document.getElementById("bar");
  bar.hidden = false;
  document.getElementById("case-name").textContent = session.case;
  document.getElementById("who").textContent = `${session.user} (${session.role})`;
  document.getElementById("nav-admin").hidden = session.role !== "admin";
  if (!location.hash || location.hash === "#") location.hash = "#/search";
  else route();
}

document.getElementById("logout").addEventListener("click", async () => {
  try { await api("/logout", { method: "POST" }); } catch (_) { /* the session is gone either way */ }
  session = null;
  document.getElementById("who").textContent = "";
  location.hash = "";
  showLogin("You are logged out.");
});

// ---- routing -------------------------------------------------------------

function route() {
  if (!session) return;
  const [path, query] = location.hash.slice(1).split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean);
  for (const a of document.querySelectorAll("header nav a")) {
    a.classList.toggle("current", a.getAttribute("href") === "#/" + (parts[0] || ""));
  }
  const pages = { search: searchPage, item: itemPage, thread: threadPage, timeline: timelinePage, people: peoplePage, case: casePage, keys: keysPage, spread: spreadPage, admin: adminPage };
  // Own properties only: `#/constructor` or `#/__proto__` must not reach
  // Object.prototype.
  const page = Object.hasOwn(pages, parts[0] || "") ? pages[parts[0]] : searchPage;
  page(parts[1], params).catch(fail);
}
window.addEventListener("hashchange", route);

// ---- search --------------------------------------------------------------

const FACET_FIELD = { kind: "kind", domain: "domain", verdict: "verdict", attachment: "attachment", month: "date" };

async function searchPage(_, params) {
  const q = params.get("q") || "";
  const sort = params.get("sort") || "relevance";
  const offset = Number(params.get("offset") || 0);
  const limit = 20;
  const go = (nq, nsort, noffset) => {
    const p = new URLSearchParams({ q: nq, sort: nsort || sort });
    if (noffset) p.set("offset", noffset);
    location.hash = "#/search?" + p;
  };
  const input = h("input", { id: "q", name: "q", value: q, placeholder: 'words, "phrases", from:, date:2017-04, tag:, NOT…', "aria-label": "Query" });
  const sorter = h("select", { id: "sort", "aria-label": "Order" },
    ...["relevance", "newest", "oldest"].map((s) => h("option", { value: s, selected: s === sort }, s)));
  const form = h("form", { class: "query", id: "search-form" }, input, sorter, h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); go(input.value, sorter.value, 0); });
  render(form, h("p", { class: "muted" }, "Searching…"));

  const r = await api(`/search?${new URLSearchParams({ q, sort, limit, offset })}`);
  const facets = h("aside", { class: "facets", id: "facets" });
  const months = everyMonth(r.facets.month || {});
  if (months.length) {
    const max = Math.max(...months.map(([, n]) => n));
    const hist = h("div", { class: "histogram", id: "histogram", "aria-label": "Matches per month" });
    for (const [m, n] of months) {
      const bar = h("a", { href: "#", title: `${m}: ${plural(n, "item", "items")}`, class: n ? "" : "empty" });
      bar.style.height = n ? `${Math.max(3, (100 * n) / max)}%` : "0";
      bar.addEventListener("click", (ev) => { ev.preventDefault(); go(`${q} date:${m}`.trim(), sort, 0); });
      hist.append(bar);
    }
    const axis = h("div", { class: "axis", id: "histogram-axis" }, h("span", {}, months[0][0]),
      months.length > 1 ? h("span", {}, months[months.length - 1][0]) : null);
    facets.append(h("h3", {}, "per month"), hist, axis, h("p", { class: "muted axis-max" }, `highest: ${plural(max, "item", "items")} in a month`));
  }
  for (const [dim, values] of Object.entries(r.facets)) {
    const entries = Object.entries(values).sort((a, b) => b[1] - a[1]);
    if (!entries.length) continue;
    facets.append(h("h3", {}, dim), h("ul", {}, entries.slice(0, 12).map(([v, n]) => {
      const a = h("a", { href: "#", "data-facet": `${dim}:${v}` }, h("span", {}, v), h("span", { class: "muted" }, n));
      a.addEventListener("click", (ev) => { ev.preventDefault(); go(`${q} ${FACET_FIELD[dim]}:${v}`.trim(), sort, 0); });
      return h("li", {}, a);
    })));
  }
  const pickedCount = h("span", { id: "picked-count" }, plural(picked.size, "item", "items") + " ticked");
  const pick = (id) => {
    const box = h("input", { type: "checkbox", class: "pick", "data-id": id, checked: picked.has(id), "aria-label": "tick for the evidence report" });
    box.addEventListener("change", () => {
      if (box.checked) picked.add(id); else picked.delete(id);
      pickedCount.textContent = plural(picked.size, "item", "items") + " ticked";
    });
    return box;
  };
  const hits = h("ol", { class: "hits", id: "hits" }, r.hits.map((hit) => h("li", { "data-id": hit.id },
    h("div", {}, pick(hit.id), " ", itemLink(hit.id, (hit.title && hit.title !== hit.path ? hit.title : fileName(hit.path)) || short(hit.id)), " ", badge(hit.verdict)),
    h("div", { class: "hit-meta" }, `${hit.kind} · ${hit.date ? hit.date.slice(0, 10) : "no date"} · ${hit.path}`),
    hit.snippet ? snippet(hit.snippet) : null)));
  const pager = h("div", { class: "pager" },
    offset > 0 ? h("a", { href: "#", onclick: (ev) => { ev.preventDefault(); go(q, sort, Math.max(0, offset - limit)); } }, "← previous") : null,
    h("span", { class: "muted", id: "total", "data-q": q }, `${plural(r.total, "item", "items")} · ${offset + 1}–${offset + r.hits.length} · ${r.took_ms.toFixed(1)} ms`),
    offset + limit < r.total ? h("a", { href: "#", onclick: (ev) => { ev.preventDefault(); go(q, sort, offset + limit); } }, "next →") : null,
    h("a", { href: `${API}/export?${new URLSearchParams({ q, sort })}`, download: "leakcheck-export.csv" }, "Export CSV"),
    h("a", { href: `${API}/export?${new URLSearchParams({ q, sort, format: "jsonl" })}`, download: "leakcheck-export.jsonl", title: "every hit with its verdict and findings, one JSON object per line" }, "JSON lines"),
    h("a", { href: `${API}/export?${new URLSearchParams({ q, sort, format: "ftm" })}`, download: "leakcheck-export.ftm.json", title: "FollowTheMoney entities, for OCCRP Aleph" }, "FollowTheMoney"));
  const notes = (r.notes || []).map((n) => h("p", { class: "muted" }, "Note: " + n));
  const reportStatus = h("span", { class: "muted", id: "report-status" });
  const reporting = (body) => () => downloadReport(body(), reportStatus).catch((e) => { reportStatus.textContent = e.message; });
  const report = h("div", { class: "pager", id: "report-actions" }, "Evidence report (a zip, as leakcheck report writes it): ",
    h("button", { type: "button", id: "report-picked", onclick: reporting(() => ({ ids: [...picked] })) }, "of the ticked items"), pickedCount,
    h("button", { type: "button", id: "report-clear", onclick: () => { picked.clear(); route(); } }, "untick all"),
    h("button", { type: "button", id: "report-query", disabled: r.total > MAX_REPORT || !r.total, title: `every hit, up to ${MAX_REPORT}`, onclick: reporting(() => ({ query: q })) }, `of every hit (${r.total})`),
    reportStatus);
  render(form, ...notes, h("div", { class: "layout" }, facets, h("section", {}, hits, pager, report)));
  selectHit(0);
}

// The items ticked for an evidence report, kept while moving between
// searches and pages; the server takes at most MAX_REPORT.
const picked = new Set();
const MAX_REPORT = 200;

// Asks the server for the report of `body` ({ids} or {query}) and saves
// the zip it answers.
async function downloadReport(body, status) {
  status.textContent = "Writing the report…";
  const r = await fetch(API + "/report", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrf },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error((await r.json().catch(() => ({}))).error || r.statusText);
  const url = URL.createObjectURL(await r.blob());
  const link = h("a", { href: url, download: "leakcheck-report.zip", id: "report-download" }, "leakcheck-report.zip");
  status.replaceChildren("Ready: ", link);
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// Keyboard: j/↓ and k/↑ move between results, Enter or o opens, / searches.
let selected = 0;
function selectHit(i) {
  const items = [...document.querySelectorAll("#hits > li")];
  if (!items.length) return;
  selected = Math.max(0, Math.min(items.length - 1, i));
  items.forEach((li, n) => li.classList.toggle("selected", n === selected));
  items[selected].scrollIntoView({ block: "nearest" });
}
document.addEventListener("keydown", (ev) => {
  if (!session || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName);
  if (ev.key === "/" && !typing) { ev.preventDefault(); document.getElementById("q")?.focus(); return; }
  if (typing || !document.getElementById("hits")) return;
  if (ev.key === "j" || ev.key === "ArrowDown") { ev.preventDefault(); selectHit(selected + 1); }
  else if (ev.key === "k" || ev.key === "ArrowUp") { ev.preventDefault(); selectHit(selected - 1); }
  else if (ev.key === "Enter" || ev.key === "o") {
    const li = document.querySelectorAll("#hits > li")[selected];
    if (li) location.hash = "#/item/" + li.dataset.id;
  }
});

// ---- item ----------------------------------------------------------------

function signaturesTable(sigs) {
  if (!sigs || !sigs.length) return null;
  return h("table", { class: "signatures" },
    h("tr", {}, ["domain", "selector", "algorithm", "key", "result", "signs", "not signed", "body not signed"].map((c) => h("th", {}, c))),
    sigs.map((s) => h("tr", {},
      h("td", {}, s.domain || ""), h("td", {}, s.selector || ""), h("td", {}, s.algorithm || ""),
      h("td", {}, s.key_bits ? `${s.key_bits} bits` : "no key"),
      h("td", {}, s.result || "", s.detail ? h("div", { class: "muted" }, s.detail) : null),
      h("td", {}, (s.signed_headers || []).join(", ")),
      h("td", {}, (s.unsigned_displayed || []).join(", ") || "—"),
      h("td", {}, s.unsigned_body_bytes ? `${s.unsigned_body_bytes} bytes` : "—"))));
}

function verificationPanel(v) {
  const panel = h("section", { class: "panel", id: "verification" },
    h("h2", {}, "Verification"),
    h("p", { class: "verdict-big" }, "Verdict: ", badge(v.verdict)));
  if (!v.findings.length) panel.append(h("p", { class: "muted" }, "No verification pass has looked at this item yet."));
  for (const f of v.findings) {
    panel.append(h("div", { class: "finding", "data-check": f.check },
      h("div", {}, h("strong", {}, f.check), " ", badge(f.verdict), " ", f.summary),
      h("div", { class: "why" }, f.explanation.meaning),
      // Only DKIM's evidence lists signatures with their verification; other
      // checks (signature-time) cite signatures for their dates alone.
      f.check === "email.dkim" ? signaturesTable(f.evidence && f.evidence.signatures) : null,
      h("details", {}, h("summary", {}, "Evidence"), evidence(f.evidence)),
      h("div", { class: "why recheck" }, "Re-check it yourself: ", f.explanation.recheck)));
  }
  return panel;
}

// Tesseract's language codes, named.
const LANGUAGES = { fra: "French", eng: "English", deu: "German", spa: "Spanish", ita: "Italian", nld: "Dutch", por: "Portuguese" };
const languages = (codes) => (codes ? `${codes} (${codes.split("+").map((c) => LANGUAGES[c] || c).join(", ")})` : "—");
const percent = (c) => (c === null || c === undefined ? "—" : `${Math.round(c)} %`);
// Under this mean word confidence a page's reading is weak (Tesseract reads
// such a page again turned; doc.text-layer does not compare it below 75 %).
const WEAK_OCR = 60;
const weak = (c) => typeof c === "number" && c < WEAK_OCR;

// The text OCR read in an item, apart from its own text: labelled with the
// engine, the languages and the confidence, page by page, beside the page's
// picture where the server can show it (an image item: the picture itself).
// A PDF's pages are not drawn here: the server renders no PDF.
function ocrSection(it, ocr, hasPicture) {
  const section = h("section", { class: "panel", id: "ocr", "data-status": ocr.status },
    h("h2", {}, "Text read by OCR"),
    h("p", { class: "muted" }, "Read from the pixels by optical character recognition: not the item's own text. OCR misreads; check what matters against the picture."));
  section.append(h("dl", { class: "kv" },
    h("dt", {}, "status"), h("dd", { class: "ocr-status" }, ocr.status),
    h("dt", {}, "engine"), h("dd", { class: "ocr-engine" }, ocr.engine || "—"),
    h("dt", {}, "languages"), h("dd", { class: "ocr-languages" }, languages(ocr.languages)),
    h("dt", {}, "mean confidence"), h("dd", { class: "ocr-confidence" + (weak(ocr.confidence) ? " low" : "") }, percent(ocr.confidence)),
    h("dt", {}, "time"), h("dd", {}, `${ocr.seconds.toFixed(1)} s`)));
  const picture = () => h("img", { src: `${API}/items/${it.id}/picture`, alt: "the picture OCR read", id: "ocr-picture", class: "ocr-picture" });
  const d = ocr.detail || {};
  if (ocr.status === "no-text") {
    // The decision's three figures (extract/src/ocr/decide.rs), as shares.
    const share = (x, digits) => (typeof x === "number" ? `${(100 * x).toFixed(digits)} %` : "?");
    section.append(h("p", { id: "ocr-decision" }, "Not read: the picture's pixels do not look like text (a threshold explains ",
      `${share(d.split, 0)} of the grey variance, text needs over 80 %; ink ${share(d.ink, 1)}, text has 0.3 % to 35 %; `,
      `sharp edges ${share(d.edges, 1)}, text has over 0.4 %).`));
  } else if (ocr.status === "no-picture") {
    section.append(h("p", {}, "Not read: this PDF has its own text and draws no page-sized picture, so its text is what it shows."));
  } else if (ocr.status === "failed" && d.error) {
    section.append(h("p", { class: "error" }, `OCR failed: ${d.error}`));
  }
  // A picture OCR did not read (or read as more than one page) is shown
  // whole; one read as a page is shown beside that page's text.
  if (hasPicture && ocr.pages.length !== 1) section.append(h("div", { class: "ocr-page text-only" }, picture()));
  for (const p of ocr.pages) {
    const head = h("h3", {}, `Page ${p.page}`, h("span", { class: "muted" }, ` · ${plural(p.words, "word", "words")} · confidence `),
      h("span", { class: "ocr-confidence" + (weak(p.confidence) ? " low" : "") }, percent(p.confidence)));
    const text = h("div", {}, head,
      p.error ? h("p", { class: "error" }, `This page could not be read: ${p.error}`) : null,
      p.text ? h("pre", { class: "body ocr-text" }, p.text) : h("p", { class: "muted" }, "no text"),
      p.text_cut ? h("p", { class: "muted" }, "Cut at 20,000 characters: `leakcheck show CASE ID --full` prints the whole page.") : null);
    // An image item is one page, its picture; a PDF's page shows its number.
    const beside = hasPicture && ocr.pages.length === 1 ? picture() : null;
    section.append(h("div", { class: "ocr-page" + (beside ? "" : " text-only"), "data-page": p.page }, beside, text));
  }
  if (ocr.pages_total > ocr.pages.length) {
    section.append(h("p", { class: "muted" }, `${plural(ocr.pages_total - ocr.pages.length, "more page", "more pages")} not shown here: \`leakcheck show CASE ID --full\` prints every page.`));
  }
  if (!hasPicture && ocr.pages.length) {
    section.append(h("p", { class: "muted", id: "ocr-no-picture" }, it.kind === "pdf"
      ? "The pages themselves are not drawn here (the workbench renders no PDF): download the original to see them."
      : `Browsers do not draw ${it.kind.toUpperCase()} pictures: download the original to see the pages.`));
  }
  return section;
}

async function itemPage(id) {
  const v = await api("/items/" + id);
  const it = v.item;
  const e = it.email;
  const title = e?.subject || fileName(it.occurrences[0]?.display) || it.id;
  const actions = h("div", { class: "actions" },
    h("a", { href: `${API}/items/${it.id}/original`, id: "download", download: "" }, "Download original"),
    e ? h("a", { href: `#/thread/${it.id}`, id: "open-thread" }, "Thread") : null,
    h("span", { class: "muted" }, `${it.kind} · ${it.size} bytes · sha256 ${it.id}`));
  const parts = [h("h1", {}, title), actions, verificationPanel(v.verification)];
  if (e) {
    const rows = [["From", addr(e.from)], ["To", addr(e.to)], ["Cc", addr(e.cc)], ["Date", e.date || e.date_raw || ""],
      ["Subject", e.subject || ""], ["Message-ID", e.message_id || ""]].filter(([, x]) => x);
    parts.push(h("section", { class: "panel", id: "email" }, h("h2", {}, "Email"),
      h("dl", { class: "kv" }, rows.map(([k, x]) => [h("dt", {}, k), h("dd", {}, x)]).flat()),
      h("details", {}, h("summary", {}, "All headers, in order"),
        h("dl", { class: "kv" }, e.headers.map(([k, x]) => [h("dt", {}, k), h("dd", {}, x)]).flat()))));
    if (e.text) parts.push(h("h2", {}, "Text"), h("pre", { class: "body", id: "text" }, e.text));
  }
  if (v.text) parts.push(h("h2", {}, "Text"), h("pre", { class: "body", id: "text" }, v.text));
  if (v.ocr) parts.push(ocrSection(it, v.ocr, v.has_picture));
  if (v.has_html) {
    parts.push(h("h2", {}, "Formatted (sanitised HTML: no scripts, no remote images)"),
      h("iframe", { class: "html", id: "html-frame", sandbox: "", referrerpolicy: "no-referrer", src: `${API}/items/${it.id}/html`, title: "Formatted message" }));
  }
  if (it.document) {
    const doc = h("section", { class: "panel", id: "metadata" }, h("h2", {}, "Metadata, per store"));
    doc.append(evidence(it.document));
    parts.push(doc);
  }
  if (it.children.length) {
    parts.push(h("h2", {}, `Contains (${it.children.length})`,
      it.container ? h("span", { class: "muted" }, ` declared ${it.container.expected}, emitted ${it.container.emitted}, failed ${it.container.failed}`) : ""),
    h("ul", { id: "children" }, it.children.map((c) => h("li", {}, c.item ? itemLink(c.item, c.path) : c.path, " ",
      h("span", { class: "muted" }, c.kind || ""), c.error ? h("span", { class: "error" }, ` ${c.stage}: ${c.error}`) : null))));
  }
  parts.push(h("h2", {}, "Found at"), h("ul", {}, it.occurrences.map((o) => h("li", {}, o.display))));
  if (it.errors.length) parts.push(h("h2", {}, "Problems"), h("ul", {}, it.errors.map((p) => h("li", { class: "error" }, `${p.stage}: ${p.reason}`))));
  parts.push(tagsAndNotes(it.id, v.tags, v.notes));
  const review = h("section", { class: "panel", id: "redaction" }, h("h2", {}, "Redaction review"), h("p", { class: "muted" }, "Looking for personal data…"));
  parts.push(review);
  render(...parts);
  api(`/items/${it.id}/redaction`).then((r) => redactionReview(review, it.id, r), (e) => alertIn(review, e));
}

// ---- redaction review -----------------------------------------------------

// Positions are byte offsets in the rendering (UTF-8), as `leakcheck redact`
// counts them; the page's strings count UTF-16 units.
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const REDACT_KINDS = ["name", "email", "phone", "postal-address", "birth-date", "iban", "card", "nir"];
const REVIEW_WORDS = { automatic: "not reviewed (redacted)", accepted: "accepted (redacted)", rejected: "rejected (left in)", manual: "marked by hand (redacted)" };

// The rendering with each span marked (what is redacted, what is left).
function markedRendering(text, spans) {
  const bytes = utf8.encode(text);
  const pre = h("pre", { class: "body", id: "redaction-text" });
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start < at) continue;
    pre.append(fromUtf8.decode(bytes.subarray(at, s.start)),
      h("mark", { class: "span " + s.review, title: `${s.kind}: ${REVIEW_WORDS[s.review]}`, "data-start": s.start }, fromUtf8.decode(bytes.subarray(s.start, s.end))));
    at = s.end;
  }
  pre.append(fromUtf8.decode(bytes.subarray(at)));
  return pre;
}

// The selection inside `pre`, as byte offsets in `text` (pre's text).
function selectedSpan(pre, text) {
  const sel = window.getSelection();
  if (!sel || !sel.rangeCount || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  if (!pre.contains(range.startContainer) || !pre.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.selectNodeContents(pre);
  before.setEnd(range.startContainer, range.startOffset);
  const from = before.toString().length;
  const chosen = text.slice(from, from + range.toString().length);
  const start = utf8.encode(text.slice(0, from)).length;
  return { start, end: start + utf8.encode(chosen).length, value: chosen };
}

const reviewListeners = new WeakMap();

function redactionReview(section, id, r) {
  const decide = (decision, s, kind) => async () => {
    try {
      const next = await api(`/items/${id}/redaction`, { method: "POST", body: { decision, start: s.start, end: s.end, kind: kind || s.kind } });
      redactionReview(section, id, next);
    } catch (e) { alertIn(section, e); }
  };
  const head = [h("h2", {}, "Redaction review"),
    h("p", { class: "muted" }, "What `leakcheck redact` takes out of this item's text before publication. Accept or reject each detection, or select words in the text below to mark a span by hand; the command applies these decisions and logs who approved each span. Rules: " + r.rules + ".")];
  if (r.rendering === null) {
    section.replaceChildren(...head, h("p", { class: "muted", id: "redaction-none" }, r.reason || "Nothing to review."));
    return;
  }
  const context = (s) => h("span", { class: "context" }, "…" + s.before, h("mark", { class: "span " + s.review }, s.value), s.after + "…");
  const state = (s) => h("span", { class: "review " + s.review }, REVIEW_WORDS[s.review], s.by ? h("span", { class: "muted" }, ` by ${s.by}, ${s.at}`) : null);
  const button = (label, cls, action) => h("button", { type: "button", class: cls, onclick: action }, label);
  const rows = r.detections.map((s) => h("tr", { "data-start": s.start, "data-kind": s.kind, "data-review": s.review },
    h("td", {}, s.kind), h("td", {}, context(s)), h("td", {}, state(s)),
    h("td", {}, canEdit() ? [
      s.review !== "accepted" ? button("Accept", "accept", decide("accept", s)) : null,
      s.review !== "rejected" ? button("Reject", "reject", decide("reject", s)) : null,
      s.review !== "automatic" ? button("Undo", "undo", decide("clear", s)) : null] : null)));
  const manual = r.manual.map((s) => h("li", { "data-start": s.start, "data-kind": s.kind },
    s.kind, ": ", context(s), " ", state(s), canEdit() ? [" ", button("Remove", "remove", decide("clear", s))] : null));
  const pre = markedRendering(r.rendering, [...r.detections, ...r.manual]);
  const parts = [...head,
    h("p", { id: "redaction-summary", "data-unreviewed": r.unreviewed },
      `${plural(r.detections_total, "detection", "detections")}, ${r.unreviewed} not reviewed; ${plural(r.manual.length, "span", "spans")} marked by hand`,
      r.stale ? `; ${plural(r.stale, "decision", "decisions")} no longer fit the text` : ""),
    r.detections.length ? h("table", { id: "detections" }, h("tr", {}, ["kind", "in context", "review", ""].map((x) => h("th", {}, x))), rows) : h("p", { class: "muted" }, "The detector found no personal data."),
    r.detections_total > r.detections.length ? h("p", { class: "muted" }, `The first ${r.detections.length} are listed; leakcheck redact applies the rules to all.`) : null,
    h("h3", {}, "Marked by hand"),
    manual.length ? h("ul", { id: "manual-spans" }, manual) : h("p", { class: "muted", id: "manual-none" }, "None.")];
  if (canEdit()) {
    // The selection is kept as it changes: pressing the button may move it.
    let chosen = null;
    const what = h("span", { class: "muted", id: "manual-selection" }, "select words in the text below");
    const kind = h("select", { id: "manual-kind", "aria-label": "what the span holds" }, REDACT_KINDS.map((k) => h("option", { value: k }, k)));
    const mark = h("button", { type: "button", id: "mark-selection", disabled: true, onclick: () => chosen && decide("manual", chosen, kind.value)() }, "Mark for redaction");
    const follow = () => {
      if (!section.isConnected) { document.removeEventListener("selectionchange", follow); return; }
      const s = selectedSpan(pre, r.rendering);
      if (!s) return;
      chosen = s;
      what.textContent = `“${s.value.length > 60 ? s.value.slice(0, 60) + "…" : s.value}” (bytes ${s.start}–${s.end})`;
      mark.disabled = false;
    };
    // One listener per review: the one of the rendering drawn before goes.
    if (reviewListeners.has(section)) document.removeEventListener("selectionchange", reviewListeners.get(section));
    reviewListeners.set(section, follow);
    document.addEventListener("selectionchange", follow);
    parts.push(h("div", { class: "query", id: "manual-form" }, kind, mark, what));
  }
  parts.push(pre);
  // replaceChildren writes null as text: only the parts there are.
  section.replaceChildren(...parts.filter(Boolean));
}

function tagsAndNotes(id, tags, notes) {
  const section = h("section", { class: "panel", id: "collab" }, h("h2", {}, "Tags and notes"));
  const tagList = h("div", { id: "tags" }, tags.length ? tags.map((t) => h("span", { class: "tag", title: `by ${t.added_by}, ${t.added_at}` },
    h("a", { href: "#/search?q=" + encodeURIComponent("tag:" + t.tag) }, t.tag),
    canEdit() ? h("button", { type: "button", "aria-label": "remove " + t.tag, onclick: async () => {
      await api(`/items/${id}/tags/${encodeURIComponent(t.tag)}`, { method: "DELETE" }).catch(fail);
      route();
    } }, "×") : null)) : h("span", { class: "muted" }, "no tags"));
  section.append(tagList);
  if (canEdit()) {
    const input = h("input", { id: "new-tag", placeholder: "add a tag", "aria-label": "New tag" });
    const form = h("form", { class: "query", id: "tag-form" }, input, h("button", { type: "submit" }, "Tag"));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try { await api(`/items/${id}/tags`, { method: "POST", body: { tag: input.value } }); route(); } catch (e) { alertIn(form, e); }
    });
    section.append(form);
  }
  section.append(h("ul", { id: "notes" }, notes.map((n) => h("li", {}, h("strong", {}, n.author), " ", h("span", { class: "muted" }, n.at), h("div", {}, n.text)))));
  if (canEdit()) {
    const text = h("textarea", { id: "new-note", rows: 3, cols: 60, "aria-label": "New note" });
    const form = h("form", { id: "note-form" }, text, h("div", {}, h("button", { type: "submit" }, "Add note")));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try { await api(`/items/${id}/notes`, { method: "POST", body: { text: text.value } }); route(); } catch (e) { alertIn(form, e); }
    });
    section.append(form);
  }
  return section;
}

function alertIn(el, e) { el.append(h("p", { class: "error", role: "alert" }, e.message)); }

// ---- thread, timeline, people -------------------------------------------

// Links to the previous and next page of a list of `total` rows: the
// page's own address with `key` set to the other page's offset.
function pagerLinks(page, params, key, offset, limit, shown, total, what) {
  const at = (o) => { const p = new URLSearchParams(params); p.set(key, o); return `#/${page}?${p}`; };
  return h("div", { class: "pager" },
    offset > 0 ? h("a", { href: at(Math.max(0, offset - limit)) }, "← previous") : null,
    h("span", { class: "muted" }, `${plural(total, what[0], what[1])} · ${shown ? `${offset + 1}–${offset + shown}` : "none here"}`),
    offset + shown < total ? h("a", { href: at(offset + limit) }, "next →") : null);
}

const PAGE_ROWS = 200;

async function threadPage(id, params) {
  const offset = Number(params.get("offset") || 0);
  const t = await api(`/items/${id}/thread?${new URLSearchParams({ offset, limit: PAGE_ROWS })}`);
  const row = (n) => {
    const li = h("li", {},
      n.items.length ? itemLink(n.items[0], n.subject || "(no subject)") : h("span", { class: "muted" }, `(not in the dump) <${n.message_id}>`),
      n.items.includes(id) ? h("strong", {}, " ← this one") : null,
      h("span", { class: "muted" }, ` ${addr(n.from)} · ${n.date || "no date"}${n.by_subject ? " · (by subject)" : ""}${n.items.length > 1 ? ` · ${n.items.length} copies` : ""}`));
    li.style.marginLeft = `${Math.min(n.depth, 40) * 1.2}em`;
    return li;
  };
  render(h("h1", {}, "Thread"), h("p", { class: "muted" }, `${plural(t.messages, "message", "messages")}, ${t.missing} not in the dump`),
    h("ul", { class: "tree", id: "thread" }, t.rows.map(row)),
    pagerLinks(`thread/${id}`, params, "offset", offset, PAGE_ROWS, t.rows.length, t.rows_total, ["row", "rows"]));
}

async function timelinePage(_, params) {
  const by = params.get("by") || "month";
  const offset = Number(params.get("offset") || 0);
  const t = await api(`/timeline?${new URLSearchParams({ by, offset, limit: 500 })}`);
  const max = Math.max(1, ...t.buckets.map((b) => b.emails));
  const choose = h("p", {}, ["day", "week", "month"].map((p) => [h("a", { href: "#/timeline?by=" + p, class: p === by ? "current" : "" }, p), " "]).flat());
  render(h("h1", {}, "Timeline"), choose,
    h("p", { class: "muted" }, `${t.emails} emails; ${t.dated} dated, ${t.undated} without a readable date, ${t.copies} copies counted once`),
    h("div", { class: "bars", id: "timeline" }, t.buckets.flatMap((b) => {
      const bar = h("div", { class: "bar" });
      bar.style.width = `${(100 * b.emails) / max}%`;
      const row = h("div", { class: "row" }, h("a", { href: "#/search?" + new URLSearchParams({ q: "date:" + b.period, sort: "oldest" }) }, b.period), bar, h("span", {}, b.emails));
      // The periods without email, as the command line reports them.
      return b.empty_before ? [h("div", { class: "row gap muted" }, "…", h("span", {}, plural(b.empty_before, `${by} without email`, `${by}s without email`)), ""), row] : row;
    })),
    pagerLinks("timeline", params, "offset", offset, 500, t.buckets.length, t.periods, ["period", "periods"]));
}

async function peoplePage(_, params) {
  const people = Number(params.get("people") || 0);
  const pairs = Number(params.get("pairs") || 0);
  const c = await api(`/people?${new URLSearchParams({ people_offset: people, pairs_offset: pairs, limit: PAGE_ROWS })}`);
  render(h("h1", {}, "People"),
    h("table", { id: "people" }, h("tr", {}, ["address", "name", "sent", "received"].map((x) => h("th", {}, x))),
      c.people.map((p) => h("tr", {}, h("td", {}, h("a", { href: "#/search?q=" + encodeURIComponent(`from:"${p.address}"`) }, p.address)),
        h("td", {}, p.name || ""), h("td", {}, p.sent), h("td", {}, p.received)))),
    pagerLinks("people", params, "people", people, PAGE_ROWS, c.people.length, c.people_total, ["person", "people"]),
    h("h2", {}, "Who wrote to whom"),
    h("table", { id: "pairs" }, h("tr", {}, ["from", "to", "messages", "first", "last"].map((x) => h("th", {}, x))),
      c.pairs.map((p) => h("tr", {}, h("td", {}, p.from), h("td", {}, p.to), h("td", {}, p.count), h("td", {}, p.first || ""), h("td", {}, p.last || "")))),
    pagerLinks("people", params, "pairs", pairs, PAGE_ROWS, c.pairs.length, c.pairs_total, ["pair", "pairs"]));
}

// ---- spread ----------------------------------------------------------------

const CLASSES = ["altered-material", "authentic-material", "unverifiable-material", "not-in-dump", "unrelated"];
// The importers' platforms (crates/spread/src/import).
const PLATFORMS = ["x", "telegram", "4chan", "csv"];
// The chart's colours, as `leakcheck spread --svg` draws them (crates/cli/src/cmd_spread.rs).
const CLASS_COLOURS = ["#b3261e", "#0a7d32", "#666666", "#b26a00", "#c8c8c8"];
const when = (unix) => (unix === null || unix === undefined ? "(no date)" : new Date(unix * 1000).toISOString().slice(0, 16).replace("T", " "));

// A period bound as the page takes it ("2017-05-05" or "2017-05-05T20:00",
// UTC, as the command line's --since and --until) → Unix seconds.
function unixOf(name, v) {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?$/.exec(v);
  const t = m ? Date.parse(`${m[1]}T${m[2] || "00:00"}:00Z`) : NaN;
  if (Number.isNaN(t)) throw new Error(`${name} "${v}": expected YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)`);
  return t / 1000;
}

// A CSV cell as the server's export writes it: quoted, and a cell that a
// spreadsheet could read as a formula gets a leading ' (posts' account
// names and the dump's paths are anyone's text).
const csvCell = (v) => {
  const s = String(v ?? "");
  return `"${(/^[=+\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]/.test(s) ? "'" + s : s).replace(/"/g, '""')}"`;
};
const csvOf = (header, rows) => [header.join(","), ...rows.map((r) => r.map(csvCell).join(","))].join("\n") + "\n";
const xmlText = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

// Posts per hour stacked by class as a standalone SVG: the chart that
// `leakcheck spread --svg` writes, drawn the same way.
function chartSvg(hours) {
  const byHour = new Map();
  for (const c of [...hours].sort((a, b) => a.hour - b.hour)) {
    const i = CLASSES.indexOf(c.class);
    if (i < 0) continue;
    if (!byHour.has(c.hour)) byHour.set(c.hour, [0, 0, 0, 0, 0]);
    byHour.get(c.hour)[i] += c.posts;
  }
  const [w, height, left, bottom] = [900, 300, 40, 40];
  const max = Math.max(1, ...[...byHour.values()].map((v) => v.reduce((a, b) => a + b, 0)));
  const bar = (w - left) / Math.max(1, byHour.size);
  const total = height + bottom + 30;
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${total}" font-family="sans-serif" font-size="11">\n<title>posts per hour by class</title>\n<rect width="100%" height="100%" fill="#fff"/>\n`;
  s += `<text x="0" y="12">${max} posts</text><line x1="${left}" y1="${height}" x2="${w}" y2="${height}" stroke="#999"/>\n`;
  [...byHour.entries()].forEach(([hour, counts], i) => {
    const x = left + i * bar;
    let y = height;
    counts.forEach((n, c) => {
      if (!n) return;
      const hgt = (n / max) * (height - 20);
      y -= hgt;
      s += `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(bar - 1, 1).toFixed(1)}" height="${hgt.toFixed(1)}" fill="${CLASS_COLOURS[c]}"><title>${xmlText(when(hour))} ${CLASSES[c]}: ${n}</title></rect>\n`;
    });
    if (i === 0 || i + 1 === byHour.size) s += `<text x="${x.toFixed(1)}" y="${height + 14}">${xmlText(when(hour))}</text>\n`;
  });
  CLASSES.forEach((c, i) => {
    const x = left + i * 170;
    s += `<rect x="${x}" y="${height + bottom}" width="10" height="10" fill="${CLASS_COLOURS[i]}"/><text x="${x + 14}" y="${height + bottom + 9}">${c}</text>\n`;
  });
  return { svg: s + "</svg>\n", width: w, height: total };
}

// The SVG drawn on a canvas at twice its size, as PNG bytes (a Blob); the
// page's policy allows data: images, and an SVG image leaves the canvas
// readable.
function svgToPng({ svg, width, height }, scale = 2) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const canvas = h("canvas", { width: width * scale, height: height * scale });
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the browser did not encode the PNG"))), "image/png");
    };
    img.onerror = () => reject(new Error("the browser did not draw the chart"));
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
  });
}

// The object URLs of the last Spread page's downloads, released when the
// page is drawn again.
let spreadUrls = [];
function download(id, name, data, type, label) {
  const url = URL.createObjectURL(data instanceof Blob ? data : new Blob([data], { type }));
  spreadUrls.push(url);
  return h("a", { href: url, download: name, id }, label);
}

async function spreadPage(_, params) {
  for (const url of spreadUrls) URL.revokeObjectURL(url);
  spreadUrls = [];
  // The page's filters (in its address) and the API's: a period is given
  // as a UTC date or time here, in Unix seconds there.
  const page = new URLSearchParams();
  const query = new URLSearchParams();
  for (const k of ["platform", "class", "account", "since", "until"]) {
    const v = (params.get(k) || "").trim();
    if (!v) continue;
    page.set(k, v);
    query.set(k, k === "since" || k === "until" ? unixOf(k, v) : v);
  }
  const s = await api("/spread?" + query);
  const link = (k, v, label) => {
    const p = new URLSearchParams(page);
    if (v === null) p.delete(k); else p.set(k, v);
    return h("a", { href: "#/spread?" + p, class: (page.get(k) || null) === v ? "current" : "", "data-filter": `${k}:${v ?? ""}` }, label);
  };
  // Account and period: a form that rewrites the address.
  const asInput = (v) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v + "T00:00" : (v || "").replace(" ", "T"));
  const account = h("input", { id: "spread-account", name: "account", placeholder: "account (name or id)", value: page.get("account") || "" });
  const since = h("input", { id: "spread-since", name: "since", type: "datetime-local", value: asInput(page.get("since")), "aria-label": "from (UTC)" });
  const until = h("input", { id: "spread-until", name: "until", type: "datetime-local", value: asInput(page.get("until")), "aria-label": "before (UTC)" });
  const form = h("form", { class: "filters", id: "spread-filter" },
    account, h("label", {}, "from ", since), h("label", {}, "before ", until), h("span", { class: "muted" }, "(UTC)"),
    h("button", { type: "submit" }, "Filter"), page.size ? h("a", { href: "#/spread", id: "spread-clear" }, "clear all filters") : null);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams(page);
    for (const [k, input] of [["account", account], ["since", since], ["until", until]]) {
      if (input.value.trim()) p.set(k, input.value.trim()); else p.delete(k);
    }
    location.hash = "#/spread?" + p;
  });
  const filters = [
    h("p", { id: "spread-platforms" }, "Platform: ", link("platform", null, "all"), " ", PLATFORMS.map((x) => [link("platform", x, x), " "]).flat()),
    h("p", { id: "spread-classes" }, "Class: ", link("class", null, "all"), " ", CLASSES.map((c) => [link("class", c, `${c} (${s.totals[c] || 0})`), " "]).flat()),
    form];
  if (!s.total) {
    render(h("h1", { id: "spread-title", "data-filter": String(page) }, "Spread"), ...filters, h("p", { class: "muted", id: "spread-empty" },
      page.size ? "No posts match these filters."
        : "No posts match. Import exports from X, Telegram, 4chan or a CSV with `leakcheck posts import CASE EXPORT`."));
    return;
  }
  // Posts per hour, stacked by class.
  const byHour = new Map();
  for (const c of s.hours) {
    if (!byHour.has(c.hour)) byHour.set(c.hour, {});
    byHour.get(c.hour)[c.class] = c.posts;
  }
  const max = Math.max(1, ...[...byHour.values()].map((v) => Object.values(v).reduce((a, b) => a + b, 0)));
  const chart = h("div", { class: "stacked", id: "spread-chart", "aria-label": "Posts per hour by class" },
    [...byHour.entries()].map(([hour, v]) => h("div", { class: "col", title: `${when(hour)}: ` + CLASSES.filter((c) => v[c]).map((c) => `${c} ${v[c]}`).join(", ") },
      CLASSES.filter((c) => v[c]).map((c) => {
        const seg = h("span", { class: "seg " + c });
        seg.style.height = `${(100 * v[c]) / max}%`;
        return seg;
      }))));
  const hours = [...byHour.keys()];
  // Downloads: the chart as CSV, SVG and PNG (drawn here from the SVG),
  // each table as CSV (the rows shown). Made from this answer, so they
  // carry the filters above.
  const csv = "hour_utc,class,posts\n" + s.hours.map((c) => `${when(c.hour)},${c.class},${c.posts}`).join("\n") + "\n";
  const svg = chartSvg(s.hours);
  const png = h("a", { id: "spread-png", download: "spread-per-hour.png", "aria-disabled": "true" }, "PNG");
  svgToPng(svg).then((blob) => {
    const url = URL.createObjectURL(blob);
    spreadUrls.push(url);
    png.href = url;
    png.removeAttribute("aria-disabled");
  }, (e) => { png.textContent = "PNG unavailable"; png.title = e.message; });
  const firstCsv = csvOf(["first_seen_utc", "item", "verdict", "path", "first_post", "author", "platform", "posts", "changed"],
    s.first_appearances.map((f) => [f.time_unix === null ? "" : when(f.time_unix), f.item, f.verdict || "unverified", f.path || "", f.post, f.author || "", f.platform, f.posts, f.changed]));
  const accountsCsv = csvOf(["author", "author_id", "platform", "posts", "altered", "not_in_dump", "authentic", "unverifiable"],
    s.accounts.map((a) => [a.author || "", a.author_id || "", a.platform, a.posts, a.altered, a.not_in_dump, a.authentic, a.unverifiable]));
  render(h("h1", { id: "spread-title", "data-filter": String(page) }, "Spread"),
    ...filters,
    h("p", { class: "muted", id: "spread-downloads" }, `${plural(s.total, "post", "posts")}; per hour (UTC), stacked by class · Download `,
      download("spread-csv", "spread-per-hour.csv", csv, "text/csv", "CSV"), " · ",
      download("spread-svg", "spread-per-hour.svg", svg.svg, "image/svg+xml", "SVG"), " · ", png),
    chart,
    h("div", { class: "axis" }, h("span", {}, when(hours[0])), hours.length > 1 ? h("span", {}, when(hours[hours.length - 1])) : null),
    h("p", { class: "legend" }, CLASSES.map((c) => h("span", {}, h("span", { class: "seg " + c }), c))),
    h("h2", {}, "First seen outside ", h("small", {}, download("first-seen-csv", "spread-first-seen.csv", firstCsv, "text/csv", "Download CSV"))),
    h("table", { id: "first-seen" }, h("tr", {}, ["when", "item", "verdict", "first posted by", "posts", "changed"].map((x) => h("th", {}, x))),
      s.first_appearances.map((f) => h("tr", {}, h("td", {}, when(f.time_unix)), h("td", {}, itemLink(f.item, fileName(f.path) || short(f.item))),
        h("td", {}, f.verdict ? badge(f.verdict) : "unverified"), h("td", {}, `${f.author || "?"} (${f.platform})`), h("td", {}, f.posts), h("td", {}, f.changed)))),
    h("h2", {}, "Accounts ", h("small", {}, download("accounts-csv", "spread-accounts.csv", accountsCsv, "text/csv", "Download CSV"))),
    h("table", { id: "accounts" }, h("tr", {}, ["account", "platform", "posts", "altered", "not in the dump", "authentic", "unverifiable"].map((x) => h("th", {}, x))),
      s.accounts.map((a) => h("tr", {}, h("td", {}, link("account", a.author_id || a.author, a.author || a.author_id || "?")), h("td", {}, a.platform),
        h("td", {}, a.posts), h("td", {}, a.altered), h("td", {}, a.not_in_dump), h("td", {}, a.authentic), h("td", {}, a.unverifiable)))),
    h("h2", {}, "Posts"),
    h("ol", { class: "hits", id: "posts" }, s.posts.map(postItem)));
}

// One post: its class, when and who, its text, and what it matched (with
// the words that differ).
function postItem(p) {
  const matches = p.matches.map((m) => h("div", { class: "hit-meta" },
    `${m.what} → `, itemLink(m.item), ` by ${m.basis} (${Math.round(m.similarity * 100)} %${m.changed ? ", changed" : ""})`,
    (m.evidence.differences || []).slice(0, 3).map((d) =>
      h("div", { class: "diff" }, `…${d.before} `, h("del", {}, d.removed), h("ins", {}, d.added), ` ${d.after}…`))));
  return h("li", { "data-class": p.class, "data-platform": p.platform, "data-time": p.time_unix ?? "" },
    h("div", {}, h("span", { class: "badge " + p.class }, p.class), " ", `${when(p.time_unix)} · ${p.author || "?"} on ${p.platform}`),
    h("div", { class: "snippet" }, p.text),
    matches);
}

// ---- case ----------------------------------------------------------------

// The case report's charts, as the server draws them: pictures (<img>), in
// which no script of the SVG could run.
async function casePage() {
  const charts = await api("/charts");
  render(h("h1", {}, "Case"),
    h("p", { class: "muted" }, "The charts of the case report (leakcheck report), drawn from the whole case: items by verdict, by month of their date, what each check proved or flagged, DKIM coverage by sender domain."),
    h("div", { id: "charts" }, charts.map((c) => h("figure", { class: "chart", "data-chart": c.name },
      // The title is drawn in the picture; alt says it for screen readers.
      h("img", { src: `${API}/charts/${encodeURIComponent(c.name)}`, alt: c.title, id: "chart-" + c.name })))));
}

// ---- keys and admin ------------------------------------------------------

async function keysPage() {
  const keys = await api("/keys");
  const parts = [h("h1", {}, "DKIM keys"),
    h("p", {}, "Recovered keys were recomputed from the dump's own signatures: they show which messages one key signed, not whose key it is. An archive window is when a key archive saw the key in DNS; a private key public since a date makes later signatures prove nothing."),
    h("table", { id: "keys" }, h("tr", {}, ["name", "origin", "source", "archive window", "private key public since", "obtained", "added by", "record"].map((x) => h("th", {}, x))),
      keys.map((k) => h("tr", {}, h("td", {}, k.name), h("td", {}, k.origin || "imported"), h("td", {}, k.source),
        h("td", {}, k.first_seen || k.last_seen ? `${k.first_seen || "?"} to ${k.last_seen || "?"}` : ""),
        h("td", {}, k.private_published || ""), h("td", {}, k.obtained || ""), h("td", {}, k.added_by || ""),
        h("td", {}, k.txt.slice(0, 80) + (k.txt.length > 80 ? "…" : "")))))];
  if (session.role === "admin") {
    const record = h("input", { id: "key-record", placeholder: "selector._domainkey.domain v=DKIM1; k=rsa; p=…", size: 60 });
    const source = h("input", { id: "key-source", placeholder: "where it comes from" });
    const form = h("form", { class: "query" }, record, source, h("button", { type: "submit" }, "Add key"));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try { await api("/keys", { method: "POST", body: { record: record.value, source: source.value } }); route(); } catch (e) { alertIn(form, e); }
    });
    parts.push(h("h2", {}, "Add a key"), form);
  }
  if (canEdit()) {
    const button = h("button", { type: "button", id: "run-verify" }, "Run verification now");
    const out = h("p", { class: "muted" });
    button.addEventListener("click", async () => {
      out.textContent = "Verifying…";
      try { const s = await api("/verify", { method: "POST" }); out.textContent = `${s.items} items verified in ${s.seconds.toFixed(1)} s`; } catch (e) { out.textContent = e.message; }
    });
    parts.push(h("h2", {}, "Verification"), button, out);
  }
  render(...parts);
}

async function adminPage() {
  const [users, log] = await Promise.all([api("/users"), api("/audit?limit=200")]);
  const name = h("input", { id: "user-name", placeholder: "name" });
  const role = h("select", { id: "user-role" }, ["viewer", "editor", "admin"].map((r) => h("option", { value: r }, r)));
  const password = h("input", { id: "user-password", type: "password", placeholder: "password (10+ characters)", autocomplete: "new-password" });
  const form = h("form", { class: "query", id: "user-form" }, name, role, password, h("button", { type: "submit" }, "Add or change user"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try { await api("/users", { method: "POST", body: { name: name.value, role: role.value, password: password.value } }); route(); } catch (e) { alertIn(form, e); }
  });
  render(h("h1", {}, "Users"),
    h("table", { id: "users" }, h("tr", {}, ["name", "role", "added", ""].map((x) => h("th", {}, x))),
      users.map((u) => h("tr", {}, h("td", {}, u.name), h("td", {}, u.role), h("td", {}, u.created),
        h("td", {}, u.name === session.user ? "" : h("button", { type: "button", onclick: async () => {
          if (confirm(`Remove ${u.name}?`)) { await api("/users/" + encodeURIComponent(u.name), { method: "DELETE" }).catch(fail); route(); }
        } }, "remove"))))),
    form,
    h("h1", {}, "Access log"),
    h("table", { id: "access-log" }, h("tr", {}, ["#", "when", "who", "what", "item", "detail", "from"].map((x) => h("th", {}, x))),
      log.map((e) => h("tr", {}, h("td", {}, e.seq), h("td", {}, e.at), h("td", {}, e.user), h("td", {}, e.action),
        h("td", {}, e.item ? itemLink(e.item) : ""), h("td", {}, e.detail || ""), h("td", {}, e.peer || "")))));
}

// ---- start ---------------------------------------------------------------

api("/session").then((s) => { session = s; started(); }).catch(() => showLogin());
