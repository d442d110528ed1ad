//! Zip archives (including zip64), with recovery of truncated archives from
//! their local headers.

use std::io::{Read, Seek, SeekFrom};

use leakcheck_core::Kind;
use serde_json::json;
use zip::ZipArchive;

use crate::{ExtractError, Flow, Listing, Member, MemberData, Result, Sink};

/// Reads every file member of a zip and hands it to `sink`. Encrypted
/// members (ZipCrypto or AES) are tried with each of `passwords`; the ones
/// that opened something are listed in the detail.
pub fn expand<R: Read + Seek>(
    mut reader: R,
    passwords: &[String],
    sink: &mut dyn Sink,
) -> Result<Listing> {
    let mut archive = match ZipArchive::new(&mut reader) {
        Ok(a) => a,
        Err(e) => {
            let cause = e.to_string();
            reader.seek(SeekFrom::Start(0))?;
            return recover(&mut reader, &cause, sink);
        }
    };
    let (mut files, mut dirs, mut encrypted) = (0u64, 0u64, 0u64);
    let mut used: Vec<usize> = Vec::new();
    for i in 0..archive.len() {
        let (name, is_dir, is_encrypted, size, csize) = match archive.by_index_raw(i) {
            Ok(f) => (
                member_name(f.name_raw(), f.name().ok().as_deref()),
                f.is_dir(),
                f.encrypted(),
                f.size(),
                f.compressed_size(),
            ),
            Err(e) => {
                files += 1;
                let flow = sink.member(Member {
                    name: format!("entry {i}"),
                    index: i as u64,
                    declared_size: None,
                    compressed_size: None,
                    extra: None,
                    data: MemberData::Unreadable(format!(
                        "central directory entry unreadable: {e}"
                    )),
                });
                if flow == Flow::Stop {
                    break;
                }
                continue;
            }
        };
        if is_dir {
            dirs += 1;
            continue;
        }
        files += 1;
        let password = if is_encrypted {
            encrypted += 1;
            find_password(&mut archive, i, passwords, &used)
        } else {
            None
        };
        let flow = if let Some(p) = password {
            if !used.contains(&p) {
                used.push(p);
            }
            match archive.by_index_decrypt(i, passwords[p].as_bytes()) {
                Ok(mut f) => sink.member(Member {
                    name,
                    index: i as u64,
                    declared_size: Some(size),
                    compressed_size: Some(csize),
                    extra: Some(json!({"encrypted": true})),
                    data: MemberData::Reader(&mut f),
                }),
                Err(e) => sink.member(Member {
                    name,
                    index: i as u64,
                    declared_size: Some(size),
                    compressed_size: Some(csize),
                    extra: Some(json!({"encrypted": true})),
                    data: MemberData::Unreadable(e.to_string()),
                }),
            }
        } else if is_encrypted {
            sink.member(Member {
                name,
                index: i as u64,
                declared_size: Some(size),
                compressed_size: Some(csize),
                extra: Some(json!({"encrypted": true})),
                data: MemberData::Unreadable(if passwords.is_empty() {
                    "encrypted member: a password is needed to read it".into()
                } else {
                    "encrypted member: none of the passwords given opens it".into()
                }),
            })
        } else {
            match archive.by_index(i) {
                Ok(mut f) => sink.member(Member {
                    name,
                    index: i as u64,
                    declared_size: Some(size),
                    compressed_size: Some(csize),
                    extra: None,
                    data: MemberData::Reader(&mut f),
                }),
                Err(e) => sink.member(Member {
                    name,
                    index: i as u64,
                    declared_size: Some(size),
                    compressed_size: Some(csize),
                    extra: None,
                    data: MemberData::Unreadable(e.to_string()),
                }),
            }
        };
        if flow == Flow::Stop {
            break;
        }
    }
    let mut detail = json!({"entries": archive.len(), "directories": dirs, "encrypted": encrypted});
    if !used.is_empty() {
        detail["passwords"] = json!(used.iter().map(|&p| &passwords[p]).collect::<Vec<_>>());
    }
    Ok(Listing {
        expected: files,
        detail: Some(detail),
        warning: None,
    })
}

/// The first password that decrypts member `i` whole (ZipCrypto's one-byte
/// check lets about one wrong password in 256 through, so the member is
/// read to the end, CRC or AES authentication included); passwords that
/// opened earlier members are tried first.
fn find_password<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    i: usize,
    passwords: &[String],
    used: &[usize],
) -> Option<usize> {
    let order = used
        .iter()
        .copied()
        .chain((0..passwords.len()).filter(|p| !used.contains(p)));
    for p in order {
        let Ok(mut f) = archive.by_index_decrypt(i, passwords[p].as_bytes()) else {
            continue;
        };
        if std::io::copy(&mut f, &mut std::io::sink()).is_ok() {
            return Some(p);
        }
    }
    None
}

/// Walks local headers when the central directory is missing (a truncated
/// download, typically), so the members before the cut are not lost.
fn recover<R: Read>(reader: &mut R, cause: &str, sink: &mut dyn Sink) -> Result<Listing> {
    let mut index = 0u64;
    let mut stopped_by = None;
    loop {
        match zip::read::read_zipfile_from_stream(reader) {
            Ok(Some(mut f)) => {
                let name = member_name(f.name_raw(), f.name().ok().as_deref());
                if f.is_dir() {
                    continue;
                }
                let (size, csize) = (f.size(), f.compressed_size());
                let flow = sink.member(Member {
                    name,
                    index,
                    declared_size: Some(size),
                    compressed_size: Some(csize),
                    extra: Some(json!({"recovered_from_local_header": true})),
                    data: MemberData::Reader(&mut f),
                });
                index += 1;
                if flow == Flow::Stop {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                stopped_by = Some(e.to_string());
                break;
            }
        }
    }
    if index == 0 {
        return Err(ExtractError::malformed(
            "zip",
            format!("not a readable zip: {cause}"),
        ));
    }
    Ok(Listing {
        expected: index,
        detail: Some(json!({"central_directory": "unreadable", "recovered_members": index})),
        warning: Some(format!(
            "central directory unreadable ({cause}); {index} members recovered from local headers{}",
            stopped_by
                .map(|e| format!(", then: {e}"))
                .unwrap_or_default()
        )),
    })
}

fn member_name(raw: &[u8], decoded: Option<&str>) -> String {
    match decoded {
        Some(s) => s.to_string(),
        None => String::from_utf8_lossy(raw).into_owned(),
    }
}

/// Tells office documents (which are zips) from plain archives.
pub fn refine<R: Read + Seek>(reader: R) -> Kind {
    let Ok(mut archive) = ZipArchive::new(reader) else {
        return Kind::Zip;
    };
    let has = |a: &ZipArchive<R>, n: &str| a.index_for_name(n).is_some();
    if has(&archive, "[Content_Types].xml") {
        if has(&archive, "word/document.xml") {
            return Kind::Docx;
        }
        if has(&archive, "xl/workbook.xml") {
            return Kind::Xlsx;
        }
        if has(&archive, "ppt/presentation.xml") {
            return Kind::Pptx;
        }
    }
    if let Ok(mut f) = archive.by_name("mimetype") {
        let mut m = String::new();
        if (&mut f).take(100).read_to_string(&mut m).is_ok() {
            match m.trim() {
                "application/vnd.oasis.opendocument.text" => return Kind::Odt,
                "application/vnd.oasis.opendocument.spreadsheet" => return Kind::Ods,
                "application/vnd.oasis.opendocument.presentation" => return Kind::Odp,
                _ => {}
            }
        }
    }
    Kind::Zip
}
