//! The workbench in a real browser: `leakcheck serve` on the demo case plus
//! a hostile HTML email, driven by crates/server/e2e/workbench.mjs in
//! headless Chromium (with the demo's scanned invoice read by OCR when
//! Tesseract is here): reading, the redaction review, a selection's
//! evidence report and the case's charts; once on the embedded case, once
//! on the same case moved to team mode. Skips, saying so, when Chromium or
//! the npm package is missing, unless LEAKCHECK_REQUIRE_BROWSER is set (CI
//! sets it); the team run needs PostgreSQL too (see `team`).

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::util::{bin, demo, lc, sha256};

fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/e2e")
}

/// Whether the browser test can run here; why not, when it cannot.
fn missing() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} is missing (apt-get install chromium)"));
    }
    if !e2e_dir().join("node_modules/playwright-core").exists() {
        return Some("playwright-core is missing (npm ci in crates/server/e2e)".into());
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is missing".into());
    }
    None
}

/// Whether the browser tests can run; when they cannot, says why (and
/// fails where LEAKCHECK_REQUIRE_BROWSER is set).
fn can_run() -> bool {
    let Some(why) = missing() else {
        return true;
    };
    assert!(
        std::env::var_os("LEAKCHECK_REQUIRE_BROWSER").is_none(),
        "the browser test must run here but {why}"
    );
    leakcheck_core::testing::skip(&why);
    false
}

/// Counts connections to a port that the hostile email's remote images,
/// styles and links point at: any connection is a remote load.
fn tracker() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(conn);
        }
    });
    (port, hits)
}

