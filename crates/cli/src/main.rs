//! The `leakcheck` command: thin glue over the library crates.
//!
//! Exit codes: 0 = done and nothing to report, 1 = done but something needs a
//! look (recorded item errors, audit mismatches, nothing listed), 2 = error.
//! A closed pipe (`leakcheck ls | head`) exits 0 quietly.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

mod cli;
mod cmd;
mod cmd_explore;
mod cmd_keys;
mod cmd_ocr;
mod cmd_publish;
mod cmd_search;
mod cmd_serve;
mod cmd_spread;
mod cmd_team;
mod cmd_variants;
mod common;
mod demo;
mod demo_docs;
mod demo_posts;
mod progress;
mod show;
mod show_doc;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The hidden first argument that makes this process a native decoder's
/// child (see `leakcheck_extract::native`): no command of its own.
pub const DECODER_ARG: &str = "decode-native";

/// The hidden first argument that makes this process a key recovery's GCD
/// child (see `leakcheck_verify::recover`).
pub const GCD_ARG: &str = "keys-gcd";

fn main() -> ExitCode {
    if std::env::args_os().nth(1).is_some_and(|a| a == GCD_ARG) {
        return match leakcheck_verify::recover::serve_gcd_child() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                let _ = writeln!(io::stderr(), "leakcheck keys-gcd: {e}");
                ExitCode::from(2)
            }
        };
    }
    if std::env::args_os().nth(1).is_some_and(|a| a == DECODER_ARG) {
        let code = leakcheck_extract::native::serve_child();
        return ExitCode::from(u8::try_from(code).unwrap_or(2));
    }
    let args = cli::Cli::parse();
    match cmd::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<io::Error>()
                    .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(io::stderr(), "leakcheck: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
