//! Acceptance on the shared corpus (skipped, saying so, when it is absent):
//! exact message counts, byte-exact originals, and parity with CPython's parser.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use leakcheck_core::ItemId;
use leakcheck_store::{Case, Stats};

use crate::util::{corpus, files_below, ingest, lc, sha256, stats};

/// The email corpus ingested once for all tests of this module.
struct Ingested {
    _dir: tempfile::TempDir,
    case: PathBuf,
    root: PathBuf,
    stats: Stats,
}

fn email_corpus() -> Option<&'static Ingested> {
    static CELL: OnceLock<Option<Ingested>> = OnceLock::new();
    // Asked by every test, so that each says it is skipped (or fails under CI).
    let root = corpus("email")?;
    CELL.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let (case, run) = ingest(dir.path(), &[&root]);
        assert!(run.code <= 1, "{}", run.stderr);
        let stats = stats(&case);
        Some(Ingested {
            _dir: dir,
            case,
            root,
            stats,
        })
    })
    .as_ref()
}

/// Members emitted by the container whose bytes are `file`.
fn emitted(case: &Case, file: &Path) -> u64 {
    let id = ItemId::parse(&sha256(&fs::read(file).unwrap())).unwrap();
    let c = case
        .catalog()
        .unwrap()
        .container_stats(Some(id.as_str()))
        .unwrap();
    c.first().map_or(0, |c| c.emitted)
}

#[test]
fn corpus_counts_add_up_with_no_loss() {
    let Some(ing) = email_corpus() else { return };
    let s = &ing.stats;
    assert_eq!(s.files_seen, s.items + s.duplicates + s.errors);
    assert!(
        s.containers.unreconciled.is_empty(),
        "{:?}",
        s.containers.unreconciled
    );
    let files = files_below(&ing.root).len() as u64;
    let case = Case::open(&ing.case).unwrap();
    let top: u64 = case
        .catalog()
        .unwrap()
        .container_stats(None)
        .unwrap()
        .iter()
        .filter(|c| c.kind == "dir")
        .map(|c| c.emitted + c.failed)
        .sum();
    assert_eq!(
        top, files,
        "every file of the corpus is a place in the catalog"
    );
}

/// Every .msg gives its one message; every PST is opened, with what its
/// store declares in its detail; the HTML page named .pst is said not to be one.
#[test]
fn outlook_files_are_opened_and_the_fake_pst_is_named() {
    let Some(ing) = email_corpus() else { return };
    let case = Case::open(&ing.case).unwrap();
    let catalog = case.catalog().unwrap();
    let o = &ing.stats.outlook;
    assert_eq!(o.stores, 41, "{o:?}");
    assert!(o.msg_files >= 130, "{o:?}");
    assert!(o.messages_emitted >= 880, "{o:?}");
    assert_eq!(o.messages_expected, o.messages_emitted + o.messages_failed);
    assert_eq!(o.messages_failed, 0, "{o:?}");
    assert_eq!(o.attachments_expected, o.attachments_emitted, "{o:?}");
    for f in files_below(&ing.root.join("msg")) {
        if f.extension().is_some_and(|e| e == "msg") {
            assert_eq!(emitted(&case, &f), 1, "{}", f.display());
        }
    }
    for f in files_below(&ing.root.join("pst")) {
        let id = ItemId::of(&fs::read(&f).unwrap());
        let item = catalog.item(&id).unwrap();
        if f.ends_with("jashmenn/pst.rb/albert_meyers_000.pst") {
            assert_eq!(item.kind, "html");
            assert!(
                item.errors.iter().any(|e| e
                    .reason
                    .contains("named .pst but not an Outlook store (PST): its bytes are html")),
                "{:?}",
                item.errors
            );
            continue;
        }
        assert_eq!(item.kind, "pst", "{}", f.display());
        let c = item.container.expect("a PST is a container");
        let d = c.detail.expect("with what the store declares");
        assert!(["ansi", "unicode"].contains(&d["format"].as_str().unwrap()));
        assert!(d["folders"].as_u64().unwrap() >= 3, "{d}");
    }
}

#[test]
fn enron_mboxes_yield_the_manifest_counts() {
    let Some(ing) = email_corpus() else { return };
    let case = Case::open(&ing.case).unwrap();
    let dir = ing.root.join("enron/mbox_cmu_20150507");
    let expected: HashMap<&str, u64> = [
        ("enron.allen-p._sent_mail", 602),
        ("enron.allen-p.all_documents", 628),
        ("enron.allen-p.contacts", 2),
        ("enron.allen-p.deleted_items", 361),
        ("enron.allen-p.discussion_threads", 412),
        ("enron.allen-p.inbox", 66),
        ("enron.allen-p.notes_inbox", 48),
        ("enron.allen-p.sent", 562),
        ("enron.allen-p.sent_items", 345),
        ("enron.allen-p.straw", 8),
        ("enron.meyers-a.deleted_items", 1066),
        ("enron.meyers-a.inbox", 22),
        ("enron.meyers-a.sent_items", 11),
    ]
    .into();
    let (mut allen, mut meyers) = (0, 0);
    for f in files_below(&dir) {
        let name = f.file_name().unwrap().to_str().unwrap();
        let n = emitted(&case, &f);
        if let Some(&want) = expected.get(name) {
            assert_eq!(n, want, "{name}");
        }
        if name.starts_with("enron.allen-p") {
            allen += n;
        } else if name.starts_with("enron.meyers-a") {
            meyers += n;
        }
    }
    assert_eq!((allen, meyers), (3034, 1099));
}

