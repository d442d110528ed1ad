//! Worker processes killed with SIGKILL at random moments lose nothing:
//! three workers share 240 jobs, six times one of them is killed and a new
//! one started, and at the end every job is done once, with the result a
//! single clean run gives. Each job writes its result in two steps with a
//! pause between (a kill can land between them); a job done again
//! overwrites both, as ingest's records do.
//!
//! The binary is its own worker: started with `LEAKCHECK_KILL_WORKER` set
//! to a schema, it works there until the queue is drained.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use leakcheck_core::testing::skip;
use leakcheck_team::{Queue, WorkerOptions, migrate, work};
use postgres::{Client, NoTls};
use serde_json::json;

const JOBS: i64 = 240;
const TEST: &str = "workers_killed_at_random_moments_lose_nothing";

fn connect(url: &str, schema: &str) -> leakcheck_team::Result<Client> {
    let mut c = Client::connect(url, NoTls)?;
    c.batch_execute(&format!("SET search_path TO {schema}"))?;
    Ok(c)
}

/// What job `n` writes: a value a clean run would give.
fn value(n: i64) -> i64 {
    n * n + 7
}

fn worker(url: &str, schema: &str) {
    let options = WorkerOptions {
        lease: Duration::from_millis(600),
        kind: None,
        idle: Duration::from_millis(50),
        until_drained: true,
    };
    let mut db = connect(url, schema).unwrap();
    let name = format!("worker-{}", std::process::id());
    work(|| connect(url, schema), &name, &options, |lease| {
        let n = lease.payload["n"].as_i64().ok_or("no n")?;
        let step = |sql: &str, db: &mut Client| {
            db.execute(sql, &[&n, &value(n)])
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        step(
            "INSERT INTO half (n, v) VALUES ($1, $2) ON CONFLICT (n) DO UPDATE SET v = excluded.v",
            &mut db,
        )?;
        std::thread::sleep(Duration::from_millis(30));
        step(
            "INSERT INTO results (n, v) VALUES ($1, $2::bigint + 1) ON CONFLICT (n) DO UPDATE SET v = excluded.v",
            &mut db,
        )
    })
    .unwrap();
}

/// SplitMix64, so the kill times are the same every run.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn main() {
    let Ok(url) = std::env::var("LEAKCHECK_TEST_POSTGRES") else {
        std::thread::Builder::new()
            .name(TEST.into())
            .spawn(|| {
                skip("LEAKCHECK_TEST_POSTGRES is not set (eval \"$(.ci/postgres.sh)\" starts a cluster)")
            })
            .unwrap()
            .join()
            .unwrap_or_else(|_| std::process::exit(101));
        return;
    };
    if let Ok(schema) = std::env::var("LEAKCHECK_KILL_WORKER") {
        return worker(&url, &schema);
    }
    let schema = format!("t_kill_{}", std::process::id());
    let mut c = Client::connect(&url, NoTls).unwrap();
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema};
         CREATE TABLE half (n bigint PRIMARY KEY, v bigint NOT NULL);
         CREATE TABLE results (n bigint PRIMARY KEY, v bigint NOT NULL);"
    ))
    .unwrap();
    migrate(&mut c).unwrap();
    let mut queue = Queue::new(c, "driver");
    for n in 0..JOBS {
        queue.enqueue("square", &json!({ "n": n }), 20).unwrap();
    }
    let me = std::env::current_exe().unwrap();
    let start = || -> Child {
        Command::new(&me)
            .env("LEAKCHECK_KILL_WORKER", &schema)
            .spawn()
            .unwrap()
    };
    let mut workers: Vec<Child> = (0..3).map(|_| start()).collect();
    let mut rng = 2017u64;
    for _ in 0..6 {
        std::thread::sleep(Duration::from_millis(100 + next(&mut rng) % 300));
        let victim = (next(&mut rng) % 3) as usize;
        let _ = workers[victim].kill(); // SIGKILL
        let _ = workers[victim].wait();
        workers[victim] = start();
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    for w in &mut workers {
        while w.try_wait().unwrap().is_none() {
            assert!(
                Instant::now() < deadline,
                "workers still running after 2 minutes"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let status = queue.status().unwrap();
    assert_eq!(
        (status.done, status.failed, status.queued, status.leased),
        (JOBS as u64, 0, 0, 0),
        "first failure: {:?}",
        status.failures.first()
    );
    let mut c = connect(&url, &schema).unwrap();
    let rows = c.query("SELECT n, v FROM results ORDER BY n", &[]).unwrap();
    let results: Vec<(i64, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let clean: Vec<(i64, i64)> = (0..JOBS).map(|n| (n, value(n) + 1)).collect();
    assert_eq!(results, clean);
    let redone: i64 = c
        .query_one("SELECT count(*) FROM jobs WHERE attempts > 1", &[])
        .unwrap()
        .get(0);
    assert!(
        redone > 0,
        "no kill landed on a job: the test tested nothing"
    );
    c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
    println!("test {TEST} ... ok ({redone} of {JOBS} jobs done again after a kill)");
}
