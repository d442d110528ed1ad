//! X (Twitter): account archives (`data/tweets.js`, media in
//! `data/tweets_media/` named `<tweet id>-<file>`) and API v2 JSON
//! (one response page or one flattened tweet per line, as twarc writes).

use std::path::Path;

use serde_json::Value;

use super::{Entry, Media, RawPost, id, local, s};

/// The archive's own account (`data/account.js`): every post of
/// `tweets.js` is by it.
pub fn archive_account(dir: &Path) -> (Option<String>, Option<String>) {
    let Ok(text) = std::fs::read_to_string(dir.join("account.js")) else {
        return (None, None);
    };
    let json = text.split_once('=').map(|(_, j)| j).unwrap_or_default();
    let v: Value = serde_json::from_str(json).unwrap_or(Value::Null);
    let a = &v[0]["account"];
    (
        a.get("username")
            .and_then(Value::as_str)
            .map(str::to_string),
        id(a, "accountId"),
    )
}

/// `Wed Apr 05 12:00:00 +0000 2017`, the archive's date form.
fn archive_time(v: &str) -> Option<i64> {
    chrono::DateTime::parse_from_str(v, "%a %b %d %H:%M:%S %z %Y")
        .ok()
        .map(|d| d.timestamp())
}

fn rfc3339(v: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(v)
        .ok()
        .map(|d| d.timestamp())
}

fn urls(entities: &Value) -> Vec<String> {
    entities["urls"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| {
            u.get("expanded_url")
                .or_else(|| u.get("url"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect()
}

pub fn archive(v: &Value, dir: &Path, account: (Option<String>, Option<String>)) -> Vec<Entry> {
    let mut out = Vec::new();
    let media_dir = dir.join("tweets_media");
    let files: Vec<String> = std::fs::read_dir(&media_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for (i, entry) in v.as_array().into_iter().flatten().enumerate() {
        let t = entry.get("tweet").unwrap_or(entry);
        let Some(tid) = id(t, "id_str").or_else(|| id(t, "id")) else {
            out.push(Err(format!("tweets.js entry {}: no id_str", i + 1)));
            continue;
        };
        let text = t
            .get("full_text")
            .or_else(|| t.get("text"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut relations = Vec::new();
        if let Some(r) = id(t, "in_reply_to_status_id_str") {
            relations.push(("reply".to_string(), r));
        }
        if let Some(q) = id(t, "quoted_status_id_str") {
            relations.push(("quote".to_string(), q));
        }
        // Archives write a repost as "RT @author: text".
        if let Some(rest) = text.strip_prefix("RT @")
            && let Some((who, _)) = rest.split_once(':')
        {
            relations.push(("repost".to_string(), format!("@{who}")));
        }
        // Files kept by the archive for this tweet: `<id>-<name>`.
        let prefix = format!("{tid}-");
        let media = files
            .iter()
            .filter(|f| f.starts_with(&prefix))
            .map(|f| Media {
                name: f.clone(),
                path: local(&media_dir, f),
                md5: None,
                size: None,
            })
            .collect();
        out.push(Ok(RawPost {
            id: tid,
            time_unix: archive_time(&s(t, "created_at")),
            author: account.0.clone(),
            author_id: account.1.clone(),
            text,
            links: urls(&t["entities"]),
            media,
            relations,
        }));
    }
    out
}

/// One line of API v2 JSON: a response page (`data` with `includes.users`)
/// or one tweet (flattened: its `author` inside).
pub fn v2_line(line: usize, v: &Value) -> Vec<Entry> {
    let mut out = Vec::new();
    let users: Vec<&Value> = v["includes"]["users"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let tweets: Vec<&Value> = match &v["data"] {
        Value::Array(a) => a.iter().collect(),
        Value::Object(_) => vec![&v["data"]],
        _ if v.get("text").is_some() => vec![v],
        _ => {
            out.push(Err(format!(
                "line {line}: neither a page of posts nor a post"
            )));
            return out;
        }
    };
    for t in tweets {
        let Some(tid) = id(t, "id") else {
            out.push(Err(format!("line {line}: a post without id")));
            continue;
        };
        let author_id = id(t, "author_id");
        let author = t["author"]["username"]
            .as_str()
            .map(str::to_string)
            .or_else(|| {
                users
                    .iter()
                    .find(|u| id(u, "id") == author_id)
                    .and_then(|u| u["username"].as_str().map(str::to_string))
            });
        let relations = t["referenced_tweets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let kind = match r["type"].as_str()? {
                    "replied_to" => "reply",
                    "retweeted" => "repost",
                    "quoted" => "quote",
                    _ => return None,
                };
                Some((kind.to_string(), id(r, "id")?))
            })
            .collect();
        out.push(Ok(RawPost {
            id: tid,
            time_unix: rfc3339(&s(t, "created_at")),
            author,
            author_id,
            text: s(t, "text"),
            links: urls(&t["entities"]),
            // API v2 gives media as URLs only: nothing local to compare.
            media: Vec::new(),
            relations,
        }));
    }
    out
}
