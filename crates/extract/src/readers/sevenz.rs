//! 7z archives, AES-encrypted ones opened with the passwords given.

use std::io::{Read, Seek, SeekFrom};

use serde_json::json;
use sevenz_rust2::{ArchiveReader, Error as SevenZError, Password};

use crate::{ExtractError, Flow, Listing, Member, MemberData, Result, Sink};

/// Reads every file of a 7z archive and hands it to `sink`. When the
/// headers or the data are encrypted, each of `passwords` is tried; the
/// one that opened it is in the detail.
pub fn expand<R: Read + Seek>(
    mut reader: R,
    passwords: &[String],
    sink: &mut dyn Sink,
) -> Result<Listing> {
    let mut password: Option<usize> = None;
    let mut archive = match ArchiveReader::new(&mut reader, Password::empty()) {
        Ok(a) => a,
        Err(e) if is_password(&e) => {
            // The file names themselves are encrypted.
            let opened = passwords.iter().position(|p| {
                reader.seek(SeekFrom::Start(0)).is_ok()
                    && ArchiveReader::new(&mut reader, Password::from(p.as_str())).is_ok()
            });
            let Some(p) = opened else {
                return Err(ExtractError::malformed(
                    "7z",
                    if passwords.is_empty() {
                        "its file names are encrypted: a password is needed to list it"
                    } else {
                        "its file names are encrypted and none of the passwords given opens it"
                    },
                ));
            };
            password = Some(p);
            reader.seek(SeekFrom::Start(0))?;
            ArchiveReader::new(&mut reader, Password::from(passwords[p].as_str()))
                .map_err(|e| ExtractError::malformed("7z", e))?
        }
        Err(e) => return Err(ExtractError::malformed("7z", e)),
    };
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
    let encrypted: Vec<bool> = files
        .iter()
        .map(|(i, ..)| archive.archive().is_file_encrypted(*i as usize))
        .collect();
    if password.is_none() && encrypted.contains(&true) && !passwords.is_empty() {
        // Encrypted data: find the password that decodes every file first.
        drop(archive);
        if let Some(p) = data_password(&mut reader, passwords) {
            password = Some(p);
        }
        reader.seek(SeekFrom::Start(0))?;
        let pw = password.map_or(Password::empty(), |p| Password::from(passwords[p].as_str()));
        archive =
            ArchiveReader::new(&mut reader, pw).map_err(|e| ExtractError::malformed("7z", e))?;
        archive.set_thread_count(1);
    }
    // Without a password, encrypted files are recorded, not decoded.
    let locked = if password.is_none() {
        encrypted
    } else {
        vec![false; files.len()]
    };
    let no_password = if passwords.is_empty() {
        "encrypted member: a password is needed to read it"
    } else {
        "encrypted member: none of the passwords given opens it"
    };
    let mut seen = 0usize;
    let mut stopped = false;
    let result = archive.for_each_entries(|entry, data| {
        if entry.is_directory() {
            return Ok(true);
        }
        let (index, name, size) = files.get(seen).cloned().unwrap_or_default();
        let locked = locked.get(seen).copied().unwrap_or(false);
        seen += 1;
        let flow = sink.member(Member {
            name,
            index,
            declared_size: Some(size),
            compressed_size: None,
            extra: locked.then(|| json!({"encrypted": true})),
            data: if locked {
                MemberData::Unreadable(no_password.into())
            } else {
                MemberData::Reader(data)
            },
        });
        stopped = flow == Flow::Stop;
        Ok(!stopped)
    });
    let mut warning = None;
    if let Err(e) = result {
        // Members after a broken block can't be decoded: record each one.
        let why = if is_password(&e) {
            no_password.to_string()
        } else {
            format!("7z: {e}")
        };
        for (index, name, size) in files.iter().skip(seen).cloned() {
            sink.member(Member {
                name,
                index,
                declared_size: Some(size),
                compressed_size: None,
                extra: None,
                data: MemberData::Unreadable(why.clone()),
            });
        }
        if !why.starts_with("encrypted") {
            warning = Some(format!("7z decoding failed after {seen} files: {e}"));
        }
    } else if stopped {
        warning = Some("stopped early: a limit was reached".into());
    }
    let mut detail = json!({"files": files.len()});
    if let Some(p) = password {
        detail["password"] = json!(passwords[p]);
    }
    Ok(Listing {
        expected: files.len() as u64,
        detail: Some(detail),
        warning,
    })
}

/// The first password with which every entry decodes.
fn data_password<R: Read + Seek>(reader: &mut R, passwords: &[String]) -> Option<usize> {
    passwords.iter().position(|p| {
        if reader.seek(SeekFrom::Start(0)).is_err() {
            return false;
        }
        let Ok(mut a) = ArchiveReader::new(&mut *reader, Password::from(p.as_str())) else {
            return false;
        };
        a.set_thread_count(1);
        a.for_each_entries(|_, data| {
            std::io::copy(data, &mut std::io::sink())?;
            Ok(true)
        })
        .is_ok()
    })
}

fn is_password(e: &SevenZError) -> bool {
    matches!(
        e,
        SevenZError::PasswordRequired | SevenZError::MaybeBadPassword(_)
    )
}
