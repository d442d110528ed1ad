//! Telegram Desktop's JSON export (`result.json`, with `photos/` and
//! `files/` beside it). A message's text is a string or a list of plain
//! strings and entities (`{"type": "link", "text": ...}`).

use std::path::Path;

use serde_json::Value;

use super::{Entry, Media, RawPost, id, local, s};

fn text_of(v: &Value) -> (String, Vec<String>) {
    match v {
        Value::String(s) => (s.clone(), Vec::new()),
        Value::Array(parts) => {
            let mut text = String::new();
            let mut links = Vec::new();
            for p in parts {
                match p {
                    Value::String(s) => text.push_str(s),
                    Value::Object(_) => {
                        let t = s(p, "text");
                        match p["type"].as_str() {
                            Some("link") => links.push(t.clone()),
                            Some("text_link") => links.push(s(p, "href")),
                            _ => {}
                        }
                        text.push_str(&t);
                    }
                    _ => {}
                }
            }
            (text, links)
        }
        _ => (String::new(), Vec::new()),
    }
}

pub fn read(v: &Value, dir: &Path) -> Vec<Entry> {
    let mut out = Vec::new();
    let channel = v["name"].as_str().map(str::to_string);
    for (i, m) in v["messages"].as_array().into_iter().flatten().enumerate() {
        if m["type"].as_str().is_some_and(|t| t != "message") {
            continue; // service messages: joins, pins
        }
        let Some(mid) = id(m, "id") else {
            out.push(Err(format!("message {}: no id", i + 1)));
            continue;
        };
        let time_unix = m["date_unixtime"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .or_else(|| {
                chrono::NaiveDateTime::parse_from_str(&s(m, "date"), "%Y-%m-%dT%H:%M:%S")
                    .ok()
                    .map(|d| d.and_utc().timestamp())
            });
        let (text, links) = text_of(&m["text"]);
        let media = ["photo", "file"]
            .iter()
            .filter_map(|k| m[*k].as_str())
            .map(|name| Media {
                name: name.to_string(),
                path: local(dir, name),
                md5: None,
                size: m["file_size"].as_u64(),
            })
            .collect();
        let mut relations = Vec::new();
        if let Some(r) = id(m, "reply_to_message_id") {
            relations.push(("reply".to_string(), r));
        }
        if let Some(f) = m["forwarded_from"].as_str() {
            relations.push(("repost".to_string(), f.to_string()));
        }
        out.push(Ok(RawPost {
            id: mid,
            time_unix,
            author: m["from"].as_str().map(str::to_string).or(channel.clone()),
            author_id: id(m, "from_id"),
            text,
            links,
            media,
            relations,
        }));
    }
    out
}
