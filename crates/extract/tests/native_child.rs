//! The decoder child, run as its own binary: members come back whole, and
//! a crash or a hang is an error on the container, never on the caller.

use std::path::{Path, PathBuf};

use leakcheck_extract::native::{DecoderCommand, Isolation, TEST_FAULT_ENV};
use leakcheck_extract::readers::rar::{RarSource, Volume};
use leakcheck_extract::{ExtractError, Flow, Member, MemberData};

fn isolation(fault: Option<&str>, max_seconds: u64) -> Isolation {
    let exe = env!("CARGO_BIN_EXE_leakcheck-decode").to_string();
    // `env` sets the fault for the child alone.
    let (program, args) = match fault {
        Some(f) => (
            PathBuf::from("/usr/bin/env"),
            vec![format!("{TEST_FAULT_ENV}={f}"), exe],
        ),
        None => (PathBuf::from(exe), vec![]),
    };
    Isolation {
        command: DecoderCommand { program, args },
        max_seconds,
    }
}

fn source(path: &Path) -> RarSource {
    RarSource {
        volumes: vec![Volume {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            path: path.to_path_buf(),
            number: 1,
        }],
        joined: false,
        missing: vec![],
        passwords: vec![],
        max_item_bytes: 1 << 30,
    }
}

fn read_all(src: &RarSource, iso: &Isolation) -> leakcheck_extract::Result<Vec<(String, Vec<u8>)>> {
    let mut got = Vec::new();
    leakcheck_extract::readers::rar::expand(src, iso, &mut |m: Member<'_>| {
        let bytes = match m.data {
            MemberData::Reader(r) => {
                let mut b = Vec::new();
                r.read_to_end(&mut b).unwrap();
                b
            }
            _ => Vec::new(),
        };
        got.push((m.name, bytes));
        Flow::Continue
    })?;
    Ok(got)
}

#[test]
fn a_crash_or_a_hang_is_the_containers_error() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.rar");
    std::fs::write(&fake, b"Rar!\x1a\x07\x00").unwrap();
    let crash = read_all(&source(&fake), &isolation(Some("crash"), 30));
    assert!(
        matches!(&crash, Err(ExtractError::Native(why)) if why == "decoder crashed: signal 11"),
        "{:?}",
        crash.map(|v| v.len())
    );
    let started = std::time::Instant::now();
    let hang = read_all(&source(&fake), &isolation(Some("hang"), 1));
    assert!(
        matches!(&hang, Err(ExtractError::Native(why)) if why == "decoder stopped after 1 s"),
        "{:?}",
        hang.map(|v| v.len())
    );
    assert!(started.elapsed().as_secs() < 10);
    // Not a RAR at all: UnRAR's answer, from a child that exits normally.
    std::fs::write(&fake, b"Rar!\x1a\x07\x00 but nothing else").unwrap();
    let bad = read_all(&source(&fake), &isolation(None, 30));
    assert!(
        matches!(bad, Err(ExtractError::Malformed { .. })),
        "{bad:?}"
    );
}

#[test]
fn a_stored_rar5_member_comes_back_whole() {
    let root = match std::env::var_os("LEAKCHECK_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    let file = root.join("archives/rar/test_read_format_rar5_stored.rar");
    if !file.exists() {
        leakcheck_core::testing::skip(&format!("{} not found", file.display()));
        return;
    }
    let got = read_all(&source(&file), &isolation(None, 30)).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "helloworld.txt");
    assert_eq!(got[0].1.len(), 29);
}