fn hostile_email(port: u16) -> String {
    let t = format!("http://127.0.0.1:{port}");
    let html = format!(
        r#"<html><head><style>body {{ background: url({t}/style.png) }}</style>
<script>window.parent.__xss = 1; alert("script");</script></head>
<body onload="alert('onload')">
<p>This is the readable secret plan for the rally.</p>
<img src="x" onerror="window.parent.__xss = 2; alert('onerror')">
<img src="{t}/pixel.gif" width="1" height="1">
<a id="jslink" href="javascript:window.parent.__xss=3;alert('link')">click me</a>
<div style="width: expression(alert('css')); background-image: url({t}/css.png)">styled text</div>
<iframe src="{t}/frame.html"></iframe>
<object data="{t}/object.swf"></object>
<form action="{t}/form"><input name="q"></form>
</body></html>"#
    );
    format!(
        "From: Mallory <mallory@elsewhere.example>\r\nTo: anne@campaign.example\r\n\
         Subject: Rally plan (hostile HTML)\r\nDate: Fri, 14 Apr 2017 10:00:00 +0200\r\n\
         Message-ID: <hostile-1@elsewhere.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n"
    )
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn add_user(case: &Path, name: &str, role: &str, password: &str) {
    let mut child = Command::new(bin())
        .args(["user", "add"])
        .arg(case)
        .args([name, "--role", role, "--password-stdin", "-q"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        format!("{password}\n").as_bytes(),
    )
    .unwrap();
    assert!(child.wait().unwrap().success(), "user add {name}");
}

#[test]
fn the_workbench_in_chromium() {
    if !can_run() {
        return;
    }
    the_workbench(None);
}

/// The same pages on a team case: the demo case moved to PostgreSQL, its
/// users added there, and the server reading its replica.
#[test]
fn the_workbench_in_chromium_on_a_team_case() {
    if !can_run() {
        return;
    }
    let Some(db) = crate::team::Db::new("browser") else {
        return;
    };
    the_workbench(Some(&db));
}

/// The demo case plus a hostile email, served (moved to `team`'s
/// PostgreSQL schema first, when given) and driven in Chromium.
fn the_workbench(team: Option<&crate::team::Db>) {
    // The demo's scanned invoice has an OCR layer only where Tesseract and
    // poppler are (the OCR steps skip, saying so, without them).
    let ocr = crate::ocr::engines();
    let dir = tempfile::tempdir().unwrap();
    let case = demo(dir.path());
    let (port, remote_loads) = tracker();
    let extra = dir.path().join("extra");
    std::fs::create_dir_all(&extra).unwrap();
    let email = hostile_email(port);
    std::fs::write(extra.join("hostile.eml"), &email).unwrap();
    let run = lc([
        "ingest".as_ref(),
        case.as_os_str(),
        extra.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(run.code <= 1, "ingest: {}", run.stderr);
    if let Some(db) = team {
        let run = crate::team::migrate(&case, db);
        assert_eq!(run.code, 0, "migrate: {}", run.stderr);
    }
    add_user(&case, "alice", "admin", "alice-password-1");
    add_user(&case, "victor", "viewer", "victor-password-1");

    let mut child = Command::new(bin())
        .arg("serve")
        .arg(&case)
        .args(["--bind", "127.0.0.1:0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let server = Server(child);
    let url: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("serve printed {line:?} ({e})"));
    let url = url["url"].as_str().unwrap().to_string();

    let shots = if team.is_some() {
        "e2e-screenshots-team"
    } else {
        "e2e-screenshots"
    };
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join(shots);
    let out = Command::new("node")
        .arg(e2e_dir().join("workbench.mjs"))
        .env("LC_URL", &url)
        .env("LC_ADMIN", "alice:alice-password-1")
        .env("LC_VIEWER", "victor:victor-password-1")
        .env("LC_XSS_ITEM", sha256(email.as_bytes()))
        .env("LC_ARTIFACTS", &artifacts)
        .env("LC_OCR", if ocr { "1" } else { "" })
        .output()
        .unwrap();
    let mut server = server;
    let _ = server.0.kill();
    let mut server_err = String::new();
    if let Some(mut e) = server.0.stderr.take() {
        let _ = e.read_to_string(&mut server_err);
    }
    assert!(
        out.status.success(),
        "{}\n{}\nserver: {server_err}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    selection_report(&artifacts.join("selection-report.zip"));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        remote_loads.load(Ordering::SeqCst),
        0,
        "the hostile email made the browser load something remote"
    );
    for shot in [
        "01-login",
        "03-search-facet",
        "04-item-verification",
        "04d-redaction-review",
        "04e-selection-report",
        "05-thread",
        "07e-case-charts",
        "09-hostile-html",
    ]
    .into_iter()
    .chain(
        ocr.then_some(["04b-ocr", "04c-ocr-picture"])
            .into_iter()
            .flatten(),
    ) {
        assert!(artifacts.join(format!("{shot}.png")).exists(), "{shot}.png");
    }
}

/// The evidence report of the two search results the browser ticked: a
/// zip of the report folder, whose originals hash to their ids.
fn selection_report(zip_path: &Path) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(zip_path).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    for name in [
        "index.html",
        "case.json",
        "SHA256SUMS",
        "recheck.py",
        "RECHECK.md",
    ] {
        let name = format!("leakcheck-report/{name}");
        assert!(names.contains(&name), "{name} not in {names:?}");
    }
    let originals: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("leakcheck-report/originals/"))
        .collect();
    assert_eq!(originals.len(), 2, "{names:?}");
    for name in originals {
        let mut bytes = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
        let id = name.rsplit('/').next().unwrap().split('.').next().unwrap();
        assert_eq!(sha256(&bytes), id, "{name}");
    }
}

/// The demo's evidence report, opened from disk: charts drawn, nothing
/// fetched, an altered email's page, printed; screenshots kept.
#[test]
fn the_evidence_report_in_chromium() {
    if !can_run() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots");
    let out = Command::new("node")
        .arg(e2e_dir().join("report.mjs"))
        .env("LC_REPORT", dir.path().join("demo-report"))
        .env("LC_ARTIFACTS", &artifacts)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for shot in ["report-case", "report-item"] {
        assert!(artifacts.join(format!("{shot}.png")).exists(), "{shot}.png");
    }
}
