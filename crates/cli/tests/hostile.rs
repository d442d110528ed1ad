//! Hostile dumps: each bad input is recorded as an error or handled, nothing is
//! written outside the case, and the run always finishes.

use std::fs;
use std::io::Write;
use std::path::Path;

use leakcheck_store::Case;

use crate::util::{demo, files_below, ingest, lc, mail, stats, zip_of};

/// Runs ingest on `dump` and checks the invariants every hostile run must keep.
fn survive(dir: &Path, dump: &Path) -> leakcheck_store::Stats {
    let (case, run) = ingest(dir, &[dump]);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    // Nothing outside the case and the dump.
    let mut top: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["case", "dump"]);
    let case_store = Case::open(&case).unwrap();
    assert_eq!(
        case_store.blobs().temp_count().unwrap(),
        0,
        "no temp files left"
    );
    let s = stats(&case);
    assert_eq!(s.files_seen, s.items + s.duplicates + s.errors);
    s
}

fn problems(dir: &Path) -> String {
    lc(["errors".as_ref(), dir.join("case").as_os_str()]).stdout
}

#[test]
fn zip_bomb_is_stopped_by_the_ratio_limit() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir(&dump).unwrap();
    let zeros = vec![0u8; 100 << 20];
    let bomb = zip_of(&[("zeros.bin", &zeros), ("note.txt", b"still read")]);
    assert!(bomb.len() < 1 << 20, "a real bomb: {} bytes", bomb.len());
    fs::write(dump.join("bomb.zip"), bomb).unwrap();
    let s = survive(dir.path(), &dump);
    assert_eq!(s.errors, 1, "{s:?}");
    assert!(
        problems(dir.path()).contains("decompression bomb"),
        "{}",
        problems(dir.path())
    );
    assert_eq!(
        s.by_kind.get("text"),
        Some(&1),
        "the member after the bomb is still read"
    );
    let stored: u64 = files_below(&dir.path().join("case/blobs"))
        .iter()
        .map(|f| f.metadata().unwrap().len())
        .sum();
    assert!(stored < 2 << 20, "the bomb was not stored: {stored} bytes");
}

#[test]
fn zip_that_holds_itself_by_name_stops_at_max_depth() {
    // dump.zip ⊃ dump.zip ⊃ dump.zip ... 20 levels: deeper than max_depth (12).
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir(&dump).unwrap();
    let mut z = zip_of(&[("core.eml", mail(0, "bottom").as_bytes())]);
    for _ in 0..20 {
        z = zip_of(&[("dump.zip", &z)]);
    }
    fs::write(dump.join("dump.zip"), z).unwrap();
    let s = survive(dir.path(), &dump);
    let p = problems(dir.path());
    assert!(p.contains("max_depth is 12"), "{p}");
    assert_eq!(s.emails, 0, "the bottom is beyond the limit");
    assert_eq!(s.item_errors, 1);
}

#[test]
fn a_container_seen_twice_is_opened_once() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir(&dump).unwrap();
    let inner = zip_of(&[
        ("a.eml", mail(1, "a").as_bytes()),
        ("b.eml", mail(2, "b").as_bytes()),
    ]);
    fs::write(dump.join("inner.zip"), &inner).unwrap();
    fs::write(
        dump.join("outer.zip"),
        zip_of(&[("copy/inner.zip", &inner), ("again/inner.zip", &inner)]),
    )
    .unwrap();
    let s = survive(dir.path(), &dump);
    // 2 top files + 2 members of outer + 2 members of inner (once).
    assert_eq!((s.files_seen, s.items, s.duplicates), (6, 4, 2), "{s:?}");
}

#[test]
fn truncated_zip_keeps_what_precedes_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir(&dump).unwrap();
    let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let z = zip_of(&[
        ("first.eml", mail(1, "first").as_bytes()),
        ("second.bin", &big),
        ("third.txt", b"3"),
    ]);
    fs::write(dump.join("cut.zip"), &z[..z.len() / 2]).unwrap();
    fs::write(
        dump.join("garbage.zip"),
        b"PK\x03\x04 this is not a zip at all",
    )
    .unwrap();
    let s = survive(dir.path(), &dump);
    assert_eq!(s.emails, 1, "the first member is recovered");
    assert!(s.errors >= 1, "the cut member is an error: {s:?}");
    let p = problems(dir.path());
    assert!(p.contains("central directory unreadable"), "{p}");
    assert!(p.contains("not a readable zip"), "{p}");
}

#[test]
fn huge_header_line_and_invalid_utf8_are_handled() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir(&dump).unwrap();
    let long = format!(
        "From: a@example.org\r\nSubject: {}\r\n\r\nbody\r\n",
        "x".repeat(1 << 20)
    );
    fs::write(dump.join("long-header.eml"), long).unwrap();
    let mut bad = b"From: \xff\xfe <bad@example.org>\r\nSubject: caf\xe9 \xc3\x28\r\nTo: x@example.org\r\n\r\n\xff body\r\n".to_vec();
    bad.extend_from_slice(b"\r\n");
    fs::write(dump.join("bad-utf8.eml"), &bad).unwrap();
    // A file name that is not UTF-8.
    use std::os::unix::ffi::OsStrExt;
    fs::write(
        dump.join(std::ffi::OsStr::from_bytes(b"na\xefme.eml")),
        mail(5, "x"),
    )
    .unwrap();
    // A zip member name that is not UTF-8: patch the bytes of an ASCII name.
    let mut z = zip_of(&[("NAMEXX.txt", b"content")]);
    while let Some(at) = z.windows(6).position(|w| w == b"NAMEXX") {
        z[at..at + 6].copy_from_slice(b"n\xff\xfe\x00m/");
    }
    fs::write(dump.join("names.zip"), z).unwrap();
    // A line of 3 MB with no newline inside an mbox.
    let mut mbox = b"From x@y Mon Jan  1 00:00:00 2001\nFrom: x@y\nSubject: long\n\n".to_vec();
    mbox.extend(std::iter::repeat_n(b'y', 3 << 20));
    mbox.extend_from_slice(
        b"\n\nFrom x@y Mon Jan  1 00:00:01 2001\nFrom: x@y\nSubject: next\n\nhi\n",
    );
    fs::write(dump.join("long-line.mbox"), mbox).unwrap();
    let s = survive(dir.path(), &dump);
    assert_eq!(s.emails, 5, "{s:?}");
    assert_eq!(s.errors, 0, "{}", problems(dir.path()));
    let case = Case::open(&dir.path().join("case")).unwrap();
    let rows = case
        .catalog()
        .unwrap()
        .list(Some("email"), None, 100, 0)
        .unwrap();
    assert!(
        rows.iter()
            .any(|r| r.subject.as_deref().is_some_and(|s| s.len() >= 1 << 20))
    );
    assert!(rows.iter().any(|r| r.subject.as_deref() == Some("next")));
}

