//! Containers leaks arrive in: RAR (against bsdtar on libarchive's RAR test
//! files), volume sets, native decoder faults, bzip2/xz/zstd.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use leakcheck_core::ItemId;
use leakcheck_store::{Case, ItemDetail};

use crate::util::{ingest, lc, mail, sha256, stats};

/// The shared corpus folder: `../shared/corpus` beside the repository, or
/// `LEAKCHECK_CORPUS` (for a work tree kept elsewhere).
fn corpus_root() -> PathBuf {
    match std::env::var_os("LEAKCHECK_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    }
}

/// The shared RAR files, or `None` (saying so) when absent; under CI=true
/// their absence is a failure.
fn rar_corpus() -> Option<PathBuf> {
    let p = corpus_root().join("archives/rar");
    if p.join("LISTING.tsv").exists() {
        return Some(p.canonicalize().unwrap());
    }
    leakcheck_core::testing::skip(&format!("shared RAR corpus not found at {}", p.display()));
    None
}

/// Sets `key = value` in the case's `[limits]`.
fn set_limit(case: &Path, key: &str, value: u64) {
    let path = case.join("case.toml");
    let toml = fs::read_to_string(&path).unwrap();
    let out: Vec<String> = toml
        .lines()
        .map(|l| {
            if l.trim_start().starts_with(&format!("{key} "))
                || l.trim_start().starts_with(&format!("{key}="))
            {
                format!("{key} = {value}")
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(
        out.iter().any(|l| l == &format!("{key} = {value}")),
        "{toml}"
    );
    fs::write(&path, out.join("\n") + "\n").unwrap();
}

fn init_case(dir: &Path) -> PathBuf {
    ingest(dir, &[]).0
}

fn ingest_into(
    case: &Path,
    sources: &[&Path],
    extra: &[&str],
    env: Option<(&str, &str)>,
) -> crate::util::Run {
    let mut cmd = Command::new(crate::util::bin());
    cmd.arg("ingest")
        .arg(case)
        .arg("--json")
        .args(extra)
        .args(sources);
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let run = crate::util::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        run.code <= 1,
        "ingest failed ({}): {}",
        run.code,
        run.stderr
    );
    run
}

fn detail(case: &Path, bytes: &[u8]) -> ItemDetail {
    let id = ItemId::parse(&sha256(bytes)).unwrap();
    Case::open(case)
        .unwrap()
        .catalog()
        .unwrap()
        .item(&id)
        .unwrap()
}

/// One LISTING.tsv row: the file, bsdtar's exit status, its regular files
/// (name, size).
struct Listed {
    file: String,
    rc: i32,
    files: Vec<(String, u64)>,
}

fn listing(root: &Path) -> Vec<Listed> {
    fs::read_to_string(root.join("LISTING.tsv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let mut cols = l.splitn(3, '\t');
            let file = cols.next().unwrap().to_string();
            let rc = cols.next().unwrap().parse().unwrap();
            let files = cols
                .next()
                .unwrap_or("")
                .split(" | ")
                .filter_map(|m| {
                    let m = m.trim_end_matches(" |").trim_end();
                    let rest = m.strip_prefix("- ")?;
                    let (size, name) = rest.split_once(' ')?;
                    // "name link to target": a hard link, not a regular file.
                    (!name.contains(" link to ")).then(|| (name.to_string(), size.parse().unwrap()))
                })
                .collect();
            Listed { file, rc, files }
        })
        .collect()
}

/// The whole RAR folder ingested once for the tests below, with
/// max_store_seconds at 10: a container that took longer would be recorded
/// as "decoder stopped after 10 s".
struct RarCase {
    _dir: tempfile::TempDir,
    case: PathBuf,
    root: PathBuf,
}

fn rar_case() -> Option<&'static RarCase> {
    static CELL: OnceLock<Option<RarCase>> = OnceLock::new();
    CELL.get_or_init(|| {
        let root = rar_corpus()?;
        let dir = tempfile::tempdir().unwrap();
        let case = init_case(dir.path());
        set_limit(&case, "max_store_seconds", 10);
        // Two valid archives expand 1,000x and more (a 20 MB and a 241 MB
        // text): over the default max_ratio, which the README explains.
        set_limit(&case, "max_ratio", 100_000);
        ingest_into(&case, &[&root], &[], None);
        Some(RarCase {
            _dir: dir,
            case,
            root,
        })
    })
    .as_ref()
}

/// The volume set a corpus file belongs to: its first volume's name.
fn opened_by(case: &Path, root: &Path, file: &str) -> String {
    let d = detail(case, &fs::read(root.join(file)).unwrap());
    d.occurrences
        .iter()
        .find_map(|o| {
            o.extra
                .as_ref()?
                .get("set_opened_by")?
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_else(|| file.to_string())
}

/// Regular files bsdtar extracts from `file` (relative name → bytes), when
/// it exits 0 within 10 s; `None` when bsdtar is missing or fails.
fn bsdtar_extract(file: &Path) -> Option<HashMap<String, Vec<u8>>> {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new("timeout")
        .args(["10", "bsdtar", "-xf"])
        .arg(file)
        .current_dir(out.path())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    let mut files = HashMap::new();
    for p in crate::util::files_below(out.path()) {
        let meta = fs::symlink_metadata(&p).unwrap();
        if meta.file_type().is_file() {
            let rel = p
                .strip_prefix(out.path())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            files.insert(rel, fs::read(&p).unwrap());
        }
    }
    Some(files)
}

fn have_bsdtar() -> bool {
    let ok = Command::new("bsdtar")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        leakcheck_core::testing::skip(
            "bsdtar not installed (apt-get install libarchive-tools): SHA-256 not compared with its output",
        );
    }
    ok
}

#[test]
fn every_rar_file_ends_reconciled_without_a_panic_or_a_hang() {
    let Some(rc) = rar_case() else { return };
    let s = stats(&rc.case);
    assert!(
        s.containers.unreconciled.is_empty(),
        "{:?}",
        s.containers.unreconciled
    );
    assert_eq!(s.files_seen, s.items + s.duplicates + s.errors);
    let errors = lc([OsStr::new("errors"), rc.case.as_os_str()]).stdout;
    assert!(!errors.contains("parser crashed"), "{errors}");
    assert!(
        !errors.contains("decoder stopped"),
        "a container took over 10 s: {errors}"
    );
    assert!(!errors.contains("decoder crashed"), "{errors}");
    // Every file of the folder is a place of the case.
    let files = fs::read_dir(&rc.root).unwrap().count() as u64;
    let walked = Case::open(&rc.case)
        .unwrap()
        .catalog()
        .unwrap()
        .container_stats(Some(&format!("dir:{}", rc.root.display())))
        .unwrap();
    assert_eq!(walked[0].emitted + walked[0].failed, files);
    // Links are recorded with their targets, not followed.
    let links = |f: &str| {
        let d = detail(&rc.case, &fs::read(rc.root.join(f)).unwrap());
        d.container.unwrap().detail.unwrap()["links"].clone()
    };
    assert_eq!(
        links("test_read_format_rar5_symlink.rar"),
        serde_json::json!([
            {"name": "symlink.txt", "type": "symbolic link", "target": "file.txt"},
            {"name": "dirlink", "type": "symbolic link", "target": "dir"},
        ])
    );
    assert_eq!(
        links("test_read_format_rar5_hardlink.rar"),
        serde_json::json!([{"name": "hardlink.txt", "type": "hard link", "target": "file.txt"}])
    );
}

#[test]
fn rar_members_match_what_bsdtar_lists_and_extracts() {
    let Some(rc) = rar_case() else { return };
    let compare = have_bsdtar();
    let (mut checked, mut hashed) = (0, 0);
    let mut differences = Vec::new();
    for row in listing(&rc.root).into_iter().filter(|r| r.rc == 0) {
        let first = opened_by(&rc.case, &rc.root, &row.file);
        let set = detail(&rc.case, &fs::read(rc.root.join(&first)).unwrap());
        let extracted = if compare && first == row.file {
            bsdtar_extract(&rc.root.join(&row.file))
        } else {
            None
        };
        for (name, size) in &row.files {
            let child = set.children.iter().find(|c| &c.path == name);
            let Some(child) = child else {
                differences.push(format!("{}: {name} not listed by leakcheck", row.file));
                continue;
            };
            checked += 1;
            match &child.item {
                Some(id) => {
                    let item = Case::open(&rc.case).unwrap().catalog().unwrap();
                    let got = item.item(&ItemId::parse(id).unwrap()).unwrap().size;
                    assert_eq!(got, *size, "{}: {name}", row.file);
                    if let Some(bytes) = extracted.as_ref().and_then(|x| x.get(name)) {
                        hashed += 1;
                        if &sha256(bytes) != id {
                            differences
                                .push(format!("{}: {name} differs from bsdtar -x", row.file));
                        }
                    }
                }
                None => differences.push(format!(
                    "{}: {name} unreadable: {}",
                    row.file,
                    child.error.as_deref().unwrap_or("?")
                )),
            }
        }
    }
    // Each is explained in README.md (RAR: against bsdtar).
    let expected = [
        // Encrypted members, with no password given.
        "test_read_format_rar4_encrypted.rar: b.txt unreadable: encrypted",
        "test_read_format_rar4_encrypted.rar: d.txt unreadable: encrypted",
        "test_read_format_rar5_encrypted.rar: b.txt unreadable: encrypted",
        "test_read_format_rar5_encrypted.rar: d.txt unreadable: encrypted",
        "test_read_format_rar5_only_crypt_exfld.rar: file.txt unreadable: encrypted",
        "test_read_format_rar_encryption_data.rar: foo.txt unreadable: encrypted",
        "test_read_format_rar_encryption_data.rar: bar.txt unreadable: encrypted",
        // Malformed: UnRAR decodes fewer or more bytes than declared (bsdtar
        // exits 1 on the first, and its 4 bytes fail UnRAR's CRC on the
        // second); UnRAR finds no valid file header in the third (bsdtar
        // lists one and fails to extract it).
        "test_read_format_rar5_loop_bug.rar: a unreadable: decoded 0 bytes",
        "test_read_format_rar_unbound_staticdata.rar: poc_b76.txt unreadable: decodes to more than",
        "test_read_format_rar_overflow.rar: 0 not listed by leakcheck",
        // bsdtar given the first volume alone writes bytes that are not the
        // file's (and exits 0); leakcheck joins the set and UnRAR checks them.
        "test_read_format_rar5_multiarchive.part01.rar: home/antek/temp/build/unrar5/libarchive/bin/bsdcat_test differs",
        "test_read_format_rar5_multiarchive_solid.part01.rar: elf-Linux-ARMv7-ls differs",
    ];
    eprintln!(
        "RAR vs bsdtar: {checked} listed files checked, {hashed} SHA-256 compared with bsdtar -x"
    );
    for d in &differences {
        eprintln!("  {d}");
    }
    assert!(checked >= 98, "{checked}");
    assert!(!compare || hashed >= 58, "{hashed}");
    let unexplained: Vec<&String> = differences
        .iter()
        .filter(|d| !expected.iter().any(|e| d.starts_with(e)))
        .collect();
    assert!(unexplained.is_empty(), "{unexplained:#?}");
}

/// The RAR test files of one set, copied into `dir` less `leave_out`.
fn copy_set(root: &Path, prefix: &str, leave_out: &[&str], dir: &Path) -> Vec<String> {
    fs::create_dir_all(dir).unwrap();
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && !leave_out.contains(&n.as_str()))
        .collect();
    names.sort();
    for n in &names {
        fs::copy(root.join(n), dir.join(n)).unwrap();
    }
    names
}

#[test]
fn a_volume_set_gives_each_member_once_and_a_missing_volume_a_reason() {
    let Some(rc) = rar_case() else { return };
    let first = "test_rar_multivolume_multiple_files.part1.rar";
    let set = detail(&rc.case, &fs::read(rc.root.join(first)).unwrap());
    let names: Vec<&str> = set.children.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        names,
        ["LibarchiveAddingTest2.html", "LibarchiveAddingTest.html"]
    );
    assert!(
        set.children.iter().all(|c| c.item.is_some()),
        "{:?}",
        set.children
    );
    let vs = &set.container.as_ref().unwrap().detail.as_ref().unwrap()["volume_set"];
    assert_eq!(vs["volumes"].as_array().unwrap().len(), 6, "{vs}");
    // A later volume is stored, and says which volume opened its set.
    let part3 = detail(
        &rc.case,
        &fs::read(
            rc.root
                .join("test_rar_multivolume_multiple_files.part3.rar"),
        )
        .unwrap(),
    );
    assert!(part3.children.is_empty() && part3.container.is_none());
    assert_eq!(part3.occurrences[0].extra.as_ref().unwrap()["volume"], 3);

    // Without part 3, the member that needs it is unreadable with the reason;
    // nothing comes out with other bytes than the whole set gives.
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    copy_set(
        &rc.root,
        "test_rar_multivolume_multiple_files",
        &["test_rar_multivolume_multiple_files.part3.rar"],
        &dump,
    );
    let case = init_case(dir.path());
    ingest_into(&case, &[&dump], &[], None);
    let cut = detail(&case, &fs::read(dump.join(first)).unwrap());
    let errors: Vec<&str> = cut
        .children
        .iter()
        .filter_map(|c| c.error.as_deref())
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("volume 3 of 6 missing")),
        "{:?} {:?}",
        cut.children,
        cut.errors
    );
    for c in &cut.children {
        if let Some(id) = &c.item {
            assert!(
                set.children.iter().any(|w| w.item.as_ref() == Some(id)),
                "{} has other bytes",
                c.path
            );
        }
    }
    let s = stats(&case);
    assert!(
        s.containers.unreconciled.is_empty(),
        "{:?}",
        s.containers.unreconciled
    );
}

