//! A plain CSV for any other source: `time,author,text,url,media_path`
//! (a header row with those names, in any order; `time` in RFC 3339 or
//! Unix seconds; `media_path` relative to the CSV's folder).

use std::path::Path;

use super::{Export, Media, RawPost, local};

pub fn read(bytes: &[u8], dir: &Path) -> Result<Export, String> {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = r.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(time), Some(text)) = (col("time"), col("text")) else {
        return Err("a CSV of posts needs at least `time` and `text` columns".into());
    };
    let (author, url, media, post_id) = (col("author"), col("url"), col("media_path"), col("id"));
    let mut out = Export {
        platform: "csv",
        posts: Vec::new(),
        problems: Vec::new(),
    };
    for (i, row) in r.records().enumerate() {
        let line = i + 2;
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                out.problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).map(str::trim).unwrap_or("");
        let t = get(Some(time));
        let time_unix = t.parse::<i64>().ok().or_else(|| {
            chrono::DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|d| d.timestamp())
        });
        if time_unix.is_none() && !t.is_empty() {
            out.problems.push(format!(
                "line {line}: time {t:?} is neither RFC 3339 nor Unix seconds"
            ));
        }
        let m = get(media);
        out.posts.push(RawPost {
            id: Some(get(post_id))
                .filter(|s| !s.is_empty())
                .map_or_else(|| line.to_string(), str::to_string),
            time_unix,
            author: Some(get(author))
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            author_id: None,
            text: get(Some(text)).to_string(),
            links: Some(get(url))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .into_iter()
                .collect(),
            media: if m.is_empty() {
                Vec::new()
            } else {
                vec![Media {
                    name: m.to_string(),
                    path: local(dir, m),
                    md5: None,
                    size: None,
                }]
            },
            relations: Vec::new(),
        });
    }
    Ok(out)
}
