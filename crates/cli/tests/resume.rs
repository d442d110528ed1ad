//! Kill an ingest with SIGKILL at several points, run it again, and get the
//! same catalog as one clean run.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::util::{bin, ingest, lc, mail, stats, zip_of};

fn build_dump(dump: &Path) {
    fs::create_dir_all(dump.join("boxes")).unwrap();
    let body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n".repeat(30);
    for b in 0..4 {
        let mut mbox = Vec::new();
        for i in 0..1500 {
            let n = b * 10_000 + i;
            writeln!(mbox, "From sender{n}@example.org Mon Apr 10 09:00:00 2017").unwrap();
            mbox.extend_from_slice(mail(n, &body).replace("\r\n", "\n").as_bytes());
            mbox.push(b'\n');
        }
        fs::write(dump.join(format!("boxes/box{b}.mbox")), mbox).unwrap();
    }
    let emails: Vec<(String, String)> = (0..800)
        .map(|i| (format!("z/{i}.eml"), mail(50_000 + i, &body)))
        .collect();
    let members: Vec<(&str, &[u8])> = emails
        .iter()
        .map(|(n, m)| (n.as_str(), m.as_bytes()))
        .collect();
    let z = zip_of(&members);
    fs::write(dump.join("mails.zip"), &z).unwrap();
    fs::write(
        dump.join("nested.zip"),
        zip_of(&[("inner/mails.zip", &z), ("readme.txt", b"x")]),
    )
    .unwrap();
}

fn listing(case: &Path) -> String {
    lc([
        "ls".as_ref(),
        case.as_os_str(),
        "--json".as_ref(),
        "--limit".as_ref(),
        "1000000".as_ref(),
    ])
    .stdout
}

#[test]
fn sigkill_at_any_point_then_rerun_equals_a_clean_run() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    build_dump(&dump);

    let clean_dir = dir.path().join("clean");
    fs::create_dir(&clean_dir).unwrap();
    let (clean, _) = ingest(&clean_dir, &[&dump]);
    let want = stats(&clean);
    assert_eq!(want.emails, 4 * 1500 + 800);

    let killed_dir = dir.path().join("killed");
    fs::create_dir(&killed_dir).unwrap();
    let (case, _) = ingest(&killed_dir, &[]);
    let mut interrupted = 0;
    for ms in [20, 60, 120, 250, 400, 700, 1000] {
        let mut child = Command::new(bin())
            .args([
                "ingest".as_ref(),
                case.as_os_str(),
                dump.as_os_str(),
                "-q".as_ref(),
            ])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(ms));
        if child.try_wait().unwrap().is_none() {
            interrupted += 1;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    assert!(
        interrupted >= 3,
        "only {interrupted} runs were killed mid-way: make the dump bigger"
    );
    let last = lc([
        "ingest".as_ref(),
        case.as_os_str(),
        dump.as_os_str(),
        "-q".as_ref(),
    ]);
    assert_eq!(last.code, 0, "{}", last.stderr);
    assert_eq!(stats(&case), want);
    assert_eq!(listing(&case), listing(&clean));
    let audit = lc(["audit".as_ref(), case.as_os_str(), "-q".as_ref()]);
    assert_eq!(audit.code, 0, "no partial blob survives a kill");
}