/// A dump with a RAR (any bytes after the signature: the fault is injected
/// before decoding), two emails and a zip holding a third.
fn dump_with_a_rar(dir: &Path) -> PathBuf {
    let dump = dir.join("dump");
    fs::create_dir_all(&dump).unwrap();
    fs::write(
        dump.join("set.rar"),
        b"Rar!\x1a\x07\x00 not really an archive",
    )
    .unwrap();
    fs::write(dump.join("a.eml"), mail(1, "one")).unwrap();
    fs::write(dump.join("b.eml"), mail(2, "two")).unwrap();
    let inner = mail(3, "three");
    fs::write(
        dump.join("c.zip"),
        crate::util::zip_of(&[("c.eml", inner.as_bytes())]),
    )
    .unwrap();
    dump
}

#[test]
fn a_decoder_crash_costs_one_container_and_is_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dump_with_a_rar(dir.path());
    let case = init_case(dir.path());
    let fault = Some((leakcheck_extract::native::TEST_FAULT_ENV, "crash"));
    let run = ingest_into(&case, &[&dump], &[], fault);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let rar = detail(&case, b"Rar!\x1a\x07\x00 not really an archive");
    assert!(
        rar.errors
            .iter()
            .any(|e| e.reason == "decoder crashed: signal 11"),
        "{:?}",
        rar.errors
    );
    let s = stats(&case);
    assert_eq!(s.emails, 3, "every other file is ingested: {s:?}");
    assert!(
        s.containers.unreconciled.is_empty(),
        "{:?}",
        s.containers.unreconciled
    );
    // A second run does not open it again (it would hang here).
    let started = std::time::Instant::now();
    set_limit(&case, "max_store_seconds", 60);
    ingest_into(
        &case,
        &[&dump],
        &[],
        Some((leakcheck_extract::native::TEST_FAULT_ENV, "hang")),
    );
    assert!(
        started.elapsed().as_secs() < 30,
        "the failed container was opened again"
    );
    assert_eq!(stats(&case), s);
}

