//! Team cases: ingest spread over `leakcheck worker` processes, against
//! the PostgreSQL that `LEAKCHECK_TEST_POSTGRES` names (`.ci/postgres.sh`
//! starts one; without it these tests say SKIPPED, and fail under CI).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use postgres::{Client, NoTls};

use crate::util::{bin, demo, lc};

/// A schema of its own for one test, dropped at the end.
struct Db {
    url: String,
    schema: String,
}

impl Db {
    fn new(test: &str) -> Option<Db> {
        let Ok(url) = std::env::var("LEAKCHECK_TEST_POSTGRES") else {
            leakcheck_core::testing::skip(
                "LEAKCHECK_TEST_POSTGRES is not set (eval \"$(.ci/postgres.sh)\" starts a cluster)",
            );
            return None;
        };
        let schema = format!("t_cli_{test}_{}", std::process::id());
        Some(Db { url, schema })
    }

    fn client(&self) -> Client {
        let mut c = Client::connect(&self.url, NoTls).unwrap();
        c.batch_execute(&format!("SET search_path TO {}", self.schema))
            .unwrap();
        c
    }

    /// `leakcheck init CASE --catalog ... --schema ...`.
    fn init(&self, case: &Path) {
        let run = lc([
            OsStr::new("init"),
            case.as_os_str(),
            OsStr::new("--catalog"),
            OsStr::new(&self.url),
            OsStr::new("--schema"),
            OsStr::new(&self.schema),
            OsStr::new("-q"),
        ]);
        assert_eq!(run.code, 0, "init --catalog: {}", run.stderr);
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Ok(mut c) = Client::connect(&self.url, NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

fn worker(case: &Path) -> Child {
    Command::new(bin())
        .args([OsStr::new("worker"), case.as_os_str()])
        .args(["--threads", "1", "--lease-seconds", "3", "-q"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a worker")
}

/// `ingest` of `sources` into the team case, in the background: it waits
/// for the workers.
fn start_ingest(case: &Path, sources: &[PathBuf], passwords: &Path, job_files: u32) -> Child {
    Command::new(bin())
        .arg("ingest")
        .arg(case)
        .args(sources)
        .arg("--passwords")
        .arg(passwords)
        .args(["--job-files", &job_files.to_string(), "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ingest")
}

/// The figures compared: `stats --json`, the custody log's source
/// hashes, and `errors --json` (its lines sorted: problems at one place
/// come in no set order).
type Figures = (String, Vec<String>, Vec<String>);

/// The embedded case's figures, for comparing.
fn embedded(dir: &Path, sources: &[PathBuf], passwords: &Path) -> Figures {
    let case = dir.join("embedded");
    assert_eq!(
        lc([OsStr::new("init"), case.as_os_str(), OsStr::new("-q")]).code,
        0
    );
    let mut args = vec![
        OsStr::new("ingest"),
        case.as_os_str(),
        OsStr::new("--ocr-later"),
        OsStr::new("--passwords"),
        passwords.as_os_str(),
        OsStr::new("-q"),
    ];
    args.extend(sources.iter().map(|s| s.as_os_str()));
    assert!(lc(args).code <= 1);
    figures(&case)
}

fn figures(case: &Path) -> Figures {
    let stats = lc([OsStr::new("stats"), case.as_os_str(), OsStr::new("--json")]);
    assert_eq!(stats.code, 0, "stats: {}", stats.stderr);
    let custody = std::fs::read_to_string(case.join("custody.jsonl")).unwrap();
    let hashes = custody
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["event"] == "finished")
        .map(|e| format!("{} {}", e["path"], e["sha256"]))
        .collect();
    let errors = lc([OsStr::new("errors"), case.as_os_str(), OsStr::new("--json")]);
    assert!(errors.code <= 1, "errors: {}", errors.stderr);
    let mut problems: Vec<String> = errors.stdout.lines().map(String::from).collect();
    problems.sort();
    assert!(!problems.is_empty(), "the demo dump has problems to list");
    (stats.stdout, hashes, problems)
}

/// Every place's row, as the embedded catalog has it and as PostgreSQL does.
fn places_match(embedded: &Path, db: &Db) {
    let file = rusqlite::Connection::open(embedded.join("catalog.sqlite")).unwrap();
    let sql = "SELECT parent, path, position, display, depth, coalesce(item, '-') FROM occurrences
               ORDER BY parent, path, position";
    let mut stmt = file.prepare(sql).unwrap();
    let mine: Vec<String> = stmt
        .query_map([], |r| {
            Ok(format!(
                "{}|{}|{}|{}|{}|{}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let theirs: Vec<String> = db
        .client()
        .query(sql, &[])
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}|{}|{}",
                r.get::<_, String>(0),
                r.get::<_, String>(1),
                r.get::<_, i64>(2),
                r.get::<_, String>(3),
                r.get::<_, i32>(4),
                r.get::<_, String>(5)
            )
        })
        .collect();
    assert_eq!(mine.len(), theirs.len(), "places");
    for (a, b) in mine.iter().zip(&theirs) {
        assert_eq!(a, b);
    }
}

fn finish_ingest(ingest: Child) -> serde_json::Value {
    let out = ingest.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "ingest: {stderr}"
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"))
}

#[test]
fn three_workers_give_the_figures_of_one_embedded_run() {
    let Some(db) = Db::new("three") else { return };
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let passwords = dir.path().join("demo-passwords.txt");
    let mut sources = vec![dir.path().join("demo-dump")];
    // The shared email corpus too, when it is here (real mail: 6,500 files).
    sources.extend(crate::util::corpus("email"));
    let (stats, hashes, problems) = embedded(dir.path(), &sources, &passwords);

    let case = dir.path().join("team");
    db.init(&case);
    let ingest = start_ingest(&case, &sources, &passwords, 64);
    let mut workers: Vec<Child> = (0..3).map(|_| worker(&case)).collect();
    let report = finish_ingest(ingest);
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    assert!(report["jobs"].as_u64().unwrap() >= 1, "{report}");
    let (team_stats, team_hashes, team_problems) = figures(&case);
    assert_eq!(team_stats, stats, "stats --json");
    assert_eq!(team_hashes, hashes, "custody manifests");
    assert_eq!(team_problems, problems, "errors --json");
    places_match(&dir.path().join("embedded"), &db);
    // Each worker took jobs: the work was shared.
    let takers: i64 = db
        .client()
        .query_one("SELECT count(DISTINCT leased_by) FROM jobs", &[])
        .unwrap()
        .get(0);
    if report["jobs"].as_u64().unwrap() >= 6 {
        assert!(takers >= 2, "one worker took every job");
    }
}

/// A deterministic sequence for the kill times (xorshift).
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn workers_killed_mid_job_lose_nothing() {
    let Some(db) = Db::new("kill") else { return };
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let passwords = dir.path().join("demo-passwords.txt");
    let sources = vec![dir.path().join("demo-dump")];
    let (stats, hashes, problems) = embedded(dir.path(), &sources, &passwords);

    let case = dir.path().join("team");
    db.init(&case);
    // A file a job: about forty jobs, so kills land in many of them.
    let ingest = start_ingest(&case, &sources, &passwords, 1);
    let mut workers: Vec<Child> = (0..3).map(|_| worker(&case)).collect();
    let mut client = db.client();
    let deadline = Instant::now() + Duration::from_secs(120);
    while client
        .query_one("SELECT count(*) FROM jobs", &[])
        .unwrap()
        .get::<_, i64>(0)
        == 0
    {
        assert!(Instant::now() < deadline, "ingest queued no job");
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut seed = 0x5eed_u64;
    let mut kills = 0;
    while kills < 6 && Instant::now() < deadline {
        // A worker holding a lease is in the middle of a job.
        let holders: Vec<String> = client
            .query(
                "SELECT leased_by FROM jobs WHERE state = 'leased' AND lease_until > now()",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let victim = workers
            .iter()
            .position(|w| holders.iter().any(|h| h.ends_with(&format!(":{}", w.id()))));
        let Some(victim) = victim else {
            if client
                .query_one(
                    "SELECT count(*) FROM jobs WHERE state IN ('queued', 'leased')",
                    &[],
                )
                .unwrap()
                .get::<_, i64>(0)
                == 0
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        std::thread::sleep(Duration::from_millis(next(&mut seed) % 60));
        let mut w = workers.swap_remove(victim);
        w.kill().unwrap(); // SIGKILL
        w.wait().unwrap();
        kills += 1;
        workers.push(worker(&case));
    }
    let report = finish_ingest(ingest);
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    assert_eq!(kills, 6, "the workers finished before six kills: {report}");
    let redone: i64 = client
        .query_one("SELECT count(*) FROM jobs WHERE attempts > 1", &[])
        .unwrap()
        .get(0);
    assert!(redone >= 1, "no kill landed in the middle of a job");
    let (team_stats, team_hashes, team_problems) = figures(&case);
    assert_eq!(
        team_stats, stats,
        "stats --json after {redone} jobs were redone"
    );
    assert_eq!(team_hashes, hashes, "custody manifests");
    assert_eq!(team_problems, problems, "errors --json");
    places_match(&dir.path().join("embedded"), &db);
}

#[test]
fn a_team_case_refuses_a_password_in_its_address_and_commands_it_cannot_run() {
    let Some(db) = Db::new("refuse") else { return };
    let dir = tempfile::tempdir().unwrap();
    let run = lc([
        OsStr::new("init"),
        dir.path().join("c").as_os_str(),
        OsStr::new("--catalog"),
        OsStr::new("postgres://ana:secret@localhost/leaks"),
    ]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("LEAKCHECK_CATALOG_PASSWORD"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("c").join("case.toml").exists());

    let case = dir.path().join("team");
    db.init(&case);
    assert!(
        !case.join("catalog.sqlite").exists(),
        "a team case has no embedded catalog"
    );
    let run = lc([OsStr::new("ls"), case.as_os_str()]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("team case"), "{}", run.stderr);
    let jobs = lc([OsStr::new("jobs"), case.as_os_str(), OsStr::new("--json")]);
    assert_eq!(jobs.code, 0, "{}", jobs.stderr);
    assert_eq!(jobs.json()["queued"], 0);
}
