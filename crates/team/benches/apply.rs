//! How fast ingest's records go into PostgreSQL, against the embedded
//! catalog: generated emails (an item, its place, its email row with a
//! kilobyte and a half of text, and its done mark) applied in batches of
//! 2,048 records, as ingest's writer applies them, to both.
//! `LEAKCHECK_TEST_POSTGRES=… cargo bench -p leakcheck-team --bench apply -- --emails 20000`

use std::time::Instant;

use leakcheck_core::{Address, EmailMeta, ItemId, Kind, Record};
use leakcheck_store::{Case, CaseSettings};
use leakcheck_team::{PgCatalog, migrate};
use postgres::{Client, NoTls};

const BATCH: usize = 2048;

fn records(emails: usize) -> Vec<Record> {
    let mut out = Vec::with_capacity(emails * 4);
    for n in 0..emails {
        let id = ItemId::of(format!("email {n}").as_bytes());
        out.push(Record::Item {
            id: id.clone(),
            size: 4096,
            kind: Kind::Email,
        });
        out.push(Record::Occurrence {
            parent: format!("dir:/dump/box{}", n / 1000),
            path: format!("{n:08}.eml"),
            position: 0,
            display: format!("/dump/box{}/{n:08}.eml", n / 1000),
            depth: 0,
            item: Some(id.clone()),
            error: None,
            extra: None,
        });
        let meta = EmailMeta {
            message_id: Some(format!("<{n}@example.org>")),
            subject: Some(format!("Budget, version {n}")),
            from: vec![Address {
                name: Some("A. Person".into()),
                address: Some(format!("person{}@example.org", n % 300)),
            }],
            date_unix: Some(1_480_000_000 + n as i64 * 60),
            text: Some("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(26)),
            ..EmailMeta::default()
        };
        out.push(Record::email(id.clone(), meta));
        out.push(Record::Done { id });
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let emails = args
        .iter()
        .position(|a| a == "--emails")
        .and_then(|i| args.get(i + 1))
        .map_or(20_000, |n| n.parse().expect("--emails N"));
    let Ok(url) = std::env::var("LEAKCHECK_TEST_POSTGRES") else {
        eprintln!(
            "LEAKCHECK_TEST_POSTGRES is not set (eval \"$(.ci/postgres.sh)\" starts a cluster)"
        );
        std::process::exit(2);
    };
    let records = records(emails);

    let dir = tempfile::tempdir().unwrap();
    let settings = CaseSettings::named("bench");
    let case = Case::init(&dir.path().join("c"), settings).unwrap();
    let mut sqlite = case.catalog().unwrap();
    let started = Instant::now();
    for batch in records.chunks(BATCH) {
        sqlite.apply(batch).unwrap();
    }
    let embedded = started.elapsed().as_secs_f64();

    let schema = format!("bench_apply_{}", std::process::id());
    let mut client = Client::connect(&url, NoTls).unwrap();
    client
        .batch_execute(&format!(
            "CREATE SCHEMA {schema}; SET search_path TO {schema}"
        ))
        .unwrap();
    migrate(&mut client).unwrap();
    let mut pg = PgCatalog::new(client);
    let started = Instant::now();
    for batch in records.chunks(BATCH) {
        pg.apply(batch).unwrap();
    }
    let team = started.elapsed().as_secs_f64();
    assert_eq!(pg.stats().unwrap().emails, emails as u64);
    Client::connect(&url, NoTls)
        .unwrap()
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();

    let n = records.len() as f64;
    println!(
        "{} records ({emails} emails), batches of {BATCH}",
        records.len()
    );
    println!(
        "embedded (SQLite) {embedded:>7.2} s {:>9.0} records/s",
        n / embedded
    );
    println!(
        "PostgreSQL        {team:>7.2} s {:>9.0} records/s",
        n / team
    );
    println!("PostgreSQL / embedded: {:.2}x the time", team / embedded);
}