#[test]
fn path_traversal_names_write_nothing_outside() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir(&dump).unwrap();
    let z = zip_of(&[
        ("../../etc/passwd", b"root:x:0:0:evil"),
        ("/abs/path.txt", b"abs"),
        ("ok.txt", b"ok"),
    ]);
    fs::write(dump.join("evil.zip"), z).unwrap();
    let mut tar = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(4);
    h.set_mode(0o644);
    h.as_old_mut().name[..17].copy_from_slice(b"../../../tmp/pwn\0");
    h.set_cksum();
    tar.append(&h, &b"pwn!"[..]).unwrap();
    fs::write(dump.join("evil.tar"), tar.into_inner().unwrap()).unwrap();
    let s = survive(dir.path(), &dump);
    assert_eq!(s.errors, 0);
    assert_eq!(s.files_seen, 2 + 3 + 1);
    let case = Case::open(&dir.path().join("case")).unwrap();
    let shown = case.catalog().unwrap().list(None, None, 100, 0).unwrap();
    assert!(
        shown
            .iter()
            .any(|r| r.path.ends_with("evil.zip ! ../../etc/passwd")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|r| r.path.ends_with("evil.tar ! ../../../tmp/pwn")),
        "{shown:?}"
    );
}

#[test]
fn tar_gz_gzip_and_7z_are_opened() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir(&dump).unwrap();
    let mut tar = tar::Builder::new(Vec::new());
    for i in 0..3 {
        let m = mail(i, "in a tarball");
        let mut h = tar::Header::new_gnu();
        h.set_size(m.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, format!("mail/{i}.eml"), m.as_bytes())
            .unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar.into_inner().unwrap()).unwrap();
    fs::write(dump.join("mail.tgz"), gz.finish().unwrap()).unwrap();
    let seven = dir.path().join("seven-src");
    fs::create_dir(&seven).unwrap();
    fs::write(seven.join("x.eml"), mail(10, "in a 7z")).unwrap();
    fs::write(seven.join("y.txt"), "plain").unwrap();
    sevenz_rust2::compress_to_path(&seven, dump.join("pack.7z")).unwrap();
    fs::remove_dir_all(&seven).unwrap();
    fs::write(
        dump.join("broken.gz"),
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage",
    )
    .unwrap();
    let s = survive(dir.path(), &dump);
    assert_eq!(s.emails, 4, "{s:?}");
    for k in ["gzip", "tar", "7z"] {
        assert!(s.by_kind.contains_key(k), "{k}: {s:?}");
    }
    assert_eq!(
        s.errors,
        1,
        "the broken gzip stream: {}",
        problems(dir.path())
    );
}

#[test]
fn encrypted_zip_members_are_recorded_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir(&dump).unwrap();
    let mut z = zip_of(&[("secret.txt", b"top secret")]);
    // Set the "encrypted" flag (bit 0) in the local and central headers.
    for sig in [&b"PK\x03\x04"[..], b"PK\x01\x02"] {
        let at = z.windows(4).position(|w| w == sig).unwrap();
        let flag_at = if sig == b"PK\x03\x04" { at + 6 } else { at + 8 };
        z[flag_at] |= 1;
    }
    fs::write(dump.join("locked.zip"), z).unwrap();
    let s = survive(dir.path(), &dump);
    assert_eq!(s.errors, 1);
    assert!(
        problems(dir.path()).contains("encrypted member"),
        "{}",
        problems(dir.path())
    );
}

/// Every file of the demo dump, cut short at seven points and with bytes
/// flipped at random (a fixed seed): the run finishes and the counts add up.
#[test]
fn mutated_inputs_never_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let work = dir.path().join("mutants");
    let dump = work.join("dump");
    fs::create_dir_all(&dump).unwrap();
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let mut made = 0;
    for (n, f) in files_below(&dir.path().join("demo-dump"))
        .iter()
        .enumerate()
    {
        let bytes = fs::read(f).unwrap();
        for k in 1..8 {
            fs::write(
                dump.join(format!("{n}-cut{k}")),
                &bytes[..bytes.len() * k / 8],
            )
            .unwrap();
            made += 1;
        }
        for k in 0..6 {
            let mut m = bytes.clone();
            for _ in 0..=k {
                if !m.is_empty() {
                    let at = next() % m.len();
                    m[at] ^= 1 << (next() % 8);
                }
            }
            fs::write(dump.join(format!("{n}-flip{k}")), m).unwrap();
            made += 1;
        }
    }
    assert!(made > 150);
    let s = survive(&work, &dump);
    assert!(s.files_seen >= made, "{s:?}");
}
