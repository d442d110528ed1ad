//! Exports people actually have, each read into one model of posts: X
//! account archives (`tweets.js`) and the API v2 JSON lines research tools
//! write (twarc), Telegram Desktop's `result.json`, 4chan thread JSON, and
//! a plain CSV for anything else. Each reader takes the export's bytes and
//! the folder its media files are in; a post it cannot read is reported
//! with its position, and the rest are kept.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{Error, Result};

mod fourchan;
mod table;
mod telegram;
mod x;

/// A media file a post carries: where it is (when the export kept it),
/// and what the platform says of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Media {
    /// The file's name as the export gives it.
    pub name: String,
    /// The file on disk, when the export kept it.
    pub path: Option<PathBuf>,
    /// 4chan's MD5 of the file (base64), which matches even when the file
    /// itself was not kept.
    pub md5: Option<String>,
    /// Its size in bytes, when the platform says.
    pub size: Option<u64>,
}

/// One post as an export gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct RawPost {
    /// Its id on the platform.
    pub id: String,
    /// When (Unix seconds).
    pub time_unix: Option<i64>,
    /// Display name or handle.
    pub author: Option<String>,
    /// Stable author id.
    pub author_id: Option<String>,
    /// Text, markup removed.
    pub text: String,
    /// Links it carries.
    pub links: Vec<String>,
    /// Media files.
    pub media: Vec<Media>,
    /// The post it replies to, reposts or quotes (`reply`, `repost`,
    /// `quote`), by platform id.
    pub relations: Vec<(String, String)>,
}

/// What an export held.
#[derive(Debug)]
pub struct Export {
    /// `x`, `telegram`, `4chan`, `csv`.
    pub platform: &'static str,
    /// The posts read.
    pub posts: Vec<RawPost>,
    /// Posts that could not be read, with where and why.
    pub problems: Vec<String>,
}

/// Largest export file read (the JSON is parsed whole).
pub const MAX_EXPORT: u64 = 1 << 30;

/// Reads the export at `path`: a file, or a folder holding one (an X
/// archive's `data/tweets.js`, Telegram's `result.json`).
pub fn read(path: &Path) -> Result<Export> {
    let file = if path.is_dir() {
        ["data/tweets.js", "tweets.js", "result.json"]
            .iter()
            .map(|f| path.join(f))
            .find(|p| p.is_file())
            .ok_or_else(|| {
                Error::Format(
                    path.display().to_string(),
                    "no data/tweets.js or result.json in this folder".into(),
                )
            })?
    } else {
        path.to_path_buf()
    };
    let size = std::fs::metadata(&file)
        .map_err(|e| Error::Io(file.display().to_string(), e))?
        .len();
    if size > MAX_EXPORT {
        return Err(Error::Format(
            file.display().to_string(),
            format!("{size} bytes, over the {MAX_EXPORT}-byte limit for one export"),
        ));
    }
    let bytes = std::fs::read(&file).map_err(|e| Error::Io(file.display().to_string(), e))?;
    let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let bad = |why: String| Error::Format(file.display().to_string(), why);
    if name.ends_with(".csv") {
        return table::read(&bytes, &dir).map_err(bad);
    }
    let text = String::from_utf8_lossy(&bytes);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    // An X archive's files are JavaScript: `window.YTD.tweets.part0 = [...]`.
    if trimmed.starts_with("window.YTD.") {
        let json = trimmed
            .split_once('=')
            .map(|(_, j)| j)
            .ok_or_else(|| bad("an X archive file without its `= [...]`".into()))?;
        let v: Value = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        let account = x::archive_account(&dir);
        return Ok(x::archive(&v, &dir, account));
    }
    if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
        if v.get("messages").is_some_and(Value::is_array) {
            return Ok(telegram::read(&v, &dir));
        }
        if v.get("posts").is_some_and(Value::is_array) {
            return Ok(fourchan::read(&v, &dir));
        }
        if v.get("data").is_some() || v.get("text").is_some() {
            return Ok(x::v2_lines(std::iter::once((1, Ok(v)))));
        }
        return Err(bad(
            "JSON, but not an export leakcheck reads (X, Telegram, 4chan)".into(),
        ));
    }
    // JSON lines: twarc's API v2 pages or flattened tweets.
    let lines = trimmed
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            (
                i + 1,
                serde_json::from_str::<Value>(l).map_err(|e| e.to_string()),
            )
        });
    let out = x::v2_lines(lines);
    if out.posts.is_empty() {
        return Err(bad(
            "neither JSON nor JSON lines of X API v2 posts, nor a .csv".into(),
        ));
    }
    Ok(out)
}

/// A media file named by an export, if it is inside the export's folder
/// (an export naming `../../etc/passwd` gets nothing).
pub(crate) fn local(dir: &Path, name: &str) -> Option<PathBuf> {
    let rel = Path::new(name);
    if rel.is_absolute()
        || rel
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return None;
    }
    let p = dir.join(rel);
    p.is_file().then_some(p)
}

/// Text of a JSON string field, or "".
pub(crate) fn s(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A JSON field as an id: strings as they are, numbers written out.
pub(crate) fn id(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
