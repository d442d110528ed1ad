//! OCR with Tesseract on pages built here: a typed letter, its scan, a
//! screenshot of it with one figure changed, a PDF whose invisible text
//! layer says another figure than its page shows, a photo without text, a
//! broken image and a decompression bomb. The tests that need Tesseract
//! and poppler skip, saying so, without them (and fail under CI).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use image::{GrayImage, ImageFormat, Luma};
use leakcheck_samples::{PdfInfo, pdf, picture_pdf};
use serde_json::Value;

use crate::util::{ingest, lc};

const LETTER: &str = "Objet : facture de la campagne de printemps
Madame, Monsieur,
Nous vous adressons la facture numero 4417 pour la location de la salle
et du materiel de sonorisation du meeting du 18 mars 2017 a Lyon.
Le montant total est de 12 850 euros, payable a trente jours.
Merci de rappeler la reference BRETAGNE-88 sur votre virement.
Nous restons a votre disposition pour tout renseignement.
Veuillez agreer nos salutations distinguees.
La directrice administrative, Claire Fontaine";

/// Are Tesseract (with French and English) and poppler here? Else skip.
pub(crate) fn engines() -> bool {
    let ok = |p: &str, a: &str| {
        Command::new(p)
            .arg(a)
            .output()
            .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
    };
    let langs = Command::new("tesseract")
        .arg("--list-langs")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if ok("pdftoppm", "-v")
        && langs.lines().any(|l| l == "fra")
        && langs.lines().any(|l| l == "eng")
    {
        return true;
    }
    leakcheck_core::testing::skip(
        "needs tesseract-ocr, tesseract-ocr-fra, tesseract-ocr-eng and poppler-utils",
    );
    false
}

fn typed(text: &str) -> Vec<u8> {
    let info = PdfInfo {
        title: Some("Facture".into()),
        producer: Some("LibreOffice 5.2".into()),
        ..PdfInfo::default()
    };
    pdf(&info, None, &[text])
}

/// The page of a PDF as a grey picture, at `dpi`.
fn render(pdf_bytes: &[u8], dpi: u32, dir: &Path) -> GrayImage {
    let src = dir.join("render-src.pdf");
    std::fs::write(&src, pdf_bytes).unwrap();
    let root = dir.join("render-out");
    let st = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray", "-png", "-singlefile"])
        .arg(&src)
        .arg(&root)
        .status()
        .unwrap();
    assert!(st.success());
    image::open(root.with_extension("png")).unwrap().to_luma8()
}

fn jpeg(img: &GrayImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .unwrap();
    out
}

