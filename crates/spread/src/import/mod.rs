//! Exports people actually have, each read into one model of posts: X
//! account archives (`tweets.js`) and the API v2 JSON lines research tools
//! write (twarc), Telegram Desktop's `result.json`, 4chan thread JSON, and
//! a plain CSV for anything else. Each reader takes the export's bytes and
//! the folder its media files are in; a post it cannot read is reported
//! with its position, and the rest are kept.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
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

/// A post, or why one could not be read (with where).
pub type Entry = std::result::Result<RawPost, String>;

/// An export's posts, read as they are taken.
pub type Posts = Box<dyn Iterator<Item = Entry>>;

/// An export being read.
pub struct Export {
    /// `x`, `telegram`, `4chan`, `csv`.
    pub platform: &'static str,
    /// Its posts: CSV and JSON lines stream from the file, so a million
    /// posts are never in memory at once; a JSON document is parsed whole.
    pub posts: Posts,
}

/// Largest JSON document read (it is parsed whole; CSV and JSON lines
/// are read a post at a time, whatever their size).
pub const MAX_EXPORT: u64 = 1 << 30;

/// Longest line of JSON lines read (a page of 100 posts with their
/// users is well under a megabyte).
const MAX_LINE: usize = 64 << 20;

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
    let io = |e| Error::Io(file.display().to_string(), e);
    let bad = |why: String| Error::Format(file.display().to_string(), why);
    let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".csv") {
        return Ok(Export {
            platform: "csv",
            posts: table::read(&file, &dir).map_err(bad)?,
        });
    }
    // The first line tells JSON lines (each line a whole value) from a
    // JSON document (a value over many lines, or one line holding all).
    let mut lines = LineReader::open(&file).map_err(io)?;
    let first = lines.next_value();
    if let Some((_, Ok(v))) = &first
        && !is_document(v)
    {
        if v.get("data").is_none() && v.get("text").is_none() {
            return Err(bad(
                "JSON, but not an export leakcheck reads (X, Telegram, 4chan)".into(),
            ));
        }
        let posts = first
            .into_iter()
            .chain(std::iter::from_fn(move || lines.next_value()))
            .flat_map(|(line, v)| match v {
                Ok(v) => x::v2_line(line, &v),
                Err(e) => vec![Err(format!("line {line}: {e}"))],
            });
        return Ok(Export {
            platform: "x",
            posts: Box::new(posts),
        });
    }
    let size = std::fs::metadata(&file).map_err(io)?.len();
    if size > MAX_EXPORT {
        return Err(bad(format!(
            "{size} bytes, over the {MAX_EXPORT}-byte limit for one JSON document"
        )));
    }
    let bytes = std::fs::read(&file).map_err(io)?;
    let text = String::from_utf8_lossy(&bytes);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let (platform, posts) = if trimmed.starts_with("window.YTD.") {
        // An X archive's files are JavaScript: `window.YTD.tweets.part0 = [...]`.
        let json = trimmed
            .split_once('=')
            .map(|(_, j)| j)
            .ok_or_else(|| bad("an X archive file without its `= [...]`".into()))?;
        let v: Value = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        ("x", x::archive(&v, &dir, x::archive_account(&dir)))
    } else {
        let v: Value = serde_json::from_str(trimmed).map_err(|_| {
            bad("neither a JSON document, nor JSON lines of X API v2 posts, nor a .csv".into())
        })?;
        if v.get("messages").is_some_and(Value::is_array) {
            ("telegram", telegram::read(&v, &dir))
        } else if v.get("posts").is_some_and(Value::is_array) {
            ("4chan", fourchan::read(&v, &dir))
        } else if v.get("data").is_some() || v.get("text").is_some() {
            ("x", x::v2_line(1, &v))
        } else {
            return Err(bad(
                "JSON, but not an export leakcheck reads (X, Telegram, 4chan)".into(),
            ));
        }
    };
    Ok(Export {
        platform,
        posts: Box::new(posts.into_iter()),
    })
}

/// Whether a value is a whole export of its own (Telegram's messages,
/// a 4chan thread) rather than one line of X API v2.
fn is_document(v: &Value) -> bool {
    v.get("messages").is_some_and(Value::is_array) || v.get("posts").is_some_and(Value::is_array)
}

/// The non-empty lines of a file as JSON values, each with its line
/// number; a line over [`MAX_LINE`] is reported, not read.
struct LineReader {
    file: BufReader<File>,
    line: usize,
    buf: Vec<u8>,
    /// A read failed: nothing more is read.
    failed: bool,
}

impl LineReader {
    fn open(path: &Path) -> std::io::Result<LineReader> {
        Ok(LineReader {
            file: BufReader::new(File::open(path)?),
            line: 0,
            buf: Vec::new(),
            failed: false,
        })
    }

    /// Reads up to `limit` bytes of the current line into `buf`: false at
    /// the end of the file.
    fn fill(&mut self, limit: usize) -> std::io::Result<bool> {
        self.buf.clear();
        let n = (&mut self.file)
            .take(limit as u64)
            .read_until(b'\n', &mut self.buf)?;
        Ok(n > 0)
    }

    /// The next non-empty line, parsed; None at the end. A read error is
    /// that line's problem, and the last.
    fn next_value(&mut self) -> Option<(usize, std::result::Result<Value, String>)> {
        while !self.failed {
            self.line += 1;
            match self.fill(MAX_LINE + 1) {
                Ok(false) => return None,
                Ok(true) if self.buf.len() > MAX_LINE => {
                    while !self.buf.ends_with(b"\n") && matches!(self.fill(1 << 20), Ok(true)) {}
                    return Some((self.line, Err(format!("over {MAX_LINE} bytes: not read"))));
                }
                Ok(true) => {}
                Err(e) => {
                    self.failed = true;
                    return Some((self.line, Err(e.to_string())));
                }
            }
            let text = String::from_utf8_lossy(&self.buf);
            let text = text.trim_start_matches('\u{feff}').trim();
            if !text.is_empty() {
                return Some((
                    self.line,
                    serde_json::from_str(text).map_err(|e| e.to_string()),
                ));
            }
        }
        None
    }
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