#[test]
fn a_hanging_decoder_is_stopped_after_max_store_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dump_with_a_rar(dir.path());
    let case = init_case(dir.path());
    set_limit(&case, "max_store_seconds", 2);
    let started = std::time::Instant::now();
    ingest_into(
        &case,
        &[&dump],
        &[],
        Some((leakcheck_extract::native::TEST_FAULT_ENV, "hang")),
    );
    assert!(started.elapsed().as_secs() < 30);
    let rar = detail(&case, b"Rar!\x1a\x07\x00 not really an archive");
    assert!(
        rar.errors
            .iter()
            .any(|e| e.reason == "decoder stopped after 2 s"),
        "{:?}",
        rar.errors
    );
    assert_eq!(stats(&case).emails, 3);
}

#[test]
fn bzip2_xz_and_zstd_are_opened_like_gzip() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir_all(&dump).unwrap();
    let mut tar = tar::Builder::new(Vec::new());
    for (i, body) in ["alpha", "beta"].iter().enumerate() {
        let m = mail(10 + i, body);
        let mut h = tar::Header::new_gnu();
        h.set_size(m.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, format!("mail/{i}.eml"), m.as_bytes())
            .unwrap();
    }
    let tar = tar.into_inner().unwrap();
    let mut xz = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::default()).unwrap();
    xz.write_all(&tar).unwrap();
    fs::write(dump.join("mail.tar.xz"), xz.finish().unwrap()).unwrap();
    let zst =
        ruzstd::encoding::compress_to_vec(&tar[..], ruzstd::encoding::CompressionLevel::Fastest);
    fs::write(dump.join("copy.tar.zst"), zst).unwrap();
    let mbox = format!(
        "From a@b Mon Apr 10 09:00:00 2017\n{}\nFrom c@d Mon Apr 10 10:00:00 2017\n{}\n",
        mail(20, "x"),
        mail(21, "y")
    );
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    bz.write_all(mbox.as_bytes()).unwrap();
    fs::write(dump.join("box.mbox.bz2"), bz.finish().unwrap()).unwrap();
    // A bzip2 stream cut short: its member is unreadable, the run goes on.
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    bz.write_all(&vec![b'z'; 100_000]).unwrap();
    let cut = bz.finish().unwrap();
    fs::write(dump.join("cut.bz2"), &cut[..cut.len() / 2]).unwrap();
    let (case, _) = ingest(dir.path(), &[&dump]);
    let s = stats(&case);
    assert_eq!(
        s.emails, 4,
        "two in the tar (twice, same bytes) and two in the mbox: {s:?}"
    );
    assert!(
        s.containers.unreconciled.is_empty(),
        "{:?}",
        s.containers.unreconciled
    );
    for (file, kind, member) in [
        ("mail.tar.xz", "xz", "mail.tar"),
        ("copy.tar.zst", "zstd", "copy.tar"),
        ("box.mbox.bz2", "bzip2", "box.mbox"),
    ] {
        let d = detail(&case, &fs::read(dump.join(file)).unwrap());
        assert_eq!(d.kind, kind);
        assert_eq!(d.children.len(), 1);
        assert_eq!(d.children[0].path, member);
        assert!(d.children[0].item.is_some(), "{file}");
    }
    let cut = detail(&case, &cut[..cut.len() / 2]);
    assert!(
        cut.children[0].item.is_none() && cut.children[0].error.is_some(),
        "{:?}",
        cut.children
    );
}

