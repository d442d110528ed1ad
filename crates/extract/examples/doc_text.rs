//! Prints the text `doc::extract` gives for a file (for bench/pdf_text_agreement.py).
//! With `--meta`, prints the metadata as JSON instead.

use leakcheck_core::Kind;
use leakcheck_extract::doc::{self, DocLimits};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let meta = args.iter().any(|a| a == "--meta");
    let Some(path) = args.iter().find(|a| *a != "--meta") else {
        eprintln!("usage: doc_text [--meta] FILE");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let head = &bytes[..bytes.len().min(leakcheck_extract::SNIFF_LEN)];
    let kind = match leakcheck_extract::detect(head) {
        Kind::Zip => leakcheck_extract::zip::refine(std::io::Cursor::new(&bytes)),
        Kind::OleDocument => leakcheck_extract::ole_kind(std::io::Cursor::new(&bytes)),
        k => k,
    };
    match leakcheck_extract::guard(|| doc::extract(kind, &bytes, &DocLimits::default())) {
        Ok(x) if meta => println!(
            "{}",
            serde_json::to_string_pretty(&x.meta).unwrap_or_default()
        ),
        Ok(x) => print!("{}", x.text),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
