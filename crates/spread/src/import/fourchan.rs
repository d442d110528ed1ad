//! 4chan thread JSON, the public API's format: `posts` with `com` (HTML),
//! and for an attached file `filename`, `ext`, `tim` (the stored name),
//! `fsize` and `md5` (base64 of the file's MD5). The file is looked for
//! beside the JSON as `<tim><ext>` or `<filename><ext>`; its MD5 matches
//! the dump even when it was not kept.

use std::path::Path;

use leakcheck_core::Kind;
use leakcheck_extract::doc::{self, DocLimits};
use serde_json::Value;

use super::{Entry, Media, RawPost, id, local, s};

/// A comment's HTML as text (`<br>` as line breaks, entities decoded).
fn text_of(html: &str) -> String {
    if html.is_empty() {
        return String::new();
    }
    let spaced = html.replace("<br>", "\n");
    doc::extract(Kind::Html, spaced.as_bytes(), &DocLimits::default())
        .map(|x| x.text.trim().to_string())
        .unwrap_or_else(|_| spaced)
}

pub fn read(v: &Value, dir: &Path) -> Vec<Entry> {
    let mut out = Vec::new();
    for (i, p) in v["posts"].as_array().into_iter().flatten().enumerate() {
        let Some(no) = id(p, "no") else {
            out.push(Err(format!("post {}: no `no`", i + 1)));
            continue;
        };
        let mut media = Vec::new();
        let ext = s(p, "ext");
        if !ext.is_empty() {
            let stored = id(p, "tim").map(|t| format!("{t}{ext}"));
            let original = format!("{}{ext}", s(p, "filename"));
            let path = stored
                .as_deref()
                .and_then(|n| local(dir, n))
                .or_else(|| local(dir, &original));
            media.push(Media {
                name: original,
                path,
                md5: p["md5"].as_str().map(str::to_string),
                size: p["fsize"].as_u64(),
            });
        }
        let mut relations = Vec::new();
        if let Some(r) = id(p, "resto").filter(|r| r != "0") {
            relations.push(("reply".to_string(), r));
        }
        let text = text_of(&s(p, "com"));
        let links = text
            .split_whitespace()
            .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
            .map(str::to_string)
            .collect();
        out.push(Ok(RawPost {
            id: no,
            time_unix: p["time"].as_i64(),
            // Anonymous boards: the poster id (per thread) tells posters apart.
            author: p["name"].as_str().map(str::to_string),
            author_id: id(p, "id"),
            text,
            links,
            media,
            relations,
        }));
    }
    out
}
