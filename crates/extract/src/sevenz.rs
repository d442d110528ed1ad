//! 7z archives. Encrypted archives are recorded as such (no password is tried).

use std::io::{Read, Seek};

use serde_json::json;
use sevenz_rust2::{ArchiveReader, Password};

use crate::{ExtractError, Flow, Listing, Member, MemberData, Result, Sink};

/// Reads every file of a 7z archive and hands it to `sink`.
pub fn expand<R: Read + Seek>(reader: R, sink: &mut dyn Sink) -> Result<Listing> {
    let mut archive = ArchiveReader::new(reader, Password::empty())
        .map_err(|e| ExtractError::malformed("7z", e))?;
    // leakcheck already runs one item per core.
    archive.set_thread_count(1);
    let files: Vec<(u64, String, u64)> = archive
        .archive()
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.is_directory())
        .map(|(i, f)| (i as u64, f.name().to_string(), f.size()))
        .collect();
    let mut seen = 0usize;
    let mut stopped = false;
    let result = archive.for_each_entries(|entry, data| {
        if entry.is_directory() {
            return Ok(true);
        }
        let (index, name, size) = files.get(seen).cloned().unwrap_or_default();
        seen += 1;
        let flow = sink.member(Member {
            name,
            index,
            declared_size: Some(size),
            compressed_size: None,
            extra: None,
            data: MemberData::Reader(data),
        });
        stopped = flow == Flow::Stop;
        Ok(!stopped)
    });
    let mut warning = None;
    if let Err(e) = result {
        // Members after a broken block can't be decoded: record each one.
        for (index, name, size) in files.iter().skip(seen).cloned() {
            sink.member(Member {
                name,
                index,
                declared_size: Some(size),
                compressed_size: None,
                extra: None,
                data: MemberData::Unreadable(format!("7z: {e}")),
            });
        }
        warning = Some(format!("7z decoding failed after {seen} files: {e}"));
    } else if stopped {
        warning = Some("stopped early: a limit was reached".into());
    }
    Ok(Listing {
        expected: files.len() as u64,
        detail: Some(json!({"files": files.len()})),
        warning,
    })
}
