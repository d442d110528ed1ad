//! Reaching a team case's database from its settings. The password never
//! sits in `case.toml` or on a command line, where `ps` and shell histories
//! show it: it comes from the environment or from a file only its owner
//! reads.

use std::str::FromStr;
use std::sync::Arc;

use leakcheck_store::TeamSettings;
use postgres::config::SslMode;
use postgres::{Client, Config, NoTls};
use rustls::crypto::ring;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::{Result, TeamError};

/// The environment variable a team case's password is read from first.
pub const PASSWORD_ENV: &str = "LEAKCHECK_CATALOG_PASSWORD";

/// Checks a catalog address given to `init`: a PostgreSQL address
/// without a password.
pub fn check_catalog(url: &str) -> Result<()> {
    let config = Config::from_str(url)
        .map_err(|e| TeamError::Config(format!("{url:?} is not a PostgreSQL address: {e}")))?;
    if config.get_password().is_some() {
        return Err(TeamError::Config(format!(
            "the catalog address carries a password, which would be kept in case.toml and \
             shown by ps: give it in {PASSWORD_ENV} or a file (--catalog-password-file)"
        )));
    }
    Ok(())
}

/// Checks a schema name: it is written into statements, so only a plain
/// lowercase identifier is taken.
pub fn check_schema(schema: &str) -> Result<()> {
    let mut chars = schema.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && schema.len() <= 63;
    if ok {
        Ok(())
    } else {
        Err(TeamError::Config(format!(
            "schema {schema:?}: use lowercase letters, digits and _ (at most 63, not starting with a digit)"
        )))
    }
}

/// A connection to the case's database, its schema first on the search
/// path.
pub fn connect(team: &TeamSettings) -> Result<Client> {
    check_catalog(&team.catalog)?;
    let mut config = Config::from_str(&team.catalog)
        .map_err(|e| TeamError::Config(format!("{:?}: {e}", team.catalog)))?;
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        config.password(password);
    } else if let Some(file) = &team.password_file {
        let text = std::fs::read_to_string(file).map_err(|e| {
            TeamError::Config(format!(
                "{}: the catalog password file: {e}",
                file.display()
            ))
        })?;
        config.password(text.lines().next().unwrap_or_default());
    }
    // Only an explicit `sslmode=require` speaks TLS, and then the server's
    // certificate and name are always checked (libpq's verify-full): a
    // catalog reached without them could be anyone's.
    let mut client = if config.get_ssl_mode() == SslMode::Require {
        config.connect(tls(team)?)?
    } else {
        config.connect(NoTls)?
    };
    // PostgreSQL compiles a statement it expects to be costly to machine
    // code first (JIT). leakcheck's costly statements are scans that run
    // in tens of milliseconds: the check of display paths that ends an
    // ingest took 0.56 s, 0.47 s of it compiling, and 0.06 s without.
    let mut setup = String::from("SET jit TO off;");
    if let Some(schema) = &team.schema {
        check_schema(schema)?;
        setup.push_str(&format!(" SET search_path TO {schema};"));
    }
    client.batch_execute(&setup)?;
    Ok(client)
}

/// A connection as [`connect`] gives, after creating the case's schema
/// when missing and applying the migrations it has not had: what a command
/// does once when it starts, not every connection a worker opens.
pub fn open(team: &TeamSettings) -> Result<Client> {
    let mut client = connect(team)?;
    if let Some(schema) = &team.schema {
        // Set again once it exists, so that the tables go in it.
        client.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
        ))?;
    }
    crate::migrate(&mut client)?;
    Ok(client)
}

/// TLS that trusts the system's certificate authorities and those of the
/// case's `ca_file` (a private CA, or the server's own certificate).
fn tls(team: &TeamSettings) -> Result<MakeRustlsConnect> {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if let Some(file) = &team.ca_file {
        let bad = |e: &dyn std::fmt::Display| {
            TeamError::Config(format!(
                "{}: the catalog's CA certificates: {e}",
                file.display()
            ))
        };
        for cert in CertificateDer::pem_file_iter(file).map_err(|e| bad(&e))? {
            roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
        }
    }
    if roots.is_empty() {
        return Err(TeamError::Config(
            "sslmode=require, but no certificate authority is known: install the system's \
             (ca-certificates) or give the server's with --catalog-ca-file"
                .into(),
        ));
    }
    let config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| TeamError::Config(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_address_is_refused_and_names_the_way_to_give_it() {
        let e = check_catalog("postgres://ana:secret@db/leaks").unwrap_err();
        assert!(e.to_string().contains(PASSWORD_ENV), "{e}");
        check_catalog("postgres://ana@db:5432/leaks?sslmode=require").unwrap();
        assert!(check_catalog("mysql:/x").is_err());
    }

    #[test]
    fn schema_names_are_plain_identifiers() {
        check_schema("case_2017").unwrap();
        for bad in ["", "2017", "a;drop table jobs", "Case", "a-b"] {
            assert!(check_schema(bad).is_err(), "{bad:?}");
        }
    }
}
