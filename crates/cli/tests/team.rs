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
pub(crate) struct Db {
    pub(crate) url: String,
    pub(crate) schema: String,
}

impl Db {
    pub(crate) fn new(test: &str) -> Option<Db> {
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

    // An indexer following the catalog brings the team case's index up to
    // the workers' writes, and stays on through verify (whose own sync
    // waits for it).
    let mut follower = Command::new(bin())
        .arg("index")
        .arg(&case)
        .args(["--follow", "--every", "1", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        let row = db
            .client()
            .query_one(
                "SELECT (SELECT count(*) FROM search_indexed) = (SELECT count(*) FROM items),
                        (SELECT value FROM meta WHERE key = 'search_synced')
                          IS NOT DISTINCT FROM
                        (SELECT value FROM meta WHERE key = 'search_generation')",
                &[],
            )
            .unwrap();
        if row.get::<_, bool>(0) && row.get::<_, bool>(1) {
            break;
        }
        assert!(Instant::now() < until, "index --follow did not catch up");
        std::thread::sleep(Duration::from_millis(200));
    }

    // Verified with the demo's keys (the team case's emails checked by the
    // same workers), both give the same findings and verdicts for every
    // item, and the same figures with the verdicts in them.
    let embedded = dir.path().join("embedded");
    import_keys(&dir.path().join("demo-case"), &[&embedded, &case]);
    let (mine, theirs) = (
        verify_json(&embedded, &[]),
        verify_json(&case, &["--job-emails", "100"]),
    );
    let authentic = mine
        .iter()
        .filter(|l| l.contains("\"verdict\":\"authentic\",\"findings\""))
        .count();
    assert!(
        authentic >= 3,
        "{authentic} items proven authentic with the demo's keys"
    );
    let verify_takers: i64 = db
        .client()
        .query_one(
            "SELECT count(DISTINCT leased_by) FROM jobs WHERE kind = 'verify-emails'",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(verify_takers >= 2, "one worker took every verify job");
    assert_eq!(theirs.len(), mine.len(), "verify --json lines");
    for (a, b) in mine.iter().zip(&theirs) {
        assert_eq!(b, a, "verify --json");
    }
    assert_eq!(
        figures(&case).0,
        figures(&embedded).0,
        "stats --json after verify"
    );
    // The team case's index (this machine's, following the shared catalog)
    // finds what the embedded case's finds.
    let queries = dir.path().join("queries.txt");
    std::fs::write(
        &queries,
        "verdict:authentic\nverdict:altered\ncheck:email.dkim\nréunion\nvirement\n",
    )
    .unwrap();
    assert_eq!(
        searched(&case, &queries),
        searched(&embedded, &queries),
        "search --batch --json"
    );
    let _ = follower.kill();
    let followed = follower.wait_with_output().unwrap();
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&followed.stdout)
            .lines()
            .next()
            .expect("index --follow said nothing"),
    )
    .unwrap();
    assert!(first["indexed"].as_u64() > Some(40), "{first}");
    // A second pass finds nothing changed, on either.
    for c in [&embedded, &case] {
        let again = lc([OsStr::new("verify"), c.as_os_str(), OsStr::new("--verbose")]);
        assert!(again.code <= 1, "verify again: {}", again.stderr);
        assert!(
            again.stdout.contains("nothing re-checked"),
            "{}",
            again.stdout
        );
    }
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
}

/// `search --batch FILE --json`'s results, each with its hits in id order
/// and without the time it took or the scores: which hits tie is up to the
/// index's segments, not what they hold.
fn searched(case: &Path, queries: &Path) -> Vec<serde_json::Value> {
    let run = lc([
        OsStr::new("search"),
        case.as_os_str(),
        OsStr::new("--batch"),
        queries.as_os_str(),
        OsStr::new("--json"),
        OsStr::new("--limit"),
        OsStr::new("10000"),
    ]);
    assert_eq!(run.code, 0, "search: {}", run.stderr);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let r = v["result"].as_object_mut().unwrap();
            r.remove("took_ms");
            let hits = r["hits"].as_array_mut().unwrap();
            for h in hits.iter_mut() {
                h.as_object_mut().unwrap().remove("score");
            }
            hits.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
            v
        })
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["result"]["total"].as_u64() > Some(0)),
        "{}",
        run.stdout
    );
    lines
}