#[test]
fn winmail_dat_gives_its_attachments() {
    let Some(file) = Some(corpus_root().join("tika/testWINMAIL.dat")).filter(|p| p.exists()) else {
        leakcheck_core::testing::skip("testWINMAIL.dat not found in the shared corpus");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (case, _) = ingest(dir.path(), &[&file]);
    let d = detail(&case, &fs::read(&file).unwrap());
    assert_eq!(d.kind, "tnef");
    let names: Vec<&str> = d.children.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        names,
        [
            "body.rtf",
            "quick.doc",
            "quick.html",
            "quick.pdf",
            "quick.txt",
            "quick.xml"
        ]
    );
    assert!(d.children.iter().all(|c| c.item.is_some()));
    let kinds: Vec<&str> = d
        .children
        .iter()
        .filter_map(|c| c.kind.as_deref())
        .collect();
    assert_eq!(kinds, ["rtf", "ole", "html", "pdf", "text", "xml"]);
}

#[test]
fn encrypted_zip_and_7z_open_with_passwords() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir_all(&dump).unwrap();
    let secret = mail(30, "the secret figures");
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let aes = zip::write::SimpleFileOptions::default()
        .with_aes_encryption(zip::AesMode::Aes256, "s3cret pass");
    z.start_file("secret.eml", aes).unwrap();
    z.write_all(secret.as_bytes()).unwrap();
    z.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"the password was published with the leak")
        .unwrap();
    fs::write(dump.join("locked.zip"), z.finish().unwrap().into_inner()).unwrap();
    let src = dir.path().join("src");
    fs::create_dir_all(&src).unwrap();
    fs::write(src.join("other.eml"), mail(31, "another secret")).unwrap();
    sevenz_rust2::compress_to_path_encrypted(
        &src,
        dump.join("locked.7z"),
        sevenz_rust2::Password::from("s3cret pass"),
    )
    .unwrap();

    // Without passwords: reasoned unreadable places or an item error, reconciled.
    let (case, _) = ingest(dir.path(), &[&dump]);
    let s = stats(&case);
    assert_eq!(s.emails, 0, "{s:?}");
    assert!(
        s.containers.unreconciled.is_empty(),
        "{:?}",
        s.containers.unreconciled
    );
    let errors = lc([OsStr::new("errors"), case.as_os_str()]).stdout;
    assert!(
        errors.contains("encrypted member: a password is needed"),
        "{errors}"
    );

    // With them: both open, and each container records the password.
    let pw = dir.path().join("passwords.txt");
    fs::write(&pw, "wrong one\ns3cret pass\n").unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let case2 = init_case(dir2.path());
    ingest_into(
        &case2,
        &[&dump],
        &[
            OsStr::new("--passwords").to_str().unwrap(),
            pw.to_str().unwrap(),
        ],
        None,
    );
    let s = stats(&case2);
    assert_eq!(s.emails, 2, "{s:?}");
    assert_eq!(s.errors, 0, "{s:?}");
    let z = detail(&case2, &fs::read(dump.join("locked.zip")).unwrap());
    assert_eq!(
        z.container.unwrap().detail.unwrap()["passwords"],
        serde_json::json!(["s3cret pass"])
    );
    let sz = detail(&case2, &fs::read(dump.join("locked.7z")).unwrap());
    assert_eq!(
        sz.container.unwrap().detail.unwrap()["password"],
        "s3cret pass"
    );
    // The custody log names them too, so the run can be reproduced.
    let custody = Case::open(&case2)
        .unwrap()
        .custody()
        .unwrap()
        .entries()
        .unwrap();
    let finished = custody.iter().find(|e| e.event == "finished").unwrap();
    let mut opened: Vec<(String, Vec<String>)> = finished
        .opened_with
        .iter()
        .map(|o| (o.container.clone(), o.passwords.clone()))
        .collect();
    opened.sort();
    let mut want = vec![
        (
            sha256(&fs::read(dump.join("locked.zip")).unwrap()),
            vec!["s3cret pass".to_string()],
        ),
        (
            sha256(&fs::read(dump.join("locked.7z")).unwrap()),
            vec!["s3cret pass".to_string()],
        ),
    ];
    want.sort();
    assert_eq!(opened, want, "{finished:?}");
    assert!(
        custody
            .iter()
            .all(|e| e.event == "finished" || e.opened_with.is_empty())
    );
}