#[test]
fn spamassassin_yields_6046_messages() {
    let Some(ing) = email_corpus() else { return };
    let case = Case::open(&ing.case).unwrap();
    let cat = case.catalog().unwrap();
    let mut messages = 0;
    for f in files_below(&ing.root.join("misc/spamassassin-publiccorpus")) {
        let name = f.file_name().unwrap().to_str().unwrap();
        if name == "cmds" || name == "README.txt" {
            continue;
        }
        let id = ItemId::parse(&sha256(&fs::read(&f).unwrap())).unwrap();
        let item = cat.item(&id).unwrap();
        messages += match item.kind.as_str() {
            "email" => 1,
            "mbox" => item.container.map_or(0, |c| c.emitted),
            other => panic!("{} is {other}", f.display()),
        };
    }
    assert_eq!(messages, 6046);
}

#[test]
fn originals_are_byte_exact() {
    let Some(ing) = email_corpus() else { return };
    let case = Case::open(&ing.case).unwrap();
    let cat = case.catalog().unwrap();
    let mut emls = 0;
    let mut mboxes = 0;
    for f in files_below(&ing.root) {
        let bytes = fs::read(&f).unwrap();
        let id = ItemId::parse(&sha256(&bytes)).unwrap();
        let stored = case.blobs().read(&id).unwrap();
        assert!(stored == bytes, "{}: stored original differs", f.display());
        if f.extension().is_some_and(|e| e == "eml") {
            emls += 1;
        }
        let item = cat.item(&id).unwrap();
        if item.kind != "mbox" {
            continue;
        }
        // Re-serialise: envelope + stored message + separator, in order.
        let mut rebuilt = Vec::with_capacity(bytes.len());
        for child in &item.children {
            let extra = child.extra.as_ref().unwrap();
            rebuilt.extend_from_slice(extra["envelope"].as_str().unwrap().as_bytes());
            let cid = ItemId::parse(child.item.as_ref().unwrap()).unwrap();
            rebuilt.extend_from_slice(&case.blobs().read(&cid).unwrap());
            rebuilt.extend_from_slice(extra["separator"].as_str().unwrap().as_bytes());
        }
        assert!(
            rebuilt == bytes,
            "{}: mbox does not re-serialise",
            f.display()
        );
        mboxes += 1;
    }
    assert!(
        emls > 100 && mboxes >= 13,
        "{emls} eml, {mboxes} mbox checked"
    );
}

