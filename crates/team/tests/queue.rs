//! The queue and migrations against a real PostgreSQL, named by
//! `LEAKCHECK_TEST_POSTGRES` (a connection string: `.ci/postgres.sh` starts
//! a throwaway cluster and prints it). Each test works in a schema of its
//! own, dropped at the end.

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use leakcheck_team::{JobState, Queue, TeamError, listen, migrate, wait};
use serde_json::json;

mod schema;
use schema::Schema;

/// A migrated queue for `worker` in `db`.
fn queue(db: &Schema, worker: &str) -> Queue {
    let mut c = db.client();
    migrate(&mut c).unwrap();
    Queue::new(c, worker)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn migrations_apply_once_even_when_two_processes_start_together() {
    let Some(db) = Schema::new("migrate") else {
        return;
    };
    let start = Arc::new(Barrier::new(2));
    let applied: Vec<Vec<i32>> = (0..2)
        .map(|_| {
            let (mut c, start) = (db.client(), start.clone());
            thread::spawn(move || {
                start.wait();
                migrate(&mut c).unwrap()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    let mut all: Vec<i32> = applied.concat();
    all.sort();
    let every: Vec<i32> = leakcheck_team::MIGRATIONS.iter().map(|m| m.0).collect();
    assert_eq!(all, every, "each migration applied by exactly one of them");
    assert!(migrate(&mut db.client()).unwrap().is_empty());
}

#[test]
fn workers_never_take_the_same_job() {
    let Some(db) = Schema::new("share") else {
        return;
    };
    let mut q = queue(&db, "enqueuer");
    for n in 0..200 {
        q.enqueue("count", &json!({ "n": n }), 3).unwrap();
    }
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let mut q = queue(&db, &format!("w{w}"));
            thread::spawn(move || {
                let mut got = Vec::new();
                while let Some(lease) = q.lease(None, Duration::from_secs(30)).unwrap() {
                    assert_eq!(lease.attempt, 1);
                    got.push(lease.payload["n"].as_i64().unwrap());
                    q.finish(&lease).unwrap();
                }
                got
            })
        })
        .collect();
    let mut taken: Vec<i64> = workers
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    taken.sort();
    assert_eq!(taken, (0..200).collect::<Vec<_>>(), "each job once");
    let status = q.status().unwrap();
    assert_eq!((status.done, status.queued, status.leased), (200, 0, 0));
}

#[test]
fn an_expired_lease_goes_to_the_next_worker_and_the_first_cannot_finish() {
    let Some(db) = Schema::new("expire") else {
        return;
    };
    let (mut a, mut b) = (queue(&db, "a"), queue(&db, "b"));
    let id = a.enqueue("slow", &json!({}), 3).unwrap();
    // Leases long enough that a loaded machine does not let them expire
    // between two statements.
    let first = a.lease(None, ms(1500)).unwrap().unwrap();
    assert_eq!((first.id, first.attempt), (id, 1));
    assert_eq!(b.lease(None, ms(1500)).unwrap(), None, "held");
    thread::sleep(ms(1800));
    let second = b.lease(None, ms(5000)).unwrap().unwrap();
    assert_eq!((second.id, second.attempt), (id, 2));
    assert!(matches!(
        a.heartbeat(&first, ms(1500)),
        Err(TeamError::LeaseLost { attempt: 1, .. })
    ));
    assert!(matches!(a.finish(&first), Err(TeamError::LeaseLost { .. })));
    assert!(matches!(
        a.fail(&first, "late"),
        Err(TeamError::LeaseLost { .. })
    ));
    let status = b.status().unwrap();
    assert_eq!(status.leases.len(), 1);
    assert_eq!(status.leases[0].worker, "b");
    assert!(status.leases[0].seconds_left > 3.0);
    b.finish(&second).unwrap();
    assert_eq!(b.status().unwrap().done, 1);
}

#[test]
fn heartbeats_keep_a_lease_past_its_first_expiry() {
    let Some(db) = Schema::new("heartbeat") else {
        return;
    };
    let (mut a, mut b) = (queue(&db, "a"), queue(&db, "b"));
    a.enqueue("long", &json!({}), 3).unwrap();
    let lease = a.lease(None, ms(1500)).unwrap().unwrap();
    for _ in 0..4 {
        thread::sleep(ms(500));
        a.heartbeat(&lease, ms(1500)).unwrap();
        assert_eq!(b.lease(None, ms(1500)).unwrap(), None);
    }
    a.finish(&lease).unwrap();
}

#[test]
fn a_job_out_of_attempts_is_left_failed_with_its_error() {
    let Some(db) = Schema::new("fail") else {
        return;
    };
    let mut q = queue(&db, "w");
    let flaky = q.enqueue("flaky", &json!({}), 2).unwrap();
    let lease = q.lease(Some("flaky"), ms(5000)).unwrap().unwrap();
    assert_eq!(q.fail(&lease, "disk full").unwrap(), JobState::Queued);
    let lease = q.lease(Some("flaky"), ms(5000)).unwrap().unwrap();
    assert_eq!((lease.id, lease.attempt), (flaky, 2));
    assert_eq!(q.fail(&lease, "disk still full").unwrap(), JobState::Failed);
    // A worker that dies on a job's last attempt fails it too.
    let dies = q.enqueue("dies", &json!({}), 1).unwrap();
    q.lease(Some("dies"), ms(200)).unwrap().unwrap();
    thread::sleep(ms(400));
    assert_eq!(q.lease(None, ms(200)).unwrap(), None);
    let status = q.status().unwrap();
    assert_eq!((status.failed, status.queued, status.leased), (2, 0, 0));
    let errors: BTreeMap<i64, (i32, String)> = status
        .failures
        .into_iter()
        .map(|f| (f.id, (f.attempts, f.error)))
        .collect();
    assert_eq!(errors[&flaky], (2, "disk still full".to_string()));
    assert_eq!(errors[&dies].0, 1);
    assert!(
        errors[&dies].1.contains("w stopped answering"),
        "{}",
        errors[&dies].1
    );
}

#[test]
fn a_worker_whose_connection_dies_mid_job_loses_nothing() {
    let Some(db) = Schema::new("dies") else {
        return;
    };
    let mut q = queue(&db, "survivor");
    for n in 0..20 {
        q.enqueue("item", &json!({ "n": n }), 3).unwrap();
    }
    // A worker takes three jobs and vanishes (its connection closes with
    // no word, as when its process is killed).
    let mut dead = queue(&db, "killed");
    for _ in 0..3 {
        dead.lease(None, ms(300)).unwrap().unwrap();
    }
    drop(dead);
    let mut done = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while done.len() < 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "the dead worker's leases never expired"
        );
        match q.lease(None, ms(5000)).unwrap() {
            Some(lease) => {
                done.push((lease.payload["n"].as_i64().unwrap(), lease.attempt));
                q.finish(&lease).unwrap();
            }
            None => thread::sleep(ms(50)),
        }
    }
    done.sort();
    let numbers: Vec<i64> = done.iter().map(|d| d.0).collect();
    assert_eq!(numbers, (0..20).collect::<Vec<_>>());
    assert_eq!(
        done.iter().filter(|d| d.1 == 2).count(),
        3,
        "the dead worker's three, again"
    );
    assert_eq!(q.status().unwrap().done, 20);
}

#[test]
fn a_waiting_worker_hears_of_a_job_the_moment_it_is_queued() {
    let Some(db) = Schema::new("news") else {
        return;
    };
    let mut waiting = db.client();
    migrate(&mut waiting).unwrap();
    listen(&mut waiting).unwrap();
    let elsewhere_db = Schema::new("news_other").unwrap();
    let mut other = elsewhere_db.client();
    migrate(&mut other).unwrap();
    let enqueuer = {
        let mut q = queue(&db, "enqueuer");
        let mut elsewhere = Queue::new(other, "elsewhere");
        thread::spawn(move || {
            // A job in another case's schema is not news here.
            elsewhere.enqueue("count", &json!({}), 3).unwrap();
            thread::sleep(ms(300));
            let id = q.enqueue("count", &json!({}), 3).unwrap();
            let lease = q.lease(None, ms(5000)).unwrap().unwrap();
            assert_eq!(lease.id, id);
            thread::sleep(ms(300));
            q.finish(&lease).unwrap();
        })
    };
    let started = Instant::now();
    wait(&mut waiting, Duration::from_secs(60), &["queued"]).unwrap();
    let heard = started.elapsed();
    assert!(
        heard >= ms(300),
        "woken by the other schema's job ({heard:?})"
    );
    assert!(heard < Duration::from_secs(20), "not woken ({heard:?})");
    // Its lease is not what a command waiting for jobs to end listens for;
    // the job's end is.
    wait(&mut waiting, Duration::from_secs(60), &["done", "failed"]).unwrap();
    assert!(
        started.elapsed() >= ms(600),
        "woken before the job was done"
    );
    enqueuer.join().unwrap();
    // With nothing moving, a wait lasts its timeout.
    let idle = Instant::now();
    wait(&mut waiting, ms(400), &["queued"]).unwrap();
    assert!(idle.elapsed() >= ms(400));
}
