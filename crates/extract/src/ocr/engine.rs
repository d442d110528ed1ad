//! Tesseract's command-line program in a child process.
//!
//! A library binding would share our address space with Leptonica's image
//! decoders and Tesseract's recogniser, neither written for hostile input;
//! the child process gives isolation and a time limit for free (it is
//! killed), and costs one process start and language load per page
//! (measured in the README: 0.23 s, against 1.5 s to read an A4 page).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Tesseract is not there, or lacks a language the case asks for.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("OCR unavailable: {0} (install: apt-get install {packages})", packages = super::PACKAGES)]
pub struct Unavailable(pub String);

/// One page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// The engine ran longer than the page's time limit and was killed.
    #[error("OCR took longer than {0} s on this page; the engine was stopped")]
    TimedOut(u64),
    /// The engine failed (or crashed) on this page.
    #[error("the OCR engine failed: {0}")]
    Failed(String),
    /// The page could not be handed to the engine.
    #[error("could not run the OCR engine: {0}")]
    Io(#[from] std::io::Error),
}

/// The text of one page, as the engine read it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// Lines in reading order, paragraphs separated by a blank line.
    pub text: String,
    /// Mean of the words' confidences, 0–100 (`None` without any word).
    pub confidence: Option<f32>,
    /// Words recognised.
    pub words: u32,
}

/// The engine found on this machine.
#[derive(Clone, Debug)]
pub struct Engine {
    program: PathBuf,
    /// `tesseract 5.3.0` as the program reports itself.
    pub version: String,
    languages: Vec<String>,
}

/// Engine output larger than this is cut (a page holds a few KB of text).
const MAX_OUTPUT: u64 = 8 << 20;

impl Engine {
    /// Finds `tesseract` (the `LEAKCHECK_TESSERACT` variable may name it)
    /// and the languages it has.
    pub fn find() -> Result<Engine, Unavailable> {
        let program = std::env::var_os("LEAKCHECK_TESSERACT")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("tesseract"));
        let run = |arg: &str| {
            Command::new(&program)
                .arg(arg)
                .stdin(Stdio::null())
                .output()
                .map_err(|e| Unavailable(format!("{} not found ({e})", program.display())))
        };
        let version = run("--version")?;
        // Tesseract 4 printed its version on stderr, 5 on stdout.
        let all = [version.stdout, version.stderr].concat();
        let version = String::from_utf8_lossy(&all)
            .lines()
            .next()
            .unwrap_or("tesseract")
            .trim()
            .to_string();
        let listed = run("--list-langs")?;
        let languages = String::from_utf8_lossy(&listed.stdout)
            .lines()
            .skip(1)
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        Ok(Engine {
            program,
            version,
            languages,
        })
    }

    /// Says which of `wanted` the engine lacks.
    pub fn check_languages(&self, wanted: &[String]) -> Result<(), Unavailable> {
        let missing: Vec<&str> = wanted
            .iter()
            .filter(|w| !self.languages.contains(w))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Unavailable(format!(
                "Tesseract lacks the language data {}",
                missing.join(", ")
            )))
        }
    }

    /// Reads the image at `image` (any format Leptonica reads; a multi-page
    /// TIFF gives one page each) within `limit` in all.
    ///
    /// Tesseract's orientation detection costs as much again as reading a
    /// page (1.4 s against 1.5 s on an A4 page at 300 dpi), so a page is
    /// read upright first, and read again with detection only when that
    /// found little it was sure of (a page scanned sideways reads as noise).
    pub fn read(
        &self,
        image: &Path,
        languages: &[String],
        limit: Duration,
    ) -> Result<Vec<Page>, OcrError> {
        let started = Instant::now();
        let upright = self.read_as(image, languages, "3", limit)?;
        let weak = |pages: &[Page]| {
            pages
                .iter()
                .any(|p| p.words < 3 || p.confidence.is_none_or(|c| c < WEAK_CONFIDENCE))
        };
        let left = limit.saturating_sub(started.elapsed());
        if !weak(&upright) || !self.languages.iter().any(|l| l == "osd") || left.is_zero() {
            return Ok(upright);
        }
        match self.read_as(image, languages, "1", left) {
            Ok(turned) if score(&turned) > score(&upright) => Ok(turned),
            _ => Ok(upright),
        }
    }

    fn read_as(
        &self,
        image: &Path,
        languages: &[String],
        psm: &str,
        limit: Duration,
    ) -> Result<Vec<Page>, OcrError> {
        let mut cmd = Command::new(&self.program);
        cmd.arg(image)
            .arg("stdout")
            .args(["-l", &languages.join("+")])
            // 3: automatic page segmentation; 1: the same after orientation
            // and script detection.
            .args(["--psm", psm])
            .arg("tsv")
            // One core per page: pages run side by side instead, which
            // Tesseract's OpenMP threads only slow down.
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = cmd.spawn()?;
        let (status, out, err) = wait_with_limit(child, limit)?;
        if !status.success() {
            let err = String::from_utf8_lossy(&err);
            let last = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            return Err(OcrError::Failed(format!("{status}: {}", last.trim())));
        }
        Ok(parse_tsv(&String::from_utf8_lossy(&out)))
    }
}

