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
}

const fn r(
    method: &'static str,
    path: &'static str,
    role: Option<&'static str>,
    summary: &'static str,
) -> Route {
    Route {
        method,
        path,
        summary,
        role,
    }
}

/// Every route.
pub const ROUTES: &[Route] = &[
    r(
        "post",
        "/login",
        None,
        "Log in with {user, password}; sets the session cookie, returns the CSRF token",
    ),
    r("post", "/logout", Some("viewer"), "End the session"),
    r(
        "get",
        "/session",
        Some("viewer"),
        "Who is logged in, role, CSRF token",
    ),
    r("get", "/openapi.json", Some("viewer"), "This document"),
    r(
        "get",
        "/search",
        Some("viewer"),
        "Search: q, sort (relevance|newest|oldest), limit, offset; hits with snippets, total, facets",
    ),
    r(
        "get",
        "/export",
        Some("viewer"),
        "Every hit of a query as CSV (logged)",
    ),
    r(
        "get",
        "/items/{id}",
        Some("viewer"),
        "An item: where it was found, what it contains, email fields, metadata, verification, tags, notes",
    ),
    r(
        "get",
        "/items/{id}/verification",
        Some("viewer"),
        "An item's verdict and findings, each explained",
    ),
    r(
        "get",
        "/items/{id}/original",
        Some("viewer"),
        "The original bytes as a download (logged)",
    ),
    r(
        "get",
        "/items/{id}/html",
        Some("viewer"),
        "An email's HTML body, sanitised, for a sandboxed frame",
    ),
    r(
        "get",
        "/items/{id}/thread",
        Some("viewer"),
        "The conversation an email belongs to, as rows with their depth: offset, limit (200, at most 1000); rows_total",
    ),
    r(
        "post",
        "/items/{id}/tags",
        Some("editor"),
        "Tag an item: {tag}",
    ),
    r(
        "delete",
        "/items/{id}/tags/{tag}",
        Some("editor"),
        "Remove a tag",
    ),
    r(
        "post",
        "/items/{id}/notes",
        Some("editor"),
        "Add a note: {text}",
    ),
    r(
        "get",
        "/timeline",
        Some("viewer"),
        "Messages per period: by=day|week|month, offset, limit (at most 1000); periods",
    ),
    r(
        "get",
        "/people",
        Some("viewer"),
        "Correspondents and pairs: people_offset, pairs_offset, limit (100, at most 1000); people_total, pairs_total",
    ),
    r("get", "/keys", Some("viewer"), "DKIM keys with provenance"),
    r(
        "post",
        "/keys",
        Some("admin"),
        "Add a key: {record, source, obtained}",
    ),
    r(
        "post",
        "/verify",
        Some("editor"),
        "Run a verification pass over the case",
    ),
    r("get", "/users", Some("admin"), "Users and roles"),
    r(
        "post",
        "/users",
        Some("admin"),
        "Add a user or change one: {name, role, password}",
    ),
    r("delete", "/users/{name}", Some("admin"), "Remove a user"),
    r(
        "get",
        "/audit",
        Some("admin"),
        "The access log, newest first: before, limit",
    ),
];

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
        let mut op = json!({
            "summary": route.summary,
            "parameters": params,
            "responses": {
                "200": {"description": "OK"},
                "400": {"description": "Malformed request (an id that is not 64 hex digits...)"},
                "401": {"description": "No session"},
                "403": {"description": "Role too low, or CSRF token missing"},
                "404": {"description": "No such item"}
            }
        });
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
        "components": {"securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::COOKIE},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"}
        }},
        "security": [{"session": [], "csrf": []}],
        "paths": paths,
    })
}
