//! The schema, as numbered migrations applied once each and in order.

use postgres::Client;

use crate::Result;

/// Every migration: its number, name and SQL. Numbers only grow, and a
/// migration once released is never edited (a later one changes it).
pub const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "jobs", include_str!("../migrations/0001_jobs.sql")),
    (
        2,
        "catalog_ingest",
        include_str!("../migrations/0002_catalog_ingest.sql"),
    ),
    (
        3,
        "team_ingest",
        include_str!("../migrations/0003_team_ingest.sql"),
    ),
    (
        4,
        "catalog_verify",
        include_str!("../migrations/0004_catalog_verify.sql"),
    ),
    (5, "lz4", include_str!("../migrations/0005_lz4.sql")),
    (6, "search", include_str!("../migrations/0006_search.sql")),
    (
        7,
        "workbench",
        include_str!("../migrations/0007_workbench.sql"),
    ),
    (
        8,
        "job events",
        include_str!("../migrations/0008_job_events.sql"),
    ),
];

/// Held while migrating, so that two processes starting at once (a server
/// and a worker) do not both apply the same migration.
const LOCK: i64 = 0x6c65_616b_6368_6b31; // "leakchk1"

/// Applies the migrations the database has not had yet, in one
/// transaction, and says which it applied.
pub fn migrate(client: &mut Client) -> Result<Vec<i32>> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version integer PRIMARY KEY,
             name    text NOT NULL,
             applied timestamptz NOT NULL DEFAULT now())",
    )?;
    let done: Vec<i32> = tx
        .query("SELECT version FROM schema_migrations", &[])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut applied = Vec::new();
    for (version, name, sql) in MIGRATIONS {
        if done.contains(version) {
            continue;
        }
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[version, name],
        )?;
        applied.push(*version);
    }
    tx.commit()?;
    Ok(applied)
}
