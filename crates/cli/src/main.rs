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
mod cmd_search;
mod cmd_serve;
mod cmd_variants;
mod demo;
mod demo_docs;
mod progress;
mod show;
mod show_doc;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
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
