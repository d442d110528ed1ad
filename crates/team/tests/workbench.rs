//! The workbench's side of a team case: the replica a server reads, the
//! changes it writes to PostgreSQL (serialized there), the append-only
//! access log and the sessions. Needs the PostgreSQL that
//! `LEAKCHECK_TEST_POSTGRES` names (see tests/queue.rs).

use std::time::Duration;

use leakcheck_core::{ItemId, Kind, Record};
use leakcheck_store::{Case, CaseSettings, Decision, Error, Role, Shared, SharedSession, SpanRef};
use leakcheck_team::replica::Refreshed;
use leakcheck_team::{PgCatalog, TeamShared, migrate};
use postgres::{Client, NoTls};

mod schema;
use schema::Schema;

/// A migrated schema for `test`.
fn migrated(test: &str) -> Option<Schema> {
    let db = Schema::new(&format!("workbench_{test}"))?;
    migrate(&mut db.client()).unwrap();
    Some(db)
}

/// The workbench's side of `db`, with the replica `file`.
fn team_shared(db: &Schema, file: &std::path::Path) -> TeamShared {
    let (url, name) = (db.url.clone(), db.name.clone());
    let more = move || {
        let mut c = Client::connect(&url, NoTls)?;
        c.batch_execute(&format!("SET search_path TO {name}"))?;
        Ok(c)
    };
    TeamShared::new(db.client(), more, file).unwrap()
}

fn item(n: u8) -> (ItemId, Record) {
    let id = ItemId::of(&[n]);
    let record = Record::Item {
        id: id.clone(),
        size: 1,
        kind: Kind::Text,
    };
    (id, record)
}

#[test]
fn the_replica_follows_the_shared_catalog_and_changes_are_made_there() {
    let Some(db) = migrated("replica") else {
        return;
    };
    let mut pg = PgCatalog::new(db.client());
    let (a, ra) = item(1);
    let (b, rb) = item(2);
    pg.apply(&[ra]).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("c"), CaseSettings::named("t")).unwrap();
    let replica = case.catalog().unwrap();
    let shared = team_shared(&db, &case.catalog_file());

    let both = Refreshed {
        catalog: true,
        workbench: true,
    };
    assert_eq!(shared.refresh_now().unwrap(), both);
    assert_eq!(shared.refresh_now().unwrap(), Refreshed::default());
    assert_eq!(replica.item_count().unwrap(), 1);
    let (generation, _) = replica.search_generation().unwrap();

    // A tag: made in PostgreSQL, once however often it is asked for, on
    // items the catalog holds only; the replica copies the workbench alone.
    assert!(shared.add_tag(&a, "Check-Me", "ana").unwrap());
    assert!(!shared.add_tag(&a, "check-me", "bob").unwrap());
    assert!(matches!(
        shared.add_tag(&b, "x", "ana"),
        Err(Error::NoSuchItem(_))
    ));
    assert_eq!(replica.tags(&a).unwrap(), Vec::new());
    assert_eq!(
        shared.refresh_now().unwrap(),
        Refreshed {
            catalog: false,
            workbench: true
        }
    );
    let tags = replica.tags(&a).unwrap();
    assert_eq!(
        (tags.len(), tags[0].tag.as_str(), tags[0].added_by.as_str()),
        (1, "check-me", "ana")
    );
    assert!(replica.search_generation().unwrap().0 > generation);

    // Notes, redaction decisions and users, as the embedded catalog rules.
    assert!(matches!(
        shared.add_note(&a, "ana", "  "),
        Err(Error::Invalid(_))
    ));
    let seq = shared.add_note(&a, "ana", " seen twice ").unwrap();
    let span = SpanRef {
        text: "rendering".into(),
        start: 3,
        end: 9,
        kind: "phone".into(),
    };
    shared
        .decide_redaction(&a, &span, Decision::Accept, "ana")
        .unwrap();
    shared.put_user("ana", Role::Editor, "$hash").unwrap();
    assert!(matches!(
        shared.put_user("a b", Role::Viewer, "$hash"),
        Err(Error::Invalid(_))
    ));
    shared.refresh_now().unwrap();
    let notes = replica.notes(&a).unwrap();
    assert_eq!((notes[0].seq, notes[0].text.as_str()), (seq, "seen twice"));
    assert_eq!(replica.redaction_decisions(&a).unwrap()[0].span, span);
    assert_eq!(replica.user("ana").unwrap().unwrap().role, Role::Editor);
    assert!(
        shared
            .clear_redaction(&a, "rendering", span.start, span.end)
            .unwrap()
    );
    assert!(shared.remove_user("ana").unwrap());
    assert!(!shared.remove_user("ana").unwrap());
    shared.refresh_now().unwrap();
    assert!(replica.redaction_decisions(&a).unwrap().is_empty());
    assert_eq!(replica.user("ana").unwrap(), None);

    // Ingest writes more: the catalog is copied again, the tags kept.
    pg.apply(&[rb]).unwrap();
    assert_eq!(
        shared.refresh_now().unwrap(),
        Refreshed {
            catalog: true,
            workbench: false
        }
    );
    assert_eq!(replica.item_count().unwrap(), 2);
    assert_eq!(replica.tags(&a).unwrap().len(), 1);
}

