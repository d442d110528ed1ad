//! The API's routes in one table: the router is built from the same paths,
//! the OpenAPI document is written from it, and the tests walk it to check
//! that every route refuses anonymous and under-privileged requests.

use serde_json::{Map, Value, json};

/// One route of the API.
pub struct Route {
    /// HTTP method.
    pub method: &'static str,
    /// Path with `{param}` placeholders, under `/api/v1`.
    pub path: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// The least role that may call it (`None`: no session needed).
    pub role: Option<&'static str>,
    /// The JSON body it takes: a schema of [`schemas`], by name.
    pub request: Option<&'static str>,
    /// What a success answers with.
    pub reply: Reply,
}

/// What a route answers with when it succeeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// JSON of the named schema of [`schemas`].
    Json(&'static str),
    /// CSV rows.
    Csv,
    /// An original's bytes.
    Bytes,
    /// Sanitised HTML.
    Html,
    /// An image item's picture, in its own media type.
    Picture,
    /// A chart, as SVG.
    Svg,
    /// A zip archive.
    Zip,
}

const fn r(
    method: &'static str,
    path: &'static str,
    role: Option<&'static str>,
    summary: &'static str,
    request: Option<&'static str>,
    reply: Reply,
) -> Route {
    Route {
        method,
        path,
        summary,
        role,
        request,
        reply,
    }
}

use Reply::{Bytes, Csv, Html, Json, Picture, Svg, Zip};