fn encode(img: &GrayImage, format: ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A scan of `text`: rendered at 150 dpi, turned half a degree, saved as
/// a JPEG of middling quality inside a PDF without a text layer.
fn scan_of(text: &str, dir: &Path) -> Vec<u8> {
    let page = render(&typed(text), 150, dir);
    let turned = imageproc_free_rotate(&page, 0.5);
    picture_pdf(&jpeg(&turned, 60), turned.dimensions(), None)
}

/// Turns a grey page by `degrees` around its centre (nearest pixel, white
/// outside): enough of a scanner's skew.
fn imageproc_free_rotate(img: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = img.dimensions();
    let (s, c) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    GrayImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (c * dx + s * dy + cx, -s * dx + c * dy + cy);
        if sx >= 0.0 && sy >= 0.0 && (sx as u32) < w && (sy as u32) < h {
            *img.get_pixel(sx as u32, sy as u32)
        } else {
            Luma([255])
        }
    })
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn id_of(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn show(case: &Path, bytes: &[u8]) -> Value {
    let id = id_of(bytes);
    lc([
        OsStr::new("show"),
        case.as_os_str(),
        OsStr::new(&id),
        OsStr::new("--json"),
    ])
    .json()
}

fn dump(dir: &Path, files: &[(&str, &[u8])]) -> PathBuf {
    let d = dir.join("dump");
    std::fs::create_dir_all(&d).unwrap();
    for (name, bytes) in files {
        std::fs::write(d.join(name), bytes).unwrap();
    }
    d
}

#[test]
fn a_scan_is_read_searched_grouped_and_matched_by_check() {
    if !engines() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let letter = typed(LETTER);
    let scan = scan_of(LETTER, dir.path());
    let mut fax = render(&typed(LETTER), 200, dir.path());
    for p in fax.pixels_mut() {
        p.0[0] = if p.0[0] < 160 { 0 } else { 255 };
    }
    let fax = encode(&fax, ImageFormat::Tiff);
    // The same letter scanned sideways: orientation detection turns it.
    let sideways = image::imageops::rotate90(&render(&typed(LETTER), 150, dir.path()));
    let sideways = picture_pdf(&jpeg(&sideways, 70), sideways.dimensions(), None);
    let photo = GrayImage::from_fn(640, 480, |x, y| {
        Luma([((x * 7 + y * 3) % 97 + (x * y) % 31) as u8 + 60])
    });
    let photo = jpeg(&photo, 85);
    let d = dump(
        dir.path(),
        &[
            ("facture.pdf", &letter),
            ("Scan_0001.pdf", &scan),
            ("fax.tif", &fax),
            ("photo.jpg", &photo),
            ("Scan_0002.pdf", &sideways),
        ],
    );
    let (case, _) = ingest(dir.path(), &[&d]);

    // The scan's OCR layer: its own, labelled, with engine and confidence.
    let s = show(&case, &scan);
    let ocr = &s["ocr"];
    assert_eq!(ocr["status"], "read", "{ocr}");
    assert!(
        ocr["engine"].as_str().unwrap().starts_with("tesseract"),
        "{ocr}"
    );
    assert_eq!(ocr["languages"], "fra+eng");
    assert!(ocr["confidence"].as_f64().unwrap() > 80.0, "{ocr}");
    let text = ocr["pages"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("BRETAGNE-88") && text.contains("12 850"),
        "{text}"
    );
    let human = lc([
        OsStr::new("show"),
        case.as_os_str(),
        OsStr::new(&id_of(&scan)),
    ])
    .stdout;
    assert!(human.contains("OCR text (read, tesseract"), "{human}");
    assert!(human.contains("mean confidence"), "{human}");
    let turned = show(&case, &sideways)["ocr"]["pages"][0]["text"].clone();
    assert!(turned.as_str().unwrap().contains("BRETAGNE-88"), "{turned}");
    // The fax is read; the photo is decided to hold no text, without an OCR call.
    assert_eq!(show(&case, &fax)["ocr"]["status"], "read");
    let p = show(&case, &photo)["ocr"].clone();
    assert_eq!(p["status"], "no-text", "{p}");
    assert_eq!(p["pages"], serde_json::json!([]));

    // Search finds the OCR text, can be held to it or keep out of it, and
    // says where a snippet comes from.
    let search = |q: &str| -> Vec<Value> {
        let r = lc([
            OsStr::new("search"),
            case.as_os_str(),
            OsStr::new(q),
            OsStr::new("--json"),
        ]);
        r.json()["hits"].as_array().cloned().unwrap_or_default()
    };
    let ids = |hits: &[Value]| -> Vec<String> {
        let mut v: Vec<String> = hits
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let all = search("fontaine");
    assert!(ids(&all).contains(&id_of(&scan)), "{all:?}");
    assert!(ids(&all).contains(&id_of(&letter)));
    assert!(!ids(&search("ocr:fontaine")).contains(&id_of(&letter)));
    assert!(ids(&search("ocr:fontaine")).contains(&id_of(&scan)));
    assert_eq!(ids(&search("body:fontaine")), vec![id_of(&letter)]);
    let hit = all
        .iter()
        .find(|h| h["id"] == id_of(&scan).as_str())
        .unwrap();
    assert!(
        hit["snippet"].as_str().unwrap().starts_with("(OCR) "),
        "{hit}"
    );

    // The scan joins its typed original's group of near-copies.
    let v = lc([
        OsStr::new("variants"),
        case.as_os_str(),
        OsStr::new("--json"),
    ]);
    let groups = json_lines(&v.stdout);
    let joined = groups.iter().filter(|g| g["type"] == "cluster").any(|g| {
        let c = &g["cluster"];
        let ids: Vec<&str> = std::iter::once(&c["reference"]["id"])
            .chain(
                c["members"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|m| &m["entry"]["id"]),
            )
            .filter_map(Value::as_str)
            .collect();
        ids.contains(&id_of(&scan).as_str()) && ids.contains(&id_of(&letter).as_str())
    });
    assert!(joined, "{}", v.stdout);

    // A screenshot of the letter with one figure changed, from outside.
    let planted = LETTER.replace("12 850", "42 850");
    let shot = dir.path().join("viral.png");
    std::fs::write(
        &shot,
        encode(&render(&typed(&planted), 110, dir.path()), ImageFormat::Png),
    )
    .unwrap();
    let r = lc([
        OsStr::new("check"),
        case.as_os_str(),
        shot.as_os_str(),
        OsStr::new("--json"),
    ]);
    let r = json_lines(&r.stdout).pop().unwrap();
    assert_eq!(r["match"], "near", "{r}");
    assert_eq!(r["basis"], "ocr", "{r}");
    let changes = r["differences"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["removed"] == "12" && c["added"] == "42"),
        "{r}"
    );

    // stats says what OCR did.
    let st = lc([OsStr::new("stats"), case.as_os_str()]).stdout;
    assert!(
        st.contains("ocr ") && st.contains("waiting · tesseract"),
        "{st}"
    );
}

#[test]
fn a_text_layer_other_than_its_page_is_flagged_and_plain_pdfs_are_not() {
    if !engines() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let shown = jpeg(&render(&typed(LETTER), 200, dir.path()), 80);
    let size = image::load_from_memory(&shown)
        .unwrap()
        .to_luma8()
        .dimensions();
    let honest = picture_pdf(&shown, size, Some(LETTER));
    let forged = picture_pdf(&shown, size, Some(&LETTER.replace("12 850", "2 850")));
    let plain = typed(LETTER);
    let d = dump(
        dir.path(),
        &[
            ("honest.pdf", &honest),
            ("forged.pdf", &forged),
            ("plain.pdf", &plain),
        ],
    );
    let (case, _) = ingest(dir.path(), &[&d]);
    let v = lc([OsStr::new("verify"), case.as_os_str(), OsStr::new("--json")]);
    assert!(v.code <= 1, "{}", v.stderr);
    let finding = |bytes: &[u8]| -> Option<Value> {
        let s = show(&case, bytes);
        s["verification"]["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["check"] == "doc.text-layer")
            .cloned()
    };
    let f = finding(&forged).expect("forged.pdf compared");
    assert_eq!(f["verdict"], "suspicious", "{f}");
    let w = &f["evidence"]["pages"][0]["differing_words"][0];
    assert_eq!(
        (w["text_layer"].as_str(), w["page_shows"].as_str()),
        (Some("2"), Some("12")),
        "{f}"
    );
    let f = finding(&honest).expect("honest.pdf compared");
    assert_eq!(f["verdict"], "consistent", "{f}");
    // A PDF of text alone has nothing drawn to compare with: no OCR call.
    assert_eq!(show(&case, &plain)["ocr"]["status"], "no-picture");
    assert!(finding(&plain).is_none());
}

#[test]
fn ocr_later_leaves_scans_waiting_for_the_ocr_command() {
    if !engines() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let scan = scan_of(LETTER, dir.path());
    let d = dump(dir.path(), &[("scan.pdf", &scan)]);
    let case = dir.path().join("case");
    assert_eq!(
        lc([OsStr::new("init"), case.as_os_str(), OsStr::new("-q")]).code,
        0
    );
    let later = lc([
        OsStr::new("ingest"),
        case.as_os_str(),
        d.as_os_str(),
        OsStr::new("--ocr-later"),
    ]);
    assert_eq!(later.code, 0, "{}", later.stderr);
    assert!(
        later
            .stderr
            .contains("OCR left for later (--ocr-later): 1 page waits for it"),
        "{}",
        later.stderr
    );
    assert!(show(&case, &scan)["ocr"].is_null());
    let ocr = lc([OsStr::new("ocr"), case.as_os_str()]);
    assert_eq!(ocr.code, 0, "{}", ocr.stderr);
    assert!(
        ocr.stdout.contains("OCR: 1 item read (1 page)"),
        "{}",
        ocr.stdout
    );
    assert_eq!(show(&case, &scan)["ocr"]["status"], "read");
}

#[test]
fn broken_images_and_bombs_are_item_errors() {
    if !engines() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut tiff = encode(&GrayImage::from_pixel(8, 8, Luma([0])), ImageFormat::Tiff);
    // Width and length rewritten to 100,000 pixels each.
    let ifd = u32::from_le_bytes(tiff[4..8].try_into().unwrap()) as usize;
    let n = u16::from_le_bytes(tiff[ifd..ifd + 2].try_into().unwrap()) as usize;
    for i in 0..n {
        let e = ifd + 2 + i * 12;
        let tag = u16::from_le_bytes(tiff[e..e + 2].try_into().unwrap());
        if tag == 256 || tag == 257 {
            tiff[e + 2..e + 4].copy_from_slice(&4u16.to_le_bytes());
            tiff[e + 4..e + 8].copy_from_slice(&1u32.to_le_bytes());
            tiff[e + 8..e + 12].copy_from_slice(&100_000u32.to_le_bytes());
        }
    }
    let broken = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR garbage that is no picture".to_vec();
    let d = dump(dir.path(), &[("bomb.tif", &tiff), ("broken.png", &broken)]);
    let (case, _) = ingest(dir.path(), &[&d]);
    for bytes in [&tiff, &broken] {
        assert_eq!(show(&case, bytes)["ocr"]["status"], "failed");
    }
    let errors = lc([OsStr::new("errors"), case.as_os_str()]).stdout;
    assert!(
        errors.contains("OCR: ") && errors.contains("decompression bomb"),
        "{errors}"
    );
}

#[test]
fn without_tesseract_ocr_is_unavailable_and_ingest_works() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    assert_eq!(
        lc([OsStr::new("init"), case.as_os_str(), OsStr::new("-q")]).code,
        0
    );
    let photo = encode(
        &GrayImage::from_pixel(64, 64, Luma([200])),
        ImageFormat::Png,
    );
    let d = dump(dir.path(), &[("a.png", &photo)]);
    let run = |args: &[&OsStr]| {
        Command::new(crate::util::bin())
            .args(args)
            .env("LEAKCHECK_TESSERACT", "/nonexistent/tesseract")
            .output()
            .unwrap()
    };
    let out = run(&[OsStr::new("ingest"), case.as_os_str(), d.as_os_str()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats = run(&[OsStr::new("stats"), case.as_os_str()]);
    let stats = String::from_utf8_lossy(&stats.stdout);
    assert!(
        stats.contains("1 item (1 page) waiting · OCR unavailable"),
        "{stats}"
    );
    assert!(
        stats.contains("apt-get install tesseract-ocr tesseract-ocr-fra"),
        "{stats}"
    );
    let ocr = run(&[OsStr::new("ocr"), case.as_os_str()]);
    assert_eq!(ocr.status.code(), Some(1));
}

#[test]
fn the_demo_scan_is_read_and_its_viral_screenshot_matched() {
    if !engines() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let case = crate::util::demo(dir.path());
    let shot = dir.path().join("demo-outside/capture-facture.png");
    let r = lc([
        OsStr::new("check"),
        case.as_os_str(),
        shot.as_os_str(),
        OsStr::new("--json"),
    ]);
    let r = json_lines(&r.stdout).pop().unwrap();
    assert_eq!(
        (r["match"].as_str(), r["basis"].as_str()),
        (Some("near"), Some("ocr")),
        "{r}"
    );
    assert!(
        r["matched"]["path"]
            .as_str()
            .unwrap()
            .ends_with("facture-imprimerie.pdf")
            || r["matched"]["path"].as_str().unwrap().contains("Scan_"),
        "{r}"
    );
    assert!(
        r["differences"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["removed"] == "12" && c["added"] == "42"),
        "{r}"
    );
    let hits = lc([
        OsStr::new("search"),
        case.as_os_str(),
        OsStr::new("ocr:RHONE-412"),
        OsStr::new("--json"),
    ])
    .json();
    let paths: Vec<&str> = hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["path"].as_str())
        .collect();
    assert!(
        paths.iter().any(|p| p.contains("Scan_20170413_0001.pdf")),
        "{paths:?}"
    );
}