#[test]
fn apple_mail_emlx_and_mbox_bundles() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    let bundle = dump.join("Inbox.mbox");
    fs::create_dir_all(&bundle).unwrap();
    let msg = mail(40, "from Apple Mail");
    let plist = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>flags</key><integer>8590195713</integer></dict></plist>\n";
    fs::write(
        dump.join("12345.emlx"),
        format!("{}\n{msg}{plist}", msg.len()),
    )
    .unwrap();
    let mbox = format!(
        "From a@b Mon Apr 10 09:00:00 2017\n{}\nFrom c@d Mon Apr 10 10:00:00 2017\n{}\n",
        mail(41, "one"),
        mail(42, "two")
    );
    fs::write(bundle.join("mbox"), mbox).unwrap();
    fs::write(bundle.join("table_of_contents"), b"\x00\x00\x00\x02toc").unwrap();
    let (case, _) = ingest(dir.path(), &[&dump]);
    let s = stats(&case);
    assert_eq!(s.emails, 3, "{s:?}");
    assert!(
        s.containers.unreconciled.is_empty(),
        "{:?}",
        s.containers.unreconciled
    );
    let emlx = detail(&case, &fs::read(dump.join("12345.emlx")).unwrap());
    assert_eq!(emlx.kind, "emlx");
    let child = &emlx.children[0];
    assert_eq!(
        child.item.as_deref(),
        Some(sha256(msg.as_bytes()).as_str()),
        "the message bytes, exact"
    );
    let item = detail(&case, msg.as_bytes());
    let extra = item.occurrences[0].extra.as_ref().unwrap();
    assert!(
        extra["plist"]
            .as_str()
            .unwrap()
            .contains("<key>flags</key>"),
        "{extra}"
    );
}