/// Every message CPython's `email` package parses is parsed here too, and
/// the subjects agree.
#[test]
fn parses_what_cpython_parses() {
    let Some(ing) = email_corpus() else { return };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oracle/cpython_email.py");
    let out_file = ing._dir.path().join("oracle.jsonl");
    let sets = [
        "enron",
        "misc/spamassassin-publiccorpus",
        "cpython",
        "misc/ruby-mail-fixtures",
        "misc/enmime",
        "misc/spamscope-mail-parser",
    ];
    let status = match Command::new("python3")
        .arg(&script)
        .arg("--jsonl")
        .arg(&out_file)
        .args(sets.iter().map(|s| ing.root.join(s)))
        .status()
    {
        Ok(s) => s,
        Err(e) => {
            leakcheck_core::testing::skip(&format!("python3 not available ({e})"));
            return;
        }
    };
    assert!(status.success());
    let case = Case::open(&ing.case).unwrap();
    let cat = case.catalog().unwrap();
    let (mut checked, mut same_subject, mut differing, mut not_mail) =
        (0, 0, Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for line in fs::read_to_string(&out_file).unwrap().lines() {
        let o: serde_json::Value = serde_json::from_str(line).unwrap();
        if o["ok"] != true || !seen.insert(o["sha256"].as_str().unwrap().to_string()) {
            continue;
        }
        let id = ItemId::parse(o["sha256"].as_str().unwrap()).unwrap();
        let item = cat
            .item(&id)
            .unwrap_or_else(|e| panic!("{} #{}: not in the catalog: {e}", o["source"], o["index"]));
        checked += 1;
        let Some(email) = item.email else {
            // CPython "parses" anything (an empty file, a text fragment, an
            // Outlook .msg). Not treating it as mail is right only when
            // CPython found no mail header in it either.
            let headerless = ["from", "subject", "message_id"]
                .iter()
                .all(|k| o[*k].is_null());
            assert!(
                headerless,
                "{} #{} is {} here but CPython found mail headers in it",
                o["source"], o["index"], item.kind
            );
            not_mail.push(format!("{} ({})", o["source"], item.kind));
            continue;
        };
        let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let ours = norm(email.subject.as_deref().unwrap_or(""));
        let theirs = norm(o["subject"].as_str().unwrap_or(""));
        if ours == theirs {
            same_subject += 1;
        } else {
            differing.push(format!(
                "{} #{}: ours {ours:?} theirs {theirs:?}",
                o["source"], o["index"]
            ));
        }
    }
    assert!(checked > 10_000, "{checked}");
    eprintln!(
        "{checked} messages; {} without mail headers (not mail here either): {not_mail:?}",
        not_mail.len()
    );
    eprintln!(
        "subjects agree on {same_subject}; differ on {}",
        differing.len()
    );
    for d in differing.iter().take(30) {
        eprintln!("  {d}");
    }
    assert!(
        same_subject * 100 >= checked * 98,
        "subjects agree on {same_subject} of {checked}"
    );
}

/// The document corpus: every file extracts or records an error, counts
/// add up, a PDF's earlier revisions become items of their own, and the
/// forensic signals the research notes point at are found on those files.
#[test]
fn documents_extract_and_pdf_revisions_become_items() {
    let (Some(root), Some(exiftool)) = (corpus("tika"), corpus("exiftool")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (case, run) = ingest(dir.path(), &[&root, &exiftool]);
    assert!(run.code <= 1, "{}", run.stderr);
    let s = stats(&case);
    assert!(s.documents >= 80, "documents read: {}", s.documents);
    assert!(
        s.containers
            .unreconciled
            .iter()
            .all(|c| c.kind != "pdf-revisions")
    );
    let c = Case::open(&case).unwrap();
    let cat = c.catalog().unwrap();
    let pdf = ItemId::of(&fs::read(root.join("testPDF_incrementalUpdates.pdf")).unwrap());
    let detail = cat.item(&pdf).unwrap();
    let doc = detail.document.expect("the PDF's metadata is catalogued");
    assert_eq!(doc.pdf.as_ref().unwrap().revisions.len(), 3);
    let names: Vec<_> = detail.children.iter().map(|o| o.path.as_str()).collect();
    assert_eq!(names, ["revision 1 of 3", "revision 2 of 3"]);
    let (_, text) = cat.document(&pdf).unwrap().unwrap();
    assert!(!text.trim().is_empty());

    let run = lc([OsStr::new("verify"), case.as_os_str(), OsStr::new("--json")]);
    assert!(run.code <= 1, "{}", run.stderr);
    let reports: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The finding `check` made on the file called `name` (not a revision of it).
    let finding = |name: &str, check: &str| -> (String, String) {
        let r = reports
            .iter()
            .find(|r| {
                r["paths"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p.as_str().unwrap().ends_with(&format!("/{name}")))
            })
            .unwrap_or_else(|| panic!("{name} not verified"));
        let f = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == check)
            .unwrap_or_else(|| panic!("{name}: no {check} in {r}"));
        (
            f["verdict"].as_str().unwrap().to_string(),
            f["summary"].as_str().unwrap().to_string(),
        )
    };
    let expect = |name: &str, check: &str, verdict: &str, says: &str| {
        let (v, summary) = finding(name, check);
        assert_eq!(v, verdict, "{name} {check}: {summary}");
        assert!(summary.contains(says), "{name} {check}: {summary}");
    };
    // pdfresurrect counts three versions; the Info and XMP titles differ.
    expect(
        "testPDF_incrementalUpdates.pdf",
        "doc.pdf-revisions",
        "suspicious",
        "saved 3 times",
    );
    expect(
        "testPDF.pdf",
        "doc.pdf-revisions",
        "consistent",
        "saved once",
    );
    expect(
        "testPDF_diffTitles.pdf",
        "doc.pdf-xmp-info",
        "suspicious",
        r#"title: Info "this is a new title" vs XMP "Sample Title""#,
    );
    // Office dates ZIP entries 1980-01-01; these were repacked.
    for repacked in [
        "OOXML.docx",
        "testWORD.docx",
        "testWORD_totalTimeOutOfRange.docx",
    ] {
        expect(
            repacked,
            "doc.software",
            "suspicious",
            "another tool rewrote the package",
        );
    }
    expect("testWORD_template.docx", "doc.software", "consistent", "");
    // Photoshop traces; a thumbnail of another picture; one that matches.
    // Photoshop is named, and reported; the corpus holds one other picture
    // from this Nokia, too few siblings to say it was treated apart.
    expect(
        "testJPEG_commented_pspcs2mac.jpg",
        "image.software",
        "consistent",
        "Adobe Photoshop CS2 Macintosh (image editor), as 1 of the dump's 2 pictures from the Nokia N78 (too few pictures from this camera to compare)",
    );
    expect(
        "ExifTool.jpg",
        "image.thumbnail",
        "suspicious",
        "shows another picture",
    );
    expect(
        "testJPEG_commented_pspcs2mac.jpg",
        "image.thumbnail",
        "consistent",
        "matches",
    );
    // A Cyrillic copyright in a dump written in Latin script.
    expect("testJPEG_EXIF.jpg", "doc.script", "suspicious", "Cyrillic");
    expect("testWORD.docx", "doc.script", "consistent", "Latin");
}
