//! `variants` and `check` on documents and images built here: a contract
//! and three altered copies, pictures re-encoded and resized, unrelated
//! files that must stay apart.

use std::ffi::OsStr;
use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use leakcheck_samples::{Exif, OfficeProps, PdfInfo, ZipDate, docx, jpeg, pdf};
use serde_json::Value;

use crate::util::{ingest, lc};

const P1: &str = "The municipality of Lyon grants the association Avenir Commun the use of the \
    Salle Rameau for the evening of 20 April 2017, from six in the evening until midnight.";
const P2: &str = "In exchange the association pays a fee of 4500 euros, due on the day of the \
    event, and takes out insurance covering damage to the hall and its equipment.";
const P3: &str = "The association undertakes to leave the hall clean and to respect the \
    capacity of 1200 people set by the safety commission of the city.";

const OTHERS: [&str; 3] = [
    "Minutes of the volunteers meeting: leaflets will be handed out at the market on Saturday \
     morning, the posters for the northern districts are late, and the printer asks for the \
     final artwork by Thursday noon at the latest, otherwise delivery slips to next week.",
    "Press review for Tuesday: two regional papers cover the housing proposals, one national \
     paper questions the budget figures, and the radio interview is confirmed for Friday at \
     eight with a ten minute slot followed by questions from listeners about transport.",
    "Travel plan for the tour of the south west: train to Bordeaux on Monday, meeting with \
     wine growers in the afternoon, Toulouse on Tuesday for the aerospace visit, and back to \
     Paris on Wednesday night in time for the board meeting on Thursday morning.",
];

fn office(title: &str) -> OfficeProps {
    OfficeProps {
        title: Some(title.into()),
        creator: Some("Mara Quist".into()),
        ..OfficeProps::default()
    }
}

fn contract(p1: &str, p2: &str, p3: Option<&str>) -> Vec<u8> {
    contract_by("Mara Quist", p1, p2, p3)
}

fn contract_by(author: &str, p1: &str, p2: &str, p3: Option<&str>) -> Vec<u8> {
    let mut paras = vec![p1, p2];
    paras.extend(p3);
    let props = OfficeProps {
        creator: Some(author.into()),
        ..office("Contract")
    };
    docx(&props, &paras, ZipDate::OFFICE).unwrap()
}