#[test]
fn encrypted_rar_opens_with_the_password_and_records_it() {
    let Some(root) = rar_corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir_all(&dump).unwrap();
    let files = [
        ("test_read_format_rar4_encrypted.rar", "password", 4),
        ("test_read_format_rar5_encrypted.rar", "password", 4),
        (
            "test_read_format_rar5_encrypted_filenames.rar",
            "password",
            4,
        ),
        ("test_read_format_rar_encryption_data.rar", "12345678", 2),
    ];
    for (f, ..) in files {
        fs::copy(root.join(f), dump.join(f)).unwrap();
    }
    let pw = dir.path().join("passwords.txt");
    // rar4_encrypted's d.txt has another password than its b.txt.
    fs::write(&pw, "not this one\npassword\n12345678\npassword2\n").unwrap();
    let case = init_case(dir.path());
    ingest_into(
        &case,
        &[&dump],
        &["--passwords", pw.to_str().unwrap()],
        None,
    );
    for (f, password, members) in files {
        let d = detail(&case, &fs::read(dump.join(f)).unwrap());
        let c = d.container.as_ref().unwrap();
        assert_eq!(c.detail.as_ref().unwrap()["password"], password, "{f}");
        assert_eq!(
            (c.expected, c.emitted, c.failed),
            (members, members, 0),
            "{f}: {:?}",
            d.children
        );
    }
    let s = stats(&case);
    assert!(
        s.containers.unreconciled.is_empty(),
        "{:?}",
        s.containers.unreconciled
    );
}