#[test]
fn four_requests_on_two_servers_tagging_at_once_add_each_tag_once() {
    let Some(db) = migrated("race") else {
        return;
    };
    let (a, ra) = item(1);
    PgCatalog::new(db.client()).apply(&[ra]).unwrap();
    // Two servers, each answering two requests at once (its pool opens a
    // second connection).
    let dir = tempfile::tempdir().unwrap();
    let servers: Vec<TeamShared> = (0..2)
        .map(|n| {
            let case =
                Case::init(&dir.path().join(format!("c{n}")), CaseSettings::named("t")).unwrap();
            team_shared(&db, &case.catalog_file())
        })
        .collect();
    let added: usize = std::thread::scope(|s| {
        let runs: Vec<_> = (0..4)
            .map(|n| {
                let (shared, a) = (&servers[n % 2], &a);
                s.spawn(move || {
                    (0..20)
                        .filter(|t| shared.add_tag(a, &format!("t{t}"), "x").unwrap())
                        .count()
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).sum()
    });
    assert_eq!(added, 20);
    let rows: i64 = db
        .client()
        .query_one("SELECT count(*) FROM tags", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 20);
}

#[test]
fn the_access_log_is_append_only_and_sessions_outlive_a_server() {
    let Some(db) = migrated("log") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let case = Case::init(&dir.path().join("c"), CaseSettings::named("t")).unwrap();
    let shared = team_shared(&db, &case.catalog_file());
    shared
        .log_access("ana", "login", None, None, Some("127.0.0.1"))
        .unwrap();
    shared
        .log_access("ana", "export", None, Some("q"), None)
        .unwrap();
    let log = shared.access_log(None, 10).unwrap();
    assert_eq!(
        log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["export", "login"]
    );
    let mut c = db.client();
    for sql in [
        "UPDATE access_log SET action = 'nothing'",
        "DELETE FROM access_log",
        "TRUNCATE access_log",
    ] {
        let e = c.batch_execute(sql).unwrap_err();
        assert!(format!("{:?}", e).contains("append-only"), "{sql}: {e:?}");
    }
    assert_eq!(shared.access_log(None, 10).unwrap(), log);

    let ana = |csrf: &str| SharedSession {
        user: "ana".into(),
        role: Role::Admin,
        password: "$hash".into(),
        csrf: csrf.into(),
    };
    let idle = Duration::from_secs(3600);
    for t in ["t1", "t2", "t3"] {
        shared.open_session(t, &ana(t), 2, idle).unwrap();
    }
    // Another server (a restart) finds them; the oldest beyond two is gone.
    let other = team_shared(&db, &case.catalog_file());
    assert_eq!(other.session("t1", idle).unwrap(), None);
    assert_eq!(other.session("t3", idle).unwrap(), Some(ana("t3")));
    // Kept under a hash: the token itself is nowhere in the table.
    let plain: i64 = c
        .query_one("SELECT count(*) FROM sessions WHERE token = 't3'", &[])
        .unwrap()
        .get(0);
    assert_eq!(plain, 0);
    other.close_session("t3").unwrap();
    assert_eq!(shared.session("t3", idle).unwrap(), None);
    c.batch_execute("UPDATE sessions SET seen = seen - 7200")
        .unwrap();
    assert_eq!(shared.session("t2", idle).unwrap(), None, "idle too long");
}