fn picture(kind: u32) -> RgbImage {
    RgbImage::from_fn(320, 240, |x, y| match kind {
        0 => Rgb([if (x / 40 + y / 40) % 2 == 0 { 230 } else { 20 }; 3]),
        1 => Rgb([(y * 255 / 240) as u8, 90, 40]),
        _ => Rgb([
            if (x / 16) % 2 == 0 { 200 } else { 60 },
            120,
            (x * 255 / 320) as u8,
        ]),
    })
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn write_dump(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let put = |name: &str, bytes: Vec<u8>| std::fs::write(dir.join(name), bytes).unwrap();
    put("contract.docx", contract(P1, P2, Some(P3)));
    put(
        "contract-figure.docx",
        contract(P1, &P2.replace("4500", "45000"), Some(P3)),
    );
    put(
        "contract-name.docx",
        contract_by("K. Ivanov", &P1.replace("Avenir", "Horizon"), P2, Some(P3)),
    );
    put("contract-short.docx", contract(P1, P2, None));
    for (i, t) in OTHERS.iter().enumerate() {
        put(
            &format!("other-{i}.docx"),
            docx(&office("Notes"), &[t], ZipDate::OFFICE).unwrap(),
        );
    }
    let photo = jpeg(640, 480, 3, &Exif::default()).unwrap();
    let decoded = image::load_from_memory(&photo).unwrap();
    put("photo.jpg", photo);
    put("photo-reencoded.png", encode(&decoded, ImageFormat::Png));
    put(
        "photo-small.jpg",
        encode(
            &decoded.resize(320, 240, image::imageops::FilterType::Triangle),
            ImageFormat::Jpeg,
        ),
    );
    for k in 0..3 {
        put(
            &format!("unrelated-{k}.png"),
            encode(&DynamicImage::ImageRgb8(picture(k)), ImageFormat::Png),
        );
    }
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn name(v: &Value) -> String {
    v["path"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn altered_copies_cluster_with_their_changes_and_nothing_else_does() {
    let dir = tempfile::tempdir().unwrap();
    write_dump(&dir.path().join("dump"));
    let (case, _) = ingest(dir.path(), &[&dir.path().join("dump")]);
    let r = lc([
        OsStr::new("variants"),
        case.as_os_str(),
        OsStr::new("--json"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines = json_lines(&r.stdout);
    let clusters: Vec<&Value> = lines
        .iter()
        .filter(|l| l["type"] == "cluster")
        .map(|l| &l["cluster"])
        .collect();
    assert_eq!(clusters.len(), 2, "{}", r.stdout);

    let text = clusters.iter().find(|c| c["basis"] == "text").unwrap();
    let mut names: Vec<String> = text["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| name(&m["entry"]))
        .collect();
    names.push(name(&text["reference"]));
    names.sort();
    assert_eq!(
        names,
        [
            "contract-figure.docx",
            "contract-name.docx",
            "contract-short.docx",
            "contract.docx"
        ]
    );
    // Each diff names exactly the changes between the reference and the
    // member: the reference's own change undone, the member's made.
    let change = |file: &str| -> Option<(String, String)> {
        match file {
            "contract-figure.docx" => Some(("4500".into(), "45000".into())),
            "contract-name.docx" => Some(("Avenir".into(), "Horizon".into())),
            "contract-short.docx" => Some((P3.into(), String::new())),
            _ => None,
        }
    };
    let reference = name(&text["reference"]);
    for m in text["members"].as_array().unwrap() {
        let mut want: Vec<(String, String)> = Vec::new();
        want.extend(change(&reference).map(|(a, b)| (b, a)));
        want.extend(change(&name(&m["entry"])));
        want.sort();
        let mut got: Vec<(String, String)> = m["diff"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["removed"].as_str().unwrap().into(),
                    c["added"].as_str().unwrap().into(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(got, want, "{reference} → {}", name(&m["entry"]));
        // The copy with the other name also has another author.
        let renamed = [reference.as_str(), &name(&m["entry"])].contains(&"contract-name.docx");
        let meta = m["metadata"].as_array().map_or(0, Vec::len);
        assert_eq!(meta, usize::from(renamed), "{}", m["metadata"]);
        if renamed {
            assert_eq!(m["metadata"][0]["key"], "author");
        }
    }

    let image = clusters.iter().find(|c| c["basis"] == "image").unwrap();
    let mut names: Vec<String> = image["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| name(&m["entry"]))
        .collect();
    names.push(name(&image["reference"]));
    names.sort();
    assert_eq!(
        names,
        ["photo-reencoded.png", "photo-small.jpg", "photo.jpg"]
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["images_compared"], 6);
}

#[test]
fn check_says_exact_near_or_none() {
    let dir = tempfile::tempdir().unwrap();
    write_dump(&dir.path().join("dump"));
    let (case, _) = ingest(dir.path(), &[&dir.path().join("dump")]);
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let exact = outside.join("copy.docx");
    std::fs::copy(dir.path().join("dump/contract.docx"), &exact).unwrap();
    let altered = outside.join("viral.docx");
    std::fs::write(
        &altered,
        contract(P1, P2, Some(&P3.replace("1200", "12000"))),
    )
    .unwrap();
    let printed = outside.join("printed.pdf");
    let info = PdfInfo {
        title: Some("Contract".into()),
        ..PdfInfo::default()
    };
    std::fs::write(&printed, pdf(&info, None, &[P1, P2, P3])).unwrap();
    let unrelated = outside.join("post.txt");
    std::fs::write(&unrelated, "A completely different story about football results in the regional league this weekend, with three goals in the last ten minutes and a penalty saved by the young goalkeeper.").unwrap();
    // The dump's photo, shrunk and saved as PNG elsewhere.
    let shrunk = outside.join("shared.png");
    let photo = image::load_from_memory(&std::fs::read(dir.path().join("dump/photo.jpg")).unwrap())
        .unwrap()
        .resize(200, 150, image::imageops::FilterType::Triangle);
    std::fs::write(&shrunk, encode(&photo, ImageFormat::Png)).unwrap();
    let run = lc([
        OsStr::new("check"),
        case.as_os_str(),
        exact.as_os_str(),
        altered.as_os_str(),
        printed.as_os_str(),
        unrelated.as_os_str(),
        shrunk.as_os_str(),
        OsStr::new("--json"),
    ]);
    assert_eq!(run.code, 1, "not all exact: {}", run.stderr);
    let r = json_lines(&run.stdout);
    assert_eq!(r[0]["match"], "exact");
    assert_eq!(r[0]["similarity"], 1.0);
    assert_eq!(r[1]["match"], "near");
    let d = &r[1]["differences"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
    assert_eq!(
        (d[0]["removed"].as_str(), d[0]["added"].as_str()),
        (Some("1200"), Some("12000"))
    );
    // A whole copy with one word changed is not "an excerpt of the item".
    assert_eq!(r[1]["note"], Value::Null, "{}", r[1]);
    assert_eq!(r[2]["match"], "near", "{}", r[2]);
    assert_eq!(
        r[2]["total_differences"], 0,
        "same words, another format: {}",
        r[2]
    );
    assert_eq!(r[3]["match"], "none");
    assert_eq!(r[3]["item"], Value::Null);
    // The picture is described: sizes, formats, and no region that differs.
    assert_eq!(r[4]["match"], "near", "{}", r[4]);
    let p = &r[4]["picture"];
    assert_eq!(p["format"]["file"], "png", "{p}");
    assert_eq!(p["size"]["file"], serde_json::json!([200, 150]), "{p}");
    assert_eq!(p["changed_regions"], serde_json::json!([]), "{p}");
}

/// The demo's loose copy of a signed attachment and its reply quoting the
/// signed figure are both flagged, with the change as evidence.
#[test]
fn demo_near_copy_and_quote_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let case = crate::util::demo(dir.path());
    let run = lc([OsStr::new("verify"), case.as_os_str(), OsStr::new("--json")]);
    let reports = json_lines(&run.stdout);
    let finding = |path_end: &str, check: &str| -> Value {
        let r = reports
            .iter()
            .find(|r| r["paths"][0].as_str().unwrap().ends_with(path_end))
            .unwrap_or_else(|| panic!("{path_end} not verified"));
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == check)
            .cloned()
            .unwrap_or_else(|| panic!("{path_end}: no {check}: {r}"))
    };
    let near = finding("shared-drive/agreement.txt", "archive.near-duplicate");
    assert_eq!(near["verdict"], "suspicious");
    let change = &near["evidence"]["changes"][0];
    assert_eq!(
        (change["removed"].as_str(), change["added"].as_str()),
        (Some("12"), Some("120"))
    );
    let quote = finding("eml/figures-reply.eml", "email.thread-quote");
    assert_eq!(quote["verdict"], "suspicious");
    assert_eq!(quote["evidence"]["not_in_parent"][0]["added"], "12000");
    let fine = finding(
        "maildir/bruno/cur/1491814500.M1.host:2,S",
        "email.thread-quote",
    );
    assert_eq!(fine["verdict"], "consistent", "{fine}");
}
