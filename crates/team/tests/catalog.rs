//! The PostgreSQL catalog against the embedded one: the same records,
//! applied twice to each, give the same `stats` and the same rows. Needs the PostgreSQL that
//! `LEAKCHECK_TEST_POSTGRES` names (see tests/queue.rs).

use leakcheck_core::testing::skip;
use leakcheck_core::{Address, DocMeta, EmailMeta, ItemId, Kind, Record, Stage};
use leakcheck_store::{Case, CaseSettings};
use leakcheck_team::{PgCatalog, migrate};
use postgres::{Client, NoTls};
use serde_json::json;

/// What an ingest of a folder with a zip, an email and a document would
/// write, with the awkward cases: bytes seen at two places, a place that
/// could not be read, a place written again with other bytes (a resumed
/// run), an item error replaced, NUL and accented characters in texts.
fn records() -> Vec<Record> {
    let (zip, mail, doc, old, new) = (
        ItemId::of(b"zip"),
        ItemId::of(b"mail"),
        ItemId::of(b"doc"),
        ItemId::of(b"old"),
        ItemId::of(b"new"),
    );
    let item = |id: &ItemId, size, kind| Record::Item {
        id: id.clone(),
        size,
        kind,
    };
    let at = |parent: &str, path: &str, position, item: Option<&ItemId>| Record::Occurrence {
        parent: parent.into(),
        path: path.into(),
        position,
        display: format!("{parent}/{path}"),
        depth: 0,
        item: item.cloned(),
        error: None,
        extra: None,
    };
    let email = EmailMeta {
        message_id: Some("<m@x>".into()),
        subject: Some("Budget\0 2017".into()),
        from: vec![Address {
            name: Some("A".into()),
            address: Some("a@x.fr".into()),
        }],
        date_unix: Some(1_493_000_000),
        ..EmailMeta::default()
    };
    let document = DocMeta {
        format: "pdf".into(),
        ..DocMeta::default()
    };
    vec![
        Record::Container {
            key: "dir:/dump".into(),
            kind: "dir".into(),
            expected: 4,
            detail: None,
        },
        item(&zip, 300, Kind::Zip),
        at("dir:/dump", "a.zip", 0, Some(&zip)),
        item(&mail, 100, Kind::Email),
        at("dir:/dump", "m.eml", 0, Some(&mail)),
        at(zip.as_str(), "inner/m.eml", 0, Some(&mail)),
        item(&doc, 50, Kind::Pdf),
        at(zip.as_str(), "d.pdf", 1, Some(&doc)),
        Record::Container {
            key: zip.to_string(),
            kind: "zip".into(),
            expected: 2,
            detail: Some(json!({"comment": "x"})),
        },
        Record::Occurrence {
            parent: "dir:/dump".into(),
            path: "locked".into(),
            position: 0,
            display: "/dump/locked".into(),
            depth: 0,
            item: None,
            error: Some((Stage::Read, "permission denied".into())),
            extra: None,
        },
        item(&old, 3, Kind::Text),
        at("dir:/dump", "notes.txt", 0, Some(&old)),
        item(&new, 4, Kind::Text),
        at("dir:/dump", "notes.txt", 0, Some(&new)),
        Record::ItemError {
            id: doc.clone(),
            stage: Stage::Parse,
            reason: "first".into(),
        },
        Record::ItemError {
            id: doc.clone(),
            stage: Stage::Parse,
            reason: "xref broken\0".into(),
        },
        Record::email(mail.clone(), email),
        Record::document(doc.clone(), document, "Élysée\0 déjà".into()),
        Record::Done { id: zip },
    ]
}

#[test]
fn the_same_records_give_the_same_counts_as_the_embedded_catalog() {
    let Ok(url) = std::env::var("LEAKCHECK_TEST_POSTGRES") else {
        skip("LEAKCHECK_TEST_POSTGRES is not set (eval \"$(.ci/postgres.sh)\" starts a cluster)");
        return;
    };
    let schema = format!("t_catalog_{}", std::process::id());
    let mut client = Client::connect(&url, NoTls).unwrap();
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema}"
        ))
        .unwrap();
    migrate(&mut client).unwrap();
    let mut pg = PgCatalog::new(client);

    let dir = tempfile::tempdir().unwrap();
    let settings = CaseSettings::named("t");
    let case = Case::init(&dir.path().join("c"), settings).unwrap();
    let mut sqlite = case.catalog().unwrap();

    let records = records();
    for _ in 0..2 {
        pg.apply(&records).unwrap();
        sqlite.apply(&records).unwrap();
    }
    let counts = pg.stats().unwrap();
    assert_eq!(counts, sqlite.stats().unwrap());
    // Figures worked out by hand, so that agreeing on a wrong count fails.
    assert_eq!(
        (
            counts.files_seen,
            counts.items,
            counts.duplicates,
            counts.errors
        ),
        (6, 4, 1, 1)
    );
    assert_eq!((counts.item_errors, counts.document_text_chars), (1, 12));
    assert_eq!(
        counts.bytes,
        300 + 100 + 50 + 3 + 4,
        "the replaced bytes stay an item"
    );

    let mut c = Client::connect(&url, NoTls).unwrap();
    // Row for row, every table: the same rows, but for PostgreSQL's U+FFFD
    // where SQLite kept a NUL.
    let file = rusqlite::Connection::open(case.root().join("catalog.sqlite")).unwrap();
    for (table, columns) in [
        ("items", "id, size, kind, done"),
        (
            "occurrences",
            "parent, path, position, display, depth, item, stage, error, extra",
        ),
        ("item_errors", "item, stage, reason"),
        ("containers", "key, kind, expected, detail"),
        (
            "emails",
            "item, message_id, subject, date_unix, from_addr, meta",
        ),
        ("documents", "item, format, meta, text"),
    ] {
        let n = columns.split(", ").count();
        let as_text = |cast: &str| {
            columns
                .split(", ")
                .map(|col| format!("CAST({col} AS {cast})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let order = (1..=n)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = file
            .prepare(&format!(
                "SELECT {} FROM {table} ORDER BY {order}",
                as_text("TEXT")
            ))
            .unwrap();
        let embedded: Vec<Vec<Option<String>>> = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| {
                        r.get::<_, Option<String>>(i)
                            .map(|v| v.map(|v| v.replace('\0', "\u{FFFD}")))
                    })
                    .collect()
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let team: Vec<Vec<Option<String>>> = c
            .query(
                &format!(
                    "SELECT {} FROM {schema}.{table} ORDER BY {order}",
                    as_text("text")
                ),
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (0..n).map(|i| r.get(i)).collect())
            .collect();
        assert_eq!(team, embedded, "{table}");
        assert!(!team.is_empty(), "{table}");
    }
    let reason: String = c
        .query_one(&format!("SELECT reason FROM {schema}.item_errors"), &[])
        .unwrap()
        .get(0);
    assert_eq!(reason, "xref broken\u{FFFD}");
    let done: i32 = c
        .query_one(
            &format!("SELECT done FROM {schema}.items WHERE kind = 'zip'"),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(done, 1);
    c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}