#[test]
fn zipcrypto_zip_opens_with_the_password_and_is_encrypted_without() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    fs::create_dir_all(&dump).unwrap();
    let secret = mail(50, "sealed with ZipCrypto");
    let zip = leakcheck_samples::zipcrypto("old pkware", &[("secret.eml", secret.as_bytes())]);
    fs::write(dump.join("traditional.zip"), &zip).unwrap();

    let (case, _) = ingest(dir.path(), &[&dump]);
    let s = stats(&case);
    assert_eq!((s.emails, s.errors), (0, 1), "{s:?}");
    let errors = lc([OsStr::new("errors"), case.as_os_str()]).stdout;
    assert!(
        errors.contains("encrypted member: a password is needed"),
        "{errors}"
    );

    let pw = dir.path().join("passwords.txt");
    fs::write(&pw, "not it\nold pkware\n").unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let case2 = init_case(dir2.path());
    ingest_into(
        &case2,
        &[&dump],
        &["--passwords", pw.to_str().unwrap()],
        None,
    );
    let s = stats(&case2);
    assert_eq!((s.emails, s.errors), (1, 0), "{s:?}");
    let d = detail(&case2, &zip);
    assert_eq!(
        d.children[0].item.as_deref(),
        Some(sha256(secret.as_bytes()).as_str())
    );
    assert_eq!(
        d.container.unwrap().detail.unwrap()["passwords"],
        serde_json::json!(["old pkware"])
    );
}