/// Every route.
pub const ROUTES: &[Route] = &[
    r(
        "post",
        "/login",
        None,
        "Log in with {user, password}; sets the session cookie, returns the CSRF token",
        Some("Login"),
        Json("Session"),
    ),
    r(
        "post",
        "/logout",
        Some("viewer"),
        "End the session",
        None,
        Json("Ok"),
    ),
    r(
        "get",
        "/session",
        Some("viewer"),
        "Who is logged in, role, CSRF token",
        None,
        Json("Session"),
    ),
    r(
        "get",
        "/openapi.json",
        None,
        "This document (no case data: readable without a session)",
        None,
        Json("Document"),
    ),
    r(
        "get",
        "/search",
        Some("viewer"),
        "Search: q, sort (relevance|newest|oldest), limit, offset; hits with snippets, total, facets",
        None,
        Json("SearchResult"),
    ),
    r(
        "get",
        "/export",
        Some("viewer"),
        "Every hit of a query (up to 10,000; logged): CSV, or with format=jsonl every hit with its verdict and findings as JSON lines, with format=ftm as FollowTheMoney entities (answered as application/x-ndjson)",
        None,
        Csv,
    ),
    r(
        "get",
        "/items/{id}",
        Some("viewer"),
        "An item: where it was found, what it contains, email fields, metadata, its own text, the text OCR read in it (apart, page by page, at most 100 pages of 20,000 characters), verification, tags, notes",
        None,
        Json("ItemView"),
    ),
    r(
        "get",
        "/items/{id}/verification",
        Some("viewer"),
        "An item's verdict and findings, each explained",
        None,
        Json("Verification"),
    ),
    r(
        "get",
        "/items/{id}/original",
        Some("viewer"),
        "The original bytes as a download (logged)",
        None,
        Bytes,
    ),
    r(
        "get",
        "/items/{id}/html",
        Some("viewer"),
        "An email's HTML body, sanitised, for a sandboxed frame",
        None,
        Html,
    ),
    r(
        "get",
        "/items/{id}/picture",
        Some("viewer"),
        "An image item's picture, to show beside the text OCR read in it: JPEG, PNG, GIF, WebP or BMP in its own media type, 404 for other kinds (logged)",
        None,
        Picture,
    ),
    r(
        "get",
        "/items/{id}/thread",
        Some("viewer"),
        "The conversation an email belongs to, as rows with their depth: offset, limit (200, at most 1000); rows_total",
        None,
        Json("Thread"),
    ),
    r(
        "post",
        "/items/{id}/tags",
        Some("editor"),
        "Tag an item: {tag}",
        Some("NewTag"),
        Json("Added"),
    ),
    r(
        "delete",
        "/items/{id}/tags/{tag}",
        Some("editor"),
        "Remove a tag",
        None,
        Json("Removed"),
    ),
    r(
        "post",
        "/items/{id}/notes",
        Some("editor"),
        "Add a note: {text}",
        Some("NewNote"),
        Json("NoteAdded"),
    ),
    r(
        "get",
        "/items/{id}/redaction",
        Some("viewer"),
        "The redaction review: the text leakcheck redact renders (rendering; null with a reason when the item has none), the personal data the detector finds in it (default rules: names are marked by hand) with each one's review (automatic, accepted, rejected; by whom, when) and its context, the spans marked by hand, and the count of unreviewed detections; positions are byte offsets in the rendering",
        None,
        Json("Redaction"),
    ),
    r(
        "post",
        "/items/{id}/redaction",
        Some("editor"),
        "Review a span: {decision: accept|reject (a listed detection), manual (mark start..end by hand, up to 10,000 bytes on character boundaries), clear (take a decision back, remove a hand-made span), start, end, kind}; logged; answers the review as it now stands",
        Some("RedactionChange"),
        Json("Redaction"),
    ),
    r(
        "post",
        "/report",
        Some("viewer"),
        "An evidence report of a selection, as leakcheck report writes it, zipped: {ids, query, originals}; at most 200 items (logged)",
        Some("Selection"),
        Zip,
    ),
    r(
        "get",
        "/charts",
        Some("viewer"),
        "The case report's charts: name and title of each",
        None,
        Json("Charts"),
    ),
    r(
        "get",
        "/charts/{name}",
        Some("viewer"),
        "One of the case report's charts (verdicts, by-month, by-check, dkim-coverage) as SVG, under a policy that lets nothing load or run",
        None,
        Svg,
    ),
    r(
        "get",
        "/timeline",
        Some("viewer"),
        "Messages per period: by=day|week|month, offset, limit (at most 1000); periods",
        None,
        Json("Timeline"),
    ),
    r(
        "get",
        "/people",
        Some("viewer"),
        "Correspondents and pairs: people_offset, pairs_offset, limit (100, at most 1000); people_total, pairs_total",
        None,
        Json("People"),
    ),
    r(
        "get",
        "/keys",
        Some("viewer"),
        "DKIM keys with provenance",
        None,
        Json("Keys"),
    ),
    r(
        "post",
        "/keys",
        Some("admin"),
        "Add a key: {record, source, obtained}",
        Some("NewKey"),
        Json("Added"),
    ),
    r(
        "post",
        "/verify",
        Some("editor"),
        "Run a verification pass over the case",
        None,
        Json("VerifySummary"),
    ),
    r(
        "get",
        "/users",
        Some("admin"),
        "Users and roles",
        None,
        Json("Users"),
    ),
    r(
        "post",
        "/users",
        Some("admin"),
        "Add a user or change one: {name, role, password}",
        Some("NewUser"),
        Json("Ok"),
    ),
    r(
        "delete",
        "/users/{name}",
        Some("admin"),
        "Remove a user",
        None,
        Json("Removed"),
    ),
    r(
        "get",
        "/spread",
        Some("viewer"),
        "Posts from outside the dump: platform, class, account, since, until (Unix seconds), limit, offset; totals per class, posts per hour and class, first appearances, accounts, a page of posts",
        None,
        Json("Spread"),
    ),
    r(
        "get",
        "/audit",
        Some("admin"),
        "The access log, newest first: before, limit",
        None,
        Json("Audit"),
    ),
];

/// A JSON object schema: `required` properties of the given schemas, and
/// `optional` ones.
fn object(required: &[(&str, Value)], optional: &[(&str, Value)]) -> Value {
    let mut props = Map::new();
    for (k, v) in required.iter().chain(optional) {
        props.insert((*k).to_string(), v.clone());
    }
    json!({
        "type": "object",
        "properties": props,
        "required": required.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
    })
}

fn string() -> Value {
    json!({"type": "string"})
}

fn nullable(t: &str) -> Value {
    json!({"type": [t, "null"]})
}

/// `schema`, or null.
fn or_null(mut schema: Value) -> Value {
    if let Some(t) = schema["type"].as_str() {
        schema["type"] = json!([t, "null"]);
    }
    schema
}

fn integer() -> Value {
    json!({"type": "integer"})
}

