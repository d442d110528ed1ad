//! Tar archives (ustar, GNU, pax), read as a stream.

use std::io::Read;

use serde_json::json;

use crate::{ExtractError, Flow, Listing, Member, MemberData, Result, Sink};

/// Reads every regular file of a tar stream and hands it to `sink`.
/// Tar has no directory, so `expected` is the number of files found.
pub fn expand<R: Read>(reader: R, sink: &mut dyn Sink) -> Result<Listing> {
    let mut archive = tar::Archive::new(reader);
    let entries = archive
        .entries()
        .map_err(|e| ExtractError::malformed("tar", e))?;
    let (mut files, mut skipped) = (0u64, 0u64);
    let mut warning = None;
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                warning = Some(format!("tar is broken after {files} files: {e}"));
                break;
            }
        };
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse()) {
            skipped += 1;
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let size = entry.header().size().ok();
        let mtime = entry.header().mtime().ok();
        let flow = sink.member(Member {
            name,
            index: files,
            declared_size: size,
            compressed_size: None,
            extra: mtime.map(|m| json!({"mtime": m})),
            data: MemberData::Reader(&mut entry),
        });
        files += 1;
        if flow == Flow::Stop {
            warning = Some("stopped early: a limit was reached".into());
            break;
        }
    }
    Ok(Listing {
        expected: files,
        detail: Some(json!({"non_file_entries": skipped})),
        warning,
    })
}