/// Imports `from`'s DKIM keys into `to`, through `keys list --json` and
/// `keys import`, and checks that `keys list` shows them there.
fn import_keys(from: &Path, to: &[&Path]) {
    let list = lc([
        OsStr::new("keys"),
        OsStr::new("list"),
        from.as_os_str(),
        OsStr::new("--json"),
    ]);
    assert_eq!(list.code, 0, "keys list: {}", list.stderr);
    let mut file = String::new();
    for line in list.stdout.lines() {
        let k: serde_json::Value = serde_json::from_str(line).unwrap();
        file.push_str(&format!(
            "{} {}\n",
            k["name"].as_str().unwrap(),
            k["txt"].as_str().unwrap()
        ));
    }
    let path = from.with_extension("keys.txt");
    std::fs::write(&path, &file).unwrap();
    for case in to {
        let import = lc([
            OsStr::new("keys"),
            OsStr::new("import"),
            case.as_os_str(),
            path.as_os_str(),
            OsStr::new("--source"),
            OsStr::new("the demo"),
            OsStr::new("-q"),
        ]);
        assert_eq!(import.code, 0, "keys import: {}", import.stderr);
        let listed = lc([
            OsStr::new("keys"),
            OsStr::new("list"),
            case.as_os_str(),
            OsStr::new("--json"),
        ]);
        assert_eq!(
            listed.stdout.lines().count(),
            file.lines().count(),
            "{}",
            listed.stderr
        );
    }
}

/// `verify --json`'s lines (one per item, in id order), each case's
/// first ingest time (what the document checks date files against) named
/// alike: the two cases were ingested a few seconds apart.
fn verify_json(case: &Path, options: &[&str]) -> Vec<String> {
    let mut args = vec![OsStr::new("verify"), case.as_os_str(), OsStr::new("--json")];
    args.extend(options.iter().map(OsStr::new));
    let run = lc(args);
    assert!(run.code <= 1, "verify: {}", run.stderr);
    normalised(case, &run.stdout)
}