fn array_of(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

fn named(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// An item's OCR layer (`ItemView.ocr`, or null when OCR has not looked at
/// the item): inline, since a `$ref` cannot also be null without `anyOf`.
fn ocr_layer() -> Value {
    object(
        &[
            ("status", string()),
            ("engine", nullable("string")),
            ("languages", nullable("string")),
            ("confidence", nullable("number")),
            ("seconds", json!({"type": "number"})),
            ("detail", json!({})),
            ("pages_total", integer()),
            ("pages", array_of(named("OcrPage"))),
        ],
        &[],
    )
}

/// The request and response bodies, by name. The tests check live answers
/// of every JSON route against these.
pub fn schemas() -> Map<String, Value> {
    let any_object = json!({"type": "object"});
    let counts = json!({"type": "object", "additionalProperties": {"type": "integer"}});
    let list = [
        ("Error", object(&[("error", string())], &[])),
        (
            "Login",
            object(&[("user", string()), ("password", string())], &[]),
        ),
        (
            "Session",
            object(
                &[
                    ("user", string()),
                    ("role", string()),
                    ("csrf", string()),
                    ("case", string()),
                ],
                &[],
            ),
        ),
        ("Ok", object(&[("ok", json!({"type": "boolean"}))], &[])),
        (
            "Document",
            object(&[("openapi", string()), ("paths", any_object.clone())], &[]),
        ),
        (
            "Hit",
            object(
                &[
                    ("id", string()),
                    ("kind", string()),
                    ("title", string()),
                    ("path", string()),
                    ("verdict", string()),
                    ("snippet", string()),
                    ("snippet_html", string()),
                ],
                &[("score", nullable("number")), ("date", nullable("string"))],
            ),
        ),
        (
            "SearchResult",
            object(
                &[
                    ("total", integer()),
                    ("hits", array_of(named("Hit"))),
                    (
                        "facets",
                        json!({"type": "object", "additionalProperties": counts}),
                    ),
                    ("took_ms", json!({"type": "number"})),
                ],
                &[("notes", array_of(string()))],
            ),
        ),
        (
            "Finding",
            object(
                &[
                    ("check", string()),
                    ("verdict", string()),
                    ("summary", string()),
                    ("evidence", json!({})),
                    (
                        "explanation",
                        object(&[("meaning", string()), ("recheck", string())], &[]),
                    ),
                ],
                &[],
            ),
        ),
        (
            "Verification",
            object(
                &[
                    ("verdict", string()),
                    ("findings", array_of(named("Finding"))),
                ],
                &[],
            ),
        ),
        (
            "ItemView",
            object(
                &[
                    ("item", any_object.clone()),
                    ("verification", named("Verification")),
                    ("tags", array_of(any_object.clone())),
                    ("notes", array_of(any_object.clone())),
                    ("has_html", json!({"type": "boolean"})),
                    ("text", nullable("string")),
                    ("ocr", or_null(ocr_layer())),
                    ("has_picture", json!({"type": "boolean"})),
                ],
                &[],
            ),
        ),
        (
            "OcrPage",
            object(
                &[
                    ("page", integer()),
                    ("text", string()),
                    ("text_cut", json!({"type": "boolean"})),
                    ("confidence", nullable("number")),
                    ("words", integer()),
                    ("error", nullable("string")),
                ],
                &[],
            ),
        ),
        (
            "Thread",
            object(
                &[
                    ("messages", integer()),
                    ("missing", integer()),
                    ("items", integer()),
                    ("flattened", integer()),
                    ("rows_total", integer()),
                    ("offset", integer()),
                    ("rows", array_of(any_object.clone())),
                ],
                &[],
            ),
        ),
        (
            "Timeline",
            object(
                &[
                    ("by", string()),
                    ("buckets", array_of(any_object.clone())),
                    ("periods", integer()),
                    ("emails", integer()),
                ],
                &[],
            ),
        ),
        (
            "People",
            object(
                &[
                    ("pairs", array_of(any_object.clone())),
                    ("people", array_of(any_object.clone())),
                    ("pairs_total", integer()),
                    ("people_total", integer()),
                ],
                &[],
            ),
        ),
        (
            "Key",
            object(
                &[("name", string()), ("txt", string()), ("source", string())],
                &[
                    ("added_at", nullable("string")),
                    ("obtained", nullable("string")),
                ],
            ),
        ),
        ("Keys", array_of(named("Key"))),
        ("NewTag", object(&[("tag", string())], &[])),
        ("NewNote", object(&[("text", string())], &[])),
        (
            "NewKey",
            object(
                &[("record", string()), ("source", string())],
                &[("obtained", nullable("string"))],
            ),
        ),
        (
            "NewUser",
            object(
                &[
                    ("name", string()),
                    ("role", string()),
                    ("password", string()),
                ],
                &[],
            ),
        ),
        (
            "RedactionSpan",
            object(
                &[
                    ("start", integer()),
                    ("end", integer()),
                    ("kind", string()),
                    ("review", string()),
                    ("by", nullable("string")),
                    ("at", nullable("string")),
                    ("before", string()),
                    ("value", string()),
                    ("after", string()),
                ],
                &[],
            ),
        ),
        (
            "Redaction",
            object(
                &[
                    ("text", string()),
                    ("rendering", nullable("string")),
                    ("reason", nullable("string")),
                    ("rules", string()),
                    ("detections", array_of(named("RedactionSpan"))),
                    ("detections_total", integer()),
                    ("manual", array_of(named("RedactionSpan"))),
                    ("unreviewed", integer()),
                    ("stale", integer()),
                ],
                &[],
            ),
        ),
        (
            "RedactionChange",
            object(
                &[
                    ("decision", string()),
                    ("start", integer()),
                    ("end", integer()),
                    ("kind", string()),
                ],
                &[],
            ),
        ),
        (
            "Selection",
            object(
                &[],
                &[
                    ("ids", array_of(string())),
                    ("query", nullable("string")),
                    ("originals", nullable("boolean")),
                ],
            ),
        ),
        (
            "Charts",
            array_of(object(&[("name", string()), ("title", string())], &[])),
        ),
        ("Added", object(&[("added", json!({}))], &[])),
        ("Removed", object(&[("removed", json!({}))], &[])),
        ("NoteAdded", object(&[("seq", integer())], &[])),
        (
            "VerifySummary",
            object(&[("items", integer()), ("by_verdict", counts.clone())], &[]),
        ),
        (
            "Spread",
            object(
                &[
                    ("total", integer()),
                    ("totals", counts.clone()),
                    (
                        "hours",
                        array_of(object(
                            &[
                                ("hour", integer()),
                                ("class", string()),
                                ("posts", integer()),
                            ],
                            &[],
                        )),
                    ),
                    (
                        "first_appearances",
                        array_of(object(
                            &[("item", string()), ("post", string()), ("posts", integer())],
                            &[],
                        )),
                    ),
                    (
                        "accounts",
                        array_of(object(&[("platform", string()), ("posts", integer())], &[])),
                    ),
                    (
                        "posts",
                        array_of(object(
                            &[
                                ("id", string()),
                                ("class", string()),
                                ("text", string()),
                                ("matches", array_of(any_object.clone())),
                            ],
                            &[],
                        )),
                    ),
                ],
                &[],
            ),
        ),
        (
            "Users",
            array_of(object(&[("name", string()), ("role", string())], &[])),
        ),
        (
            "Audit",
            array_of(object(
                &[("seq", integer()), ("at", string()), ("action", string())],
                &[("user", nullable("string")), ("item", nullable("string"))],
            )),
        ),
    ];
    list.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The OpenAPI 3.1 document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let params: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let ok = match route.reply {
            Reply::Json(name) => json!({"application/json": {"schema": named(name)}}),
            Reply::Csv => json!({"text/csv": {"schema": string()}}),
            Reply::Bytes => json!({"application/octet-stream": {"schema": string()}}),
            Reply::Html => json!({"text/html": {"schema": string()}}),
            Reply::Svg => json!({"image/svg+xml": {"schema": string()}}),
            Reply::Zip => json!({"application/zip": {"schema": string()}}),
            Reply::Picture => {
                let picture = json!({"schema": string()});
                json!({
                    "image/jpeg": picture, "image/png": picture, "image/gif": picture,
                    "image/webp": picture, "image/bmp": picture,
                })
            }
        };
        let error = |what: &str| json!({"description": what, "content": {"application/json": {"schema": named("Error")}}});
        let mut op = json!({
            "summary": route.summary,
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": ok},
                "400": error("Malformed request: a body, query or id that does not parse (the message says which field)"),
                "401": error("No session"),
                "403": error("Role too low, or CSRF token missing"),
                "404": error("No such item"),
                "429": error("Too many failed logins"),
                "503": error("Busy")
            }
        });
        if let Some(body) = route.request {
            op["requestBody"] = json!({
                "required": true,
                "content": {"application/json": {"schema": named(body)}}
            });
        }
        match route.role {
            Some(role) => op["description"] = json!(format!("Needs the {role} role or higher.")),
            None => op["security"] = json!([]),
        }
        let entry = paths
            .entry(format!("/api/v1{}", route.path))
            .or_insert_with(|| json!({}));
        entry[route.method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "leakcheck workbench API", "version": env!("CARGO_PKG_VERSION")},
        "components": {"schemas": schemas(), "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::COOKIE},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"}
        }},
        "security": [{"session": [], "csrf": []}],
        "paths": paths,
    })
}