/// A page read with less mean confidence than this may be turned.
const WEAK_CONFIDENCE: f32 = 60.0;

/// Confident words: how two readings of one page are compared.
fn score(pages: &[Page]) -> f32 {
    pages
        .iter()
        .map(|p| p.confidence.unwrap_or(0.0) * p.words as f32)
        .sum()
}

impl Engine {
    /// [`Engine::read`] on bytes in memory (an outside file given to
    /// `check`), through a temporary file. Pictures of a decompression
    /// bomb's size are refused before the engine sees them.
    pub fn read_bytes(
        &self,
        bytes: &[u8],
        languages: &[String],
        limit: Duration,
    ) -> Result<Vec<Page>, OcrError> {
        super::carries_text(bytes).map_err(OcrError::Failed)?;
        let mut file = tempfile::NamedTempFile::new()?;
        std::io::Write::write_all(&mut file, bytes)?;
        self.read(file.path(), languages, limit)
    }
}

/// Waits for `child` at most `limit`, reading its output meanwhile (so a
/// full pipe never stalls it); kills it when the time is up. Returns its
/// exit status, standard output and standard error, each cut at 8 MiB.
/// Public for the other poppler calls of the workspace (the redacted PDFs
/// of `leakcheck-publish`): one way to run a native parser of hostile input.
pub fn wait_with_limit(
    mut child: Child,
    limit: Duration,
) -> Result<(std::process::ExitStatus, Vec<u8>, Vec<u8>), OcrError> {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(MAX_OUTPUT).read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if start.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(OcrError::TimedOut(limit.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    Ok((status, out, err))
}

/// Tesseract's TSV: one row per block, paragraph, line and word; words
/// (level 5) carry the text and a confidence. Lines are rebuilt from the
/// word rows' numbers, pages from `page_num`.
pub fn parse_tsv(tsv: &str) -> Vec<Page> {
    let mut pages: Vec<Page> = Vec::new();
    let mut sums: Vec<f64> = Vec::new();
    let mut last: Option<(usize, &str, &str, &str)> = None;
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let Ok(page) = cols[1].parse::<usize>() else {
            continue;
        };
        let page = page.max(1);
        let word = cols[11].trim();
        if word.is_empty() {
            continue;
        }
        while pages.len() < page {
            pages.push(Page::default());
            sums.push(0.0);
        }
        let p = &mut pages[page - 1];
        let here = (page, cols[2], cols[3], cols[4]);
        match last {
            Some(prev) if prev == here => p.text.push(' '),
            Some(prev) if prev.0 == page && (prev.1, prev.2) == (here.1, here.2) => {
                p.text.push('\n')
            }
            Some(prev) if prev.0 == page => p.text.push_str("\n\n"),
            _ => {}
        }
        last = Some(here);
        p.text.push_str(word);
        p.words += 1;
        if let Ok(c) = cols[10].parse::<f64>()
            && c >= 0.0
        {
            sums[page - 1] += c;
        }
    }
    for (p, sum) in pages.iter_mut().zip(sums) {
        if p.words > 0 {
            p.confidence = Some((sum / f64::from(p.words)) as f32);
        }
    }
    if pages.is_empty() {
        pages.push(Page::default());
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    const TSV: &str = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t
5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t96.5\tBonjour
5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t93.5\tà
5\t1\t1\t1\t2\t1\t0\t0\t10\t10\t90\ttous
5\t1\t2\t1\t1\t1\t0\t0\t10\t10\t80\tFin
5\t2\t1\t1\t1\t1\t0\t0\t10\t10\t50\tdeux
";

    #[test]
    fn words_become_lines_paragraphs_and_pages() {
        let pages = parse_tsv(TSV);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].text, "Bonjour à\ntous\n\nFin");
        assert_eq!(pages[0].words, 4);
        assert_eq!(pages[0].confidence, Some(90.0));
        assert_eq!(pages[1].text, "deux");
    }

    #[test]
    fn no_words_is_one_empty_page() {
        let pages = parse_tsv("level\tpage_num\n");
        assert_eq!(pages, vec![Page::default()]);
    }

    #[test]
    fn a_missing_engine_is_unavailable_not_an_error() {
        let e = Unavailable("tesseract not found".into());
        assert!(e.to_string().contains("apt-get install tesseract-ocr"));
    }
}
