//! A PostgreSQL schema of one test's own, in the cluster that
//! `LEAKCHECK_TEST_POSTGRES` names (`.ci/postgres.sh` starts one), dropped
//! at the end. Without it, tests say SKIPPED (and fail under CI).

use leakcheck_core::testing::skip;
use postgres::{Client, NoTls};

pub struct Schema {
    pub url: String,
    pub name: String,
}

impl Schema {
    /// A fresh, empty schema named for `test`; none (the test skipped) when
    /// there is no cluster.
    pub fn new(test: &str) -> Option<Schema> {
        let Ok(url) = std::env::var("LEAKCHECK_TEST_POSTGRES") else {
            skip(
                "LEAKCHECK_TEST_POSTGRES is not set (eval \"$(.ci/postgres.sh)\" starts a cluster)",
            );
            return None;
        };
        let name = format!("t_{test}_{}", std::process::id());
        let mut c = Client::connect(&url, NoTls).expect("connect to LEAKCHECK_TEST_POSTGRES");
        c.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
        ))
        .unwrap();
        Some(Schema { url, name })
    }

    /// A new connection working in the schema.
    pub fn client(&self) -> Client {
        let mut c = Client::connect(&self.url, NoTls).unwrap();
        c.batch_execute(&format!("SET search_path TO {}", self.name))
            .unwrap();
        c
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut c) = Client::connect(&self.url, NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}
