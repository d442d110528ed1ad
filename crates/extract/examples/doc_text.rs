//! Prints the text `doc::extract` gives for a file (for bench/pdf_text_agreement.py).
//! With `--meta`, prints the metadata instead, one JSON line per file, for
//! every file under the paths given (for bench/doc_metadata.sh); files that
//! are not documents or images are counted and skipped.

use leakcheck_core::Kind;
use leakcheck_extract::doc::{self, DocLimits, Extracted};

fn read(path: &std::path::Path) -> Result<(Kind, Extracted), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let kind = leakcheck_extract::sniff(&bytes);
    if !doc::handles(kind) {
        return Err(format!("not a document ({})", kind.as_str()));
    }
    leakcheck_extract::guard(|| doc::extract(kind, &bytes, &DocLimits::default()))
        .map(|x| (kind, x))
        .map_err(|e| e.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let meta = args.iter().any(|a| a == "--meta");
    let paths: Vec<&String> = args.iter().filter(|a| *a != "--meta").collect();
    if paths.is_empty() || (!meta && paths.len() > 1) {
        eprintln!("usage: doc_text FILE | doc_text --meta PATH...");
        std::process::exit(2);
    }
    if !meta {
        match read(std::path::Path::new(paths[0])) {
            Ok((_, x)) => print!("{}", x.text),
            Err(e) => {
                eprintln!("{}: {e}", paths[0]);
                std::process::exit(1);
            }
        }
        return;
    }
    let (mut read_ok, mut skipped, mut failed) = (0, 0, 0);
    for path in paths {
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            let Ok(entry) = entry.inspect_err(|e| eprintln!("{e}")) else {
                failed += 1;
                continue;
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let line = match read(entry.path()) {
                Ok((kind, x)) => {
                    read_ok += 1;
                    serde_json::json!({"path": entry.path(), "kind": kind.as_str(), "meta": x.meta})
                }
                Err(e) if e.starts_with("not a document") => {
                    skipped += 1;
                    continue;
                }
                Err(e) => {
                    failed += 1;
                    serde_json::json!({"path": entry.path(), "error": e})
                }
            };
            println!("{line}");
        }
    }
    eprintln!("{read_ok} read, {failed} failed, {skipped} not documents");
}
