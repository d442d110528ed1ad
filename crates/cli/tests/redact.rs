//! `leakcheck redact` end to end: emails, Word documents and PDFs with
//! planted personal data of every kind (valid checksums, computed here),
//! ingested, redacted; every planted value is found (recall per kind), none
//! is left in any output file, and the log lists every span without its
//! value. The redacted PDFs are pictures: no text layer, no metadata, and
//! black where the values were.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

use leakcheck_samples::{OfficeProps, PdfInfo, ZipDate, docx, pdf};
use sha2::{Digest, Sha256};

use crate::util::lc;

/// A tiny deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

/// n mod 97 of a long decimal string.
fn mod97(digits: &str) -> u64 {
    digits
        .bytes()
        .fold(0, |acc, b| (acc * 10 + u64::from(b - b'0')) % 97)
}

/// A French IBAN (ISO 13616: check digits make the rearranged number ≡ 1 mod 97).
fn iban(r: &mut Rng) -> String {
    let bban = r.digits(23);
    // "FR00" moved to the end, letters as numbers: F=15, R=27.
    let check = 98 - mod97(&format!("{bban}152700"));
    let all = format!("FR{check:02}{bban}");
    let groups: Vec<String> = all
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    groups.join(" ")
}

/// A Visa number with its Luhn digit, in groups of four.
fn card(r: &mut Rng) -> String {
    let body = format!("4{}", r.digits(14));
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    let all = format!("{body}{}", (10 - sum % 10) % 10);
    format!(
        "{} {} {} {}",
        &all[..4],
        &all[4..8],
        &all[8..12],
        &all[12..]
    )
}

/// A NIR: sex, year, month, Paris, commune, order, and its key.
fn nir(r: &mut Rng) -> String {
    let month = 1 + r.next() % 12;
    let n = format!(
        "{}{}{month:02}75{}{}",
        1 + r.next() % 2,
        r.digits(2),
        r.digits(3),
        r.digits(3)
    );
    let key = 97 - mod97(&n);
    format!(
        "{} {} {} {} {} {} {key:02}",
        &n[..1],
        &n[1..3],
        &n[3..5],
        &n[5..7],
        &n[7..10],
        &n[10..13]
    )
}

fn phone(r: &mut Rng) -> String {
    format!(
        "06 {} {} {} {}",
        r.digits(2),
        r.digits(2),
        r.digits(2),
        r.digits(2)
    )
}

const STREETS: [&str; 5] = [
    "rue des Lilas",
    "avenue Victor Hugo",
    "boulevard Voltaire",
    "place de la Nation",
    "impasse du Moulin",
];
const NAMES: [&str; 5] = [
    "Jeanne Dufour",
    "Karim Benali",
    "Sophie Lemaire",
    "Marc Olivier",
    "Léa Fontaine",
];

/// Planted values, by kind.
type Planted = BTreeMap<&'static str, Vec<String>>;

/// Values of every kind for record `i`: email, phone, IBAN, card, NIR,
/// birth date, postal address, name.
fn values(r: &mut Rng, i: usize, planted: &mut Planted) -> [String; 8] {
    let mut put = |k: &'static str, v: String| {
        planted.entry(k).or_default().push(v.clone());
        v
    };
    let email = put("email", format!("contact.{i}@exemple{}.fr", r.next() % 50));
    let phone = put("phone", phone(r));
    let iban = put("iban", iban(r));
    let card = put("card", card(r));
    let nir = put("nir", nir(r));
    let birth = put(
        "birth-date",
        format!(
            "{:02}/{:02}/19{}",
            1 + r.next() % 28,
            1 + r.next() % 12,
            50 + r.next() % 49
        ),
    );
    let address = put(
        "postal-address",
        format!(
            "{} {}, 750{:02} Paris",
            1 + r.next() % 120,
            STREETS[i % 5],
            1 + r.next() % 20
        ),
    );
    let name = put("name", NAMES[i % 5].to_string());
    [email, phone, iban, card, nir, birth, address, name]
}

fn sentence(r: &mut Rng, i: usize, planted: &mut Planted) -> String {
    let [email, phone, iban, card, nir, birth, address, name] = values(r, i, planted);
    format!(
        "Dossier {i} : {name} (née le {birth}), domiciliée {address}. Joindre au {phone} ou à {email}. \
         Virement sur l'IBAN {iban}, carte {card}, NIR {nir}. Montant 1 250,00 € le 14/04/2017."
    )
}

