//! A plain CSV for any other source: `time,author,text,url,media_path`
//! (a header row with those names, in any order; `time` in RFC 3339 or
//! Unix seconds; `media_path` relative to the CSV's folder). Read a row at
//! a time: a CSV is how a million posts come.

use std::path::Path;

use super::{Entry, Media, Posts, RawPost, local};

/// Where each field is in a row.
struct Columns {
    time: usize,
    text: usize,
    author: Option<usize>,
    url: Option<usize>,
    media: Option<usize>,
    id: Option<usize>,
}

pub fn read(file: &Path, dir: &Path) -> Result<Posts, String> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .map_err(|e| e.to_string())?;
    let headers = r.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(time), Some(text)) = (col("time"), col("text")) else {
        return Err("a CSV of posts needs at least `time` and `text` columns".into());
    };
    let cols = Columns {
        time,
        text,
        author: col("author"),
        url: col("url"),
        media: col("media_path"),
        id: col("id"),
    };
    let dir = dir.to_path_buf();
    Ok(Box::new(r.into_records().enumerate().flat_map(
        move |(i, row)| -> Vec<Entry> {
            let line = i + 2;
            match row {
                Ok(row) => post(&row, line, &cols, &dir),
                Err(e) => vec![Err(format!("line {line}: {e}"))],
            }
        },
    )))
}

/// A row's post, and a problem with its time if it has one.
fn post(row: &csv::StringRecord, line: usize, c: &Columns, dir: &Path) -> Vec<Entry> {
    let mut out = Vec::new();
    let get = |c: Option<usize>| c.and_then(|c| row.get(c)).map(str::trim).unwrap_or("");
    let t = get(Some(c.time));
    let time_unix = t.parse::<i64>().ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|d| d.timestamp())
    });
    if time_unix.is_none() && !t.is_empty() {
        out.push(Err(format!(
            "line {line}: time {t:?} is neither RFC 3339 nor Unix seconds"
        )));
    }
    let m = get(c.media);
    out.push(Ok(RawPost {
        id: Some(get(c.id))
            .filter(|s| !s.is_empty())
            .map_or_else(|| line.to_string(), str::to_string),
        time_unix,
        author: Some(get(c.author))
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        author_id: None,
        text: get(Some(c.text)).to_string(),
        links: Some(get(c.url))
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
    }));
    out
}
