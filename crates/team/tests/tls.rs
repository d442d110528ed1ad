//! TLS to the catalog: with `sslmode=require` the connection is encrypted
//! and the server's certificate and name are checked. Needs the cluster of
//! `.ci/postgres.sh`, which also listens on TCP with TLS only
//! (`LEAKCHECK_TEST_POSTGRES_TLS`, its certificate in
//! `LEAKCHECK_TEST_POSTGRES_CA`).

use leakcheck_core::testing::skip;
use leakcheck_store::TeamSettings;
use leakcheck_team::connect;

fn settings() -> Option<(TeamSettings, std::path::PathBuf)> {
    let (Ok(url), Ok(ca)) = (
        std::env::var("LEAKCHECK_TEST_POSTGRES_TLS"),
        std::env::var("LEAKCHECK_TEST_POSTGRES_CA"),
    ) else {
        skip(
            "LEAKCHECK_TEST_POSTGRES_TLS is not set (eval \"$(.ci/postgres.sh)\" starts a cluster)",
        );
        return None;
    };
    let team = TeamSettings {
        catalog: url,
        schema: None,
        password_file: None,
        ca_file: None,
    };
    Some((team, ca.into()))
}

#[test]
fn sslmode_require_encrypts_with_a_trusted_certificate() {
    let Some((mut team, ca)) = settings() else {
        return;
    };
    team.ca_file = Some(ca);
    let mut client = connect(&team).unwrap();
    let ssl: bool = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(ssl, "the connection is not encrypted");
}

#[test]
fn an_unknown_certificate_or_a_wrong_name_is_refused() {
    let Some((mut team, ca)) = settings() else {
        return;
    };
    // The test certificate is signed by a CA the system does not know.
    let e = connect(&team)
        .err()
        .expect("a server signed by an unknown CA was trusted");
    let mut why = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        why.push_str(&format!(": {c}"));
        cause = c.source();
    }
    assert!(why.contains("UnknownIssuer"), "{why}");
    // Trusted, but for `localhost`, not for the address asked.
    team.ca_file = Some(ca);
    team.catalog = team.catalog.replace("host=localhost", "host=127.0.0.1");
    assert!(
        connect(&team).is_err(),
        "a certificate for another name was taken"
    );
}