/// A PDF page of record `i`: a value per line, each line short enough to
/// fit the page (the sample PDFs do not wrap), in Latin-1.
fn pdf_page(r: &mut Rng, i: usize, planted: &mut Planted) -> String {
    let [email, phone, iban, card, nir, birth, address, name] = values(r, i, planted);
    format!(
        "Dossier {i} : fiche de paie\nNom : {name} (née le {birth})\nAdresse : {address}\n\
         Tél. : {phone}\nCourriel : {email}\nIBAN : {iban}\nCarte : {card}\nNIR : {nir}\n\
         Montant 1 250,00 EUR le 14/04/2017."
    )
}

/// Are poppler's programs here?
fn poppler() -> bool {
    ["pdftoppm", "pdftotext"].iter().all(|p| {
        Command::new(p)
            .arg("-v")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    })
}

/// Runs a poppler program and returns its standard output.
fn poppler_out(program: &str, args: &[&std::ffi::OsStr]) -> Vec<u8> {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Near-black pixels of page 1 of `pdf` rendered in grey at 50 dpi.
fn dark_pixels(pdf: &Path) -> usize {
    let pgm = poppler_out(
        "pdftoppm",
        &[
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            "-r".as_ref(),
            "50".as_ref(),
            "-gray".as_ref(),
            pdf.as_os_str(),
        ],
    );
    // PGM: "P5 width height 255" then a byte per pixel.
    let head: Vec<usize> = String::from_utf8_lossy(&pgm[..pgm.len().min(40)])
        .split_whitespace()
        .skip(1)
        .take(2)
        .map(|v| v.parse().unwrap())
        .collect();
    let pixels = &pgm[pgm.len() - head[0] * head[1]..];
    pixels.iter().filter(|&&p| p < 64).count()
}

/// Files of `dir`, each read whole.
fn outputs(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.display().to_string(),
                String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned(),
            )
        })
        .collect()
}