/// `verify --json`'s lines as [`verify_json`] gives them.
fn normalised(case: &Path, stdout: &str) -> Vec<String> {
    let custody = std::fs::read_to_string(case.join("custody.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(custody.lines().next().unwrap()).unwrap();
    let ingested = format!("\"ingested\":\"{}\"", first["time"].as_str().unwrap());
    assert!(stdout.contains(&ingested), "{ingested}");
    let lines: Vec<String> = stdout
        .lines()
        .map(|l| l.replace(&ingested, "\"ingested\":\"(first ingest)\""))
        .collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "verify --json is in id order");
    assert!(lines.len() > 40, "{} items verified", lines.len());
    lines
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
    let kills = kill_holders(
        &mut client,
        &case,
        &mut workers,
        "ingest-page",
        0x5eed,
        deadline,
    );
    let report = finish_ingest(ingest);
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    assert_eq!(kills, 6, "the workers finished before six kills: {report}");
    let redone = redone(&mut client, "ingest-page");
    assert!(redone >= 1, "no kill landed in the middle of a job");
    let (team_stats, team_hashes, team_problems) = figures(&case);
    assert_eq!(
        team_stats, stats,
        "stats --json after {redone} jobs were redone"
    );
    assert_eq!(team_hashes, hashes, "custody manifests");
    assert_eq!(team_problems, problems, "errors --json");
    places_match(&dir.path().join("embedded"), &db);

    // Verify, an email a job, its workers killed as they check.
    let mine = verify_json(&dir.path().join("embedded"), &[]);
    let mut verify = Command::new(bin())
        .args([OsStr::new("verify"), case.as_os_str()])
        .args(["--json", "--job-emails", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start verify");
    let mut workers: Vec<Child> = (0..3).map(|_| worker(&case)).collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    let kills = kill_holders(
        &mut client,
        &case,
        &mut workers,
        "verify-emails",
        0xfeed,
        deadline,
    );
    let out = std::mem::take(&mut verify.stdout).map(std::io::read_to_string);
    let status = verify.wait().unwrap();
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    let stdout = out.unwrap().unwrap();
    assert!(status.code().is_some_and(|c| c <= 1), "verify: {status}");
    let redone = self::redone(&mut client, "verify-emails");
    assert!(
        kills >= 3 && redone >= 1,
        "{kills} kills, {redone} verify jobs redone"
    );
    let theirs = normalised(&case, &stdout);
    assert_eq!(theirs.len(), mine.len(), "verify --json lines");
    for (a, b) in mine.iter().zip(&theirs) {
        assert_eq!(b, a, "verify --json after {redone} jobs were redone");
    }
}

/// Kills (SIGKILL) a worker that holds a lease on a job of `kind`, after
/// a seeded delay, and starts another in its place, six times or until
/// no job of `kind` is open. Says how many it killed.
fn kill_holders(
    client: &mut Client,
    case: &Path,
    workers: &mut Vec<Child>,
    kind: &str,
    seed: u64,
    deadline: Instant,
) -> u32 {
    let mut seed = seed;
    let mut kills = 0;
    let mut queued = false;
    while kills < 6 && Instant::now() < deadline {
        // A worker holding a lease is in the middle of a job.
        let holders: Vec<String> = client
            .query(
                "SELECT leased_by FROM jobs WHERE kind = $1 AND state = 'leased' AND lease_until > now()",
                &[&kind],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let victim = workers
            .iter()
            .position(|w| holders.iter().any(|h| h.ends_with(&format!(":{}", w.id()))));
        let Some(victim) = victim else {
            let (all, open): (i64, i64) = client
                .query_one(
                    "SELECT count(*), count(*) FILTER (WHERE state IN ('queued', 'leased'))
                     FROM jobs WHERE kind = $1",
                    &[&kind],
                )
                .map(|r| (r.get(0), r.get(1)))
                .unwrap();
            queued |= all > 0;
            if queued && open == 0 {
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
        workers.push(worker(case));
    }
    kills
}

/// What the read commands print about `case`: the listing, an email, its
/// thread, the people, the timeline and the CSV export.
fn reads(case: &Path) -> Vec<(String, String)> {
    let run = |args: &[&str]| -> (String, String) {
        let out = lc([OsStr::new(args[0]), case.as_os_str()]
            .into_iter()
            .chain(args[1..].iter().map(OsStr::new)));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        (args.join(" "), out.stdout)
    };
    let ls = run(&["ls", "--json"]);
    let email =
        ls.1.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|v| v["kind"] == "email")
            .expect("an email")["id"]
            .as_str()
            .unwrap()
            .to_string();
    assert!(!email.is_empty());
    vec![
        ls,
        run(&["show", &email, "--json"]),
        run(&["thread", &email, "--json"]),
        run(&["people", "--json"]),
        run(&["timeline", "--json"]),
        run(&["export", "--format", "csv"]),
    ]
}

/// Jobs of `kind` that took more than one attempt.
fn redone(client: &mut Client, kind: &str) -> i64 {
    client
        .query_one(
            "SELECT count(*) FROM jobs WHERE kind = $1 AND attempts > 1",
            &[&kind],
        )
        .unwrap()
        .get(0)
}

#[test]
fn an_embedded_case_moves_to_team_mode_without_ingesting_again() {
    let Some(db) = Db::new("migrate") else { return };
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let passwords = dir.path().join("demo-passwords.txt");
    let sources = vec![dir.path().join("demo-dump")];
    let (_, hashes, problems) = embedded(dir.path(), &sources, &passwords);
    let case = dir.path().join("embedded");
    let reports = verify_json(&case, &[]);
    let (stats, _, _) = figures(&case);
    assert!(stats.contains("\"by_verdict\":{\""), "{stats}");
    // The workbench's records move too: a user, and what the access log
    // says of them, in a case of their own.
    let other = dir.path().join("with-users");
    assert_eq!(
        lc([OsStr::new("init"), other.as_os_str(), OsStr::new("-q")]).code,
        0
    );
    let mut child = Command::new(bin())
        .args(["user", "add"])
        .arg(&other)
        .args(["ana", "--password-stdin", "-q"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"a long password 1\n").unwrap();
    assert!(child.wait().unwrap().success());
    let users_db = Db::new("migrate_users").unwrap();
    let moved = migrate(&other, &users_db);
    assert_eq!(moved.code, 0, "{}", moved.stderr);
    let tables: serde_json::Value = serde_json::from_str(&moved.stdout).unwrap();
    assert_eq!(
        (&tables["tables"]["users"], &tables["tables"]["access_log"]),
        (&1.into(), &1.into()),
        "{tables}"
    );
    let listed = lc([OsStr::new("user"), OsStr::new("list"), other.as_os_str()]);
    assert!(listed.stdout.starts_with("ana "), "{}", listed.stdout);
    let log = lc([OsStr::new("user"), OsStr::new("log"), other.as_os_str()]);
    assert!(log.stdout.contains("user-put"), "{}", log.stdout);

    let read = reads(&case);
    let run = migrate(&case, &db);
    assert_eq!(run.code, 0, "migrate: {}", run.stderr);
    let tables: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        tables["tables"]["findings"].as_u64().unwrap() > 0,
        "{tables}"
    );
    assert!(!case.join("catalog.sqlite").exists());
    assert!(case.join("catalog.sqlite.migrated").exists());
    let toml = std::fs::read_to_string(case.join("case.toml")).unwrap();
    assert!(toml.contains("[team]"), "{toml}");

    // The read commands print the same, from the case's replica.
    for ((what, embedded), (_, team)) in read.iter().zip(reads(&case)) {
        assert_eq!(&team, embedded, "{what}");
    }
    assert!(case.join("replica/catalog.sqlite").exists());

    // The same figures, and the last pass stands: nothing to re-check.
    let (team_stats, team_hashes, team_problems) = figures(&case);
    assert_eq!(team_stats, stats, "stats --json");
    assert_eq!(team_hashes, hashes, "custody manifests");
    assert_eq!(team_problems, problems, "errors --json");
    let again = lc([
        OsStr::new("verify"),
        case.as_os_str(),
        OsStr::new("--verbose"),
    ]);
    assert!(
        again.stdout.contains("nothing re-checked"),
        "{}",
        again.stdout
    );
    assert_eq!(verify_json(&case, &[]), reports, "verify --json");
    // A second pass from scratch, by workers, finds what the embedded one did.
    let mut workers: Vec<Child> = (0..2).map(|_| worker(&case)).collect();
    let all = verify_json(&case, &["--all"]);
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    assert_eq!(all, reports, "verify --all --json");

    // A key added while the workers check the emails: the pass refuses to
    // end on findings made with the old keys, and the last pass stands.
    let verify = Command::new(bin())
        .args([
            OsStr::new("verify"),
            case.as_os_str(),
            OsStr::new("--all"),
            OsStr::new("-q"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut client = db.client();
    let queued = Instant::now();
    while client
        .query_one("SELECT count(*) FROM jobs WHERE state = 'queued'", &[])
        .unwrap()
        .get::<_, i64>(0)
        == 0
    {
        assert!(
            queued.elapsed() < Duration::from_secs(60),
            "verify queued nothing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let add = lc([
        OsStr::new("keys"),
        OsStr::new("add"),
        case.as_os_str(),
        OsStr::new("--record"),
        OsStr::new(
            "new._domainkey.example.org v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKJ",
        ),
        OsStr::new("--source"),
        OsStr::new("a test"),
        OsStr::new("-q"),
    ]);
    assert_eq!(add.code, 0, "keys add: {}", add.stderr);
    let mut helper = worker(&case);
    let out = verify.wait_with_output().unwrap();
    let _ = helper.kill();
    let _ = helper.wait();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the case changed"), "{stderr}");
    assert_eq!(verify_json(&case, &[]).len(), reports.len());

    let twice = migrate(&case, &db);
    assert!(
        twice.stderr.contains("already a team case"),
        "{}",
        twice.stderr
    );
}

#[test]
fn a_team_case_refuses_a_password_in_its_address_and_reads_through_a_replica() {
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
    // A command that reads the catalog reads the case's replica.
    let run = lc([OsStr::new("ls"), case.as_os_str(), OsStr::new("--json")]);
    assert!(run.code <= 1, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(case.join("replica/catalog.sqlite").exists());
    let jobs = lc([OsStr::new("jobs"), case.as_os_str(), OsStr::new("--json")]);
    assert_eq!(jobs.code, 0, "{}", jobs.stderr);
    assert_eq!(jobs.json()["queued"], 0);
}

/// `migrate CASE --json` into `db`'s schema.
pub(crate) fn migrate(case: &Path, db: &Db) -> crate::util::Run {
    lc([
        OsStr::new("migrate"),
        case.as_os_str(),
        OsStr::new("--to"),
        OsStr::new(&db.url),
        OsStr::new("--schema"),
        OsStr::new(&db.schema),
        OsStr::new("--json"),
    ])
}

/// An embedded case of `sources` (OCR left for later) and a copy of it
/// moved to `db`: the pair a write is compared on.
fn twins(dir: &Path, sources: &[&Path], db: &Db) -> (PathBuf, PathBuf) {
    let mut made = Vec::new();
    for name in ["embedded", "team"] {
        let case = dir.join(name);
        assert_eq!(
            lc([OsStr::new("init"), case.as_os_str(), OsStr::new("-q")]).code,
            0
        );
        let run = lc([
            OsStr::new("ingest"),
            case.as_os_str(),
            OsStr::new("--ocr-later"),
            OsStr::new("-q"),
        ]
        .into_iter()
        .chain(sources.iter().map(|s| s.as_os_str())));
        assert!(run.code <= 1, "ingest: {}", run.stderr);
        made.push(case);
    }
    let run = migrate(&made[1], db);
    assert_eq!(run.code, 0, "migrate: {}", run.stderr);
    (made.remove(0), made.remove(0))
}

#[test]
fn ocr_posts_import_and_keys_recover_write_a_team_case() {
    let Some(db) = Db::new("writes") else { return };
    let Some(keys_db) = Db::new("writes_keys") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let dump = dir.path().join("demo-dump");
    let (embedded, team) = twins(&dir.path().join("posts"), &[&dump], &db);

    // Posts imported into each, matched against each: the same list.
    let posts = dir.path().join("demo-posts").join("x");
    for case in [&embedded, &team] {
        let run = lc([
            OsStr::new("posts"),
            OsStr::new("import"),
            case.as_os_str(),
            posts.as_os_str(),
            OsStr::new("--json"),
        ]);
        assert!(run.code <= 1, "posts import: {}", run.stderr);
    }
    let listed = |case: &Path| {
        let run = lc([
            OsStr::new("posts"),
            OsStr::new("list"),
            case.as_os_str(),
            OsStr::new("--json"),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let list = listed(&embedded);
    assert!(list.lines().count() >= 2, "{list}");
    assert_eq!(listed(&team), list, "posts list --json");
    let in_pg: i64 = db
        .client()
        .query_one("SELECT count(*) FROM posts", &[])
        .unwrap()
        .get(0);
    assert_eq!(in_pg as usize, list.lines().count());

    // OCR on each: the same layers (where Tesseract and poppler are).
    if crate::ocr::engines() {
        for case in [&embedded, &team] {
            let run = lc([OsStr::new("ocr"), case.as_os_str(), OsStr::new("-q")]);
            assert_eq!(run.code, 0, "ocr: {}", run.stderr);
        }
        let read: i64 = db
            .client()
            .query_one("SELECT count(*) FROM ocr_pages", &[])
            .unwrap()
            .get(0);
        assert!(read > 0, "no OCR page reached the team catalog");
        let search = |case: &Path| {
            lc([
                OsStr::new("search"),
                case.as_os_str(),
                OsStr::new("facture"),
                OsStr::new("--json"),
            ])
            .stdout
        };
        let hits = |out: String| -> Vec<String> {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let mut ids: Vec<String> = v["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["id"].as_str().unwrap().to_string())
                .collect();
            ids.sort();
            ids
        };
        let found = hits(search(&embedded));
        assert!(!found.is_empty(), "OCR's text is not searchable");
        assert_eq!(hits(search(&team)), found, "search over OCR text");
    } else {
        leakcheck_core::testing::skip("OCR's team half: Tesseract or poppler is missing");
    }

    // A DKIM key recovered from the signatures, into the shared catalog.
    let keys_dump = dir.path().join("demo-keys-dump");
    let (_, keys_team) = twins(&dir.path().join("keys"), &[&keys_dump], &keys_db);
    let run = lc([
        OsStr::new("keys"),
        OsStr::new("recover"),
        keys_team.as_os_str(),
        OsStr::new("--json"),
    ]);
    assert_eq!(run.code, 0, "keys recover: {}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["outcome"], "recovered", "{}", run.stdout);
    let recovered: i64 = keys_db
        .client()
        .query_one("SELECT count(*) FROM recovered_keys", &[])
        .unwrap()
        .get(0);
    assert_eq!(recovered, 1);
}