#[test]
fn redacted_copies_leave_no_planted_value_and_log_every_span() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    let mut r = Rng(0x2017_0505);
    let mut planted = Planted::new();
    let mut n = 0;
    for i in 0..30 {
        let text = (0..4)
            .map(|j| sentence(&mut r, i * 4 + j, &mut planted))
            .collect::<Vec<_>>()
            .join("\n\n");
        let mail = format!(
            "From: Service RH <rh@mouvement.example>\r\nTo: archives@mouvement.example\r\nSubject: Dossier {i}\r\n\
             Date: Fri, 14 Apr 2017 10:00:00 +0200\r\nMessage-ID: <rh-{i}@mouvement.example>\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
            text.replace('\n', "\r\n")
        );
        std::fs::write(dump.join(format!("dossier-{i}.eml")), mail).unwrap();
        n += 1;
    }
    for i in 30..40 {
        let paras: Vec<String> = (0..4)
            .map(|j| sentence(&mut r, i * 4 + j, &mut planted))
            .collect();
        let refs: Vec<&str> = paras.iter().map(String::as_str).collect();
        let props = OfficeProps {
            title: Some(format!("Fiche {i}")),
            ..OfficeProps::default()
        };
        std::fs::write(
            dump.join(format!("fiche-{i}.docx")),
            docx(&props, &refs, ZipDate::OFFICE).unwrap(),
        )
        .unwrap();
        n += 1;
    }
    // PDFs of two pages, a record per page, with Info metadata that must
    // not reach the redacted copy.
    let mut pdfs = Vec::new();
    for i in 40..44 {
        let pages = [
            pdf_page(&mut r, i * 4, &mut planted),
            pdf_page(&mut r, i * 4 + 1, &mut planted),
        ];
        let info = PdfInfo {
            title: Some(format!("Releve confidentiel {i}")),
            author: Some("Bureau Paie Hexagone".into()),
            ..PdfInfo::default()
        };
        let bytes = pdf(&info, None, &[pages[0].as_str(), pages[1].as_str()]);
        let path = dump.join(format!("paie-{i}.pdf"));
        std::fs::write(&path, &bytes).unwrap();
        pdfs.push((hex::encode(Sha256::digest(&bytes)), path));
        n += 1;
    }
    let poppler = poppler();
    let case = dir.path().join("case");
    assert_eq!(
        lc(["init".as_ref(), case.as_os_str(), "-q".as_ref()]).code,
        0
    );
    let run = lc([
        "ingest".as_ref(),
        case.as_os_str(),
        dump.as_os_str(),
        "-q".as_ref(),
    ]);
    assert!(run.code <= 1, "{}", run.stderr);
    let names = dir.path().join("names.txt");
    std::fs::write(&names, format!("# private persons\n{}\n", NAMES.join("\n"))).unwrap();
    let out = dir.path().join("redacted");
    let run = lc([
        "redact".as_ref(),
        case.as_os_str(),
        "dossier OR fiche".as_ref(),
        "--names".as_ref(),
        names.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let stats = run.json();
    assert_eq!(stats["items"], n, "{stats}");

    // Recall per kind: the planted values against the spans logged.
    let log: Vec<serde_json::Value> = std::fs::read_to_string(out.join("redaction-log.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(log.len() as u64, stats["spans"].as_u64().unwrap());
    for (kind, values) in &planted {
        let found = log.iter().filter(|s| s["rule"] == *kind).count();
        let recall = found.min(values.len()) as f64 / values.len() as f64;
        eprintln!(
            "{kind}: {found} spans for {} planted (recall {:.1} %)",
            values.len(),
            recall * 100.0
        );
        assert!(recall >= 0.99, "{kind}: recall {recall}");
    }
    // The email headers' addresses are redacted too.
    assert!(log.iter().filter(|s| s["rule"] == "email").count() >= planted["email"].len() + 30 * 2);

    // No output holds a planted value, as written or without its spaces;
    // the log holds positions, never values.
    let files = outputs(&out);

    let pdfs_written = if poppler { pdfs.len() } else { 0 };
    assert_eq!(stats["pdfs"], pdfs_written, "{stats}");
    assert_eq!(files.len(), 2 * n + pdfs_written + 1);
    for (path, text) in &files {
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for (kind, values) in &planted {
            for v in values {
                let v_squeezed: String = v.chars().filter(|c| !c.is_whitespace()).collect();
                assert!(
                    !text.contains(v.as_str()) && !squeezed.contains(&v_squeezed),
                    "{kind} {v:?} left in {path}"
                );
            }
        }
    }
    // What is not personal stays: amounts, dates, the subject.
    let first = files
        .iter()
        .find(|(p, t)| p.ends_with(".txt") && t.contains("Subject: Dossier"))
        .unwrap();
    assert!(
        first.1.contains("1 250,00 €") && first.1.contains("14/04/2017"),
        "{}",
        first.1
    );
    assert!(first.1.contains("[IBAN]") && first.1.contains("[NIR]") && first.1.contains("[NAME]"));
    if poppler {
        redacted_pdfs(&out, &pdfs, &log);
    } else {
        leakcheck_core::testing::skip("poppler's pdftoppm and pdftotext are not installed");
    }
    // Originals are untouched: the case's blobs hash as before.
    assert_eq!(
        lc(["audit".as_ref(), case.as_os_str(), "-q".as_ref()]).code,
        0
    );
}

/// The redacted PDFs: pictures only (poppler reads no text from them),
/// none of the original's metadata, a span logged per value on each page,
/// and black where the values were.
fn redacted_pdfs(out: &Path, pdfs: &[(String, std::path::PathBuf)], log: &[serde_json::Value]) {
    for (id, original) in pdfs {
        let redacted = out.join(format!("{id}.pdf"));
        let bytes = std::fs::read(&redacted).unwrap();
        let text = poppler_out("pdftotext", &[redacted.as_os_str(), "-".as_ref()]);
        assert!(
            String::from_utf8_lossy(&text).trim().is_empty(),
            "text left in {}: {:?}",
            redacted.display(),
            String::from_utf8_lossy(&text)
        );
        let raw = String::from_utf8_lossy(&bytes);
        for gone in [
            "Releve confidentiel",
            "Bureau Paie",
            "/Title",
            "/Author",
            "/Metadata",
        ] {
            assert!(!raw.contains(gone), "{gone} in {}", redacted.display());
        }
        // Every kind is found and painted on both pages.
        for page in [1, 2] {
            let rules: BTreeSet<&str> = log
                .iter()
                .filter(|s| s["item"] == *id.as_str() && s["page"] == page)
                .filter_map(|s| s["rule"].as_str())
                .collect();
            assert_eq!(rules.len(), 8, "page {page} of {id}: {rules:?}");
        }
        let (before, after) = (dark_pixels(original), dark_pixels(&redacted));
        eprintln!(
            "{}: {} bytes redacted ({} original), {after} dark pixels on page 1 against {before}",
            original.display(),
            bytes.len(),
            std::fs::metadata(original).unwrap().len()
        );
        assert!(
            after > before * 3 / 2,
            "{after} dark pixels, {before} before"
        );
    }
}

/// The review made in the workbench (recorded here through the catalog, as
/// the server records it) decides: a rejected detection stays in the text,
/// a span marked by hand is redacted, and each log line says who approved
/// it, or that nobody reviewed it. `--reviewed-only` writes only items
/// whose every detection was reviewed.
#[test]
fn redact_honours_the_review_and_names_who_approved_each_span() {
    use leakcheck_store::{Decision, RENDERING, SpanRef};
    use serde_json::json;

    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    let mail = "From: Service RH <rh@mouvement.example>\r\nTo: archives@mouvement.example\r\n\
        Subject: Rappel\r\nDate: Fri, 14 Apr 2017 10:00:00 +0200\r\nMessage-ID: <rappel@mouvement.example>\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\r\n\
        Le standard de presse est au 01 42 00 00 00. Rappeler Jeanne Martin au 06 12 34 56 78 \
        ou jeanne.martin@gmail.com.\r\n";
    std::fs::write(dump.join("rappel.eml"), mail).unwrap();
    let (case, _) = crate::util::ingest(dir.path(), &[&dump]);
    let id = leakcheck_core::ItemId::of(mail.as_bytes());
    let opened = leakcheck_store::Case::open(&case).unwrap();
    let mut cat = opened.catalog().unwrap();
    let text = leakcheck_publish::rendered_text(&cat, &id)
        .unwrap()
        .unwrap();
    let detector = leakcheck_redact::Detector::new(&Default::default()).unwrap();
    let found = detector.find(&text);
    let at = |kind: &str, value: &str| {
        let s = found
            .iter()
            .find(|s| s.kind.as_str() == kind && s.text == value)
            .unwrap_or_else(|| panic!("no {kind} {value:?} in {found:?}"));
        SpanRef {
            text: RENDERING.into(),
            start: s.start,
            end: s.end,
            kind: kind.into(),
        }
    };
    let press = at("phone", "01 42 00 00 00");
    let private = at("email", "jeanne.martin@gmail.com");
    cat.decide_redaction(&id, &press, Decision::Reject, "eve")
        .unwrap();
    cat.decide_redaction(&id, &private, Decision::Accept, "eve")
        .unwrap();
    let name_at = text.find("Jeanne Martin").unwrap();
    let name = SpanRef {
        text: RENDERING.into(),
        start: name_at,
        end: name_at + "Jeanne Martin".len(),
        kind: "name".into(),
    };
    cat.decide_redaction(&id, &name, Decision::Manual, "ada")
        .unwrap();

    let out = dir.path().join("redacted");
    let redact = |extra: &[&str]| {
        let mut args = vec![
            "redact".as_ref(),
            case.as_os_str(),
            id.as_str().as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
            "--json".as_ref(),
        ];
        args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
        let run = lc(args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()
    };
    let stats = redact(&[]);
    // Two header addresses and the mobile phone were not reviewed.
    assert_eq!(
        (&stats["rejected"], &stats["manual"], &stats["unreviewed"]),
        (&json!(1), &json!(1), &json!(3)),
        "{stats}"
    );
    assert_eq!(stats["spans"], 5, "{stats}");
    let written = std::fs::read_to_string(out.join(format!("{id}.txt"))).unwrap();
    assert!(written.contains("au 01 42 00 00 00."), "{written}");
    assert!(
        written.contains("Rappeler [NAME] au [PHONE] ou [EMAIL]."),
        "{written}"
    );
    for gone in ["Jeanne Martin", "06 12 34 56 78", "jeanne.martin@gmail.com"] {
        assert!(!written.contains(gone), "{gone} in {written}");
    }
    let log: Vec<serde_json::Value> = std::fs::read_to_string(out.join("redaction-log.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(log.len(), 6, "five redacted, one rejected: {log:?}");
    let line = |start: usize| log.iter().find(|l| l["start"] == start).unwrap();
    let rejected = line(press.start);
    assert_eq!(rejected["review"], "rejected");
    assert_eq!(rejected["replacement"], serde_json::Value::Null);
    assert_eq!(rejected["approved_by"], serde_json::Value::Null);
    assert_eq!(rejected["reviewed_by"], "eve");
    let accepted = line(private.start);
    assert_eq!(
        (&accepted["review"], &accepted["approved_by"]),
        (&json!("accepted"), &json!("eve"))
    );
    assert!(accepted["reviewed_at"].as_str().unwrap().starts_with("20"));
    let manual = line(name.start);
    assert_eq!(
        (&manual["review"], &manual["approved_by"]),
        (&json!("manual"), &json!("ada"))
    );
    assert_eq!(
        (&manual["rule"], &manual["replacement"]),
        (&json!("name"), &json!("[NAME]"))
    );
    let automatic: Vec<_> = log.iter().filter(|l| l["review"] == "automatic").collect();
    assert_eq!(automatic.len(), 3);
    for l in &automatic {
        assert_eq!(l["approved_by"], serde_json::Value::Null, "{l}");
        assert!(l["run_by"].as_str().is_some_and(|r| !r.is_empty()), "{l}");
    }
    // The log holds positions, never values.
    let raw = std::fs::read_to_string(out.join("redaction-log.jsonl")).unwrap();
    assert!(!raw.contains("Jeanne") && !raw.contains("06 12"), "{raw}");

    // Only reviewed items: this one has three unreviewed detections.
    std::fs::remove_dir_all(&out).unwrap();
    let stats = redact(&["--reviewed-only"]);
    assert_eq!(stats["items"], 0, "{stats}");
    assert!(
        stats["not_rendered"][0][1]
            .as_str()
            .unwrap()
            .contains("3 detections not reviewed"),
        "{stats}"
    );
    assert!(!out.join(format!("{id}.txt")).exists());
    for s in found
        .iter()
        .filter(|s| s.start != press.start && s.start != private.start)
    {
        let span = at(s.kind.as_str(), &s.text);
        cat.decide_redaction(&id, &span, Decision::Accept, "eve")
            .unwrap();
    }
    let stats = redact(&["--reviewed-only"]);
    assert_eq!(
        (&stats["items"], &stats["unreviewed"]),
        (&json!(1), &json!(0)),
        "{stats}"
    );
}

/// A PDF's pages receive the review by value: the rejected press number is
/// not painted, the name marked by hand is, and the page's log lines say
/// so.
#[test]
fn a_pdfs_pages_follow_the_review() {
    use leakcheck_store::{Decision, RENDERING, SpanRef};

    if !poppler() {
        leakcheck_core::testing::skip("poppler's pdftoppm and pdftotext are not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    let page = "Standard presse : 01 42 00 00 00\nRappeler Jeanne Martin au 06 12 34 56 78";
    let bytes = pdf(&PdfInfo::default(), None, &[page]);
    std::fs::write(dump.join("rappel.pdf"), &bytes).unwrap();
    let (case, _) = crate::util::ingest(dir.path(), &[&dump]);
    let id = leakcheck_core::ItemId::of(&bytes);
    let opened = leakcheck_store::Case::open(&case).unwrap();
    let mut cat = opened.catalog().unwrap();
    let text = leakcheck_publish::rendered_text(&cat, &id)
        .unwrap()
        .unwrap();
    let detector = leakcheck_redact::Detector::new(&Default::default()).unwrap();
    let press = detector
        .find(&text)
        .into_iter()
        .find(|s| s.text == "01 42 00 00 00")
        .unwrap_or_else(|| panic!("the press number is not found in {text:?}"));
    let span = |start: usize, end: usize, kind: &str| SpanRef {
        text: RENDERING.into(),
        start,
        end,
        kind: kind.into(),
    };
    cat.decide_redaction(
        &id,
        &span(press.start, press.end, "phone"),
        Decision::Reject,
        "eve",
    )
    .unwrap();
    let name = text.find("Jeanne Martin").unwrap();
    cat.decide_redaction(&id, &span(name, name + 13, "name"), Decision::Manual, "ada")
        .unwrap();

    let out = dir.path().join("redacted");
    let run = lc([
        "redact".as_ref(),
        case.as_os_str(),
        id.as_str().as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["pdfs"], 1, "{}", run.stdout);
    let log: Vec<serde_json::Value> = std::fs::read_to_string(out.join("redaction-log.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let on_page: Vec<(&str, &str, &serde_json::Value)> = log
        .iter()
        .filter(|l| l["page"] == 1)
        .map(|l| {
            (
                l["rule"].as_str().unwrap(),
                l["review"].as_str().unwrap(),
                &l["approved_by"],
            )
        })
        .collect();
    assert_eq!(
        on_page,
        [
            ("name", "manual", &serde_json::json!("ada")),
            ("phone", "automatic", &serde_json::Value::Null)
        ],
        "the press number is left, the name and the mobile painted: {log:?}"
    );
    let redacted = out.join(format!("{id}.pdf"));
    let left = poppler_out("pdftotext", &[redacted.as_os_str(), "-".as_ref()]);
    assert!(String::from_utf8_lossy(&left).trim().is_empty());
}
