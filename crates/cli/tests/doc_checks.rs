//! Every document and image check, positive and negative, on files built
//! here: a small office's ordinary files give the dump its population, and
//! each odd file carries one anomaly.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::path::Path;

use leakcheck_samples::{
    Exif, OfficeProps, PdfInfo, Thumbnail, Xmp, ZipDate, docx, jpeg, pdf, pdf_update, xlsx,
};
use serde_json::Value;

use crate::util::lc;

fn props(author: &str, month_day: &str) -> OfficeProps {
    OfficeProps {
        title: Some("Weekly notes".into()),
        creator: Some(author.into()),
        last_modified_by: Some(author.into()),
        created: Some(format!("2017-{month_day}T09:00:00Z")),
        modified: Some(format!("2017-{month_day}T18:00:00Z")),
        application: Some("Microsoft Office Word".into()),
        app_version: Some("16.0000".into()),
        company: Some("Harbour Union".into()),
        ..OfficeProps::default()
    }
}

fn info(author: &str, title: &str) -> (PdfInfo, Xmp) {
    let info = PdfInfo {
        title: Some(title.into()),
        author: Some(author.into()),
        creator: Some("Writer".into()),
        producer: Some("LibreOffice 5.2".into()),
        created: Some("D:20170301100000Z".into()),
        modified: Some("D:20170301100000Z".into()),
    };
    let xmp = Xmp {
        title: Some(title.into()),
        creator: Some(author.into()),
        create_date: Some("2017-03-01T10:00:00Z".into()),
        modify_date: Some("2017-03-01T10:00:00Z".into()),
        creator_tool: Some("Writer".into()),
        producer: Some("LibreOffice 5.2".into()),
    };
    (info, xmp)
}

fn photo(software: &str, thumbnail: Thumbnail) -> Exif {
    Exif {
        make: Some("NIKON CORPORATION".into()),
        model: Some("NIKON D750".into()),
        software: Some(software.into()),
        date_time: Some("2017:03:02 12:00:00".into()),
        date_time_original: Some("2017:03:02 12:00:00".into()),
        thumbnail,
        ..Exif::default()
    }
}

/// Writes the dump: ordinary files in `ok/`, one anomaly per file in `odd/`.
fn write_dump(dir: &Path) {
    let ok = dir.join("ok");
    let odd = dir.join("odd");
    fs::create_dir_all(&ok).unwrap();
    fs::create_dir_all(&odd).unwrap();
    let people = ["Mara Quist", "Tom Okafor", "Ines Baptista"];
    for i in 0..6 {
        let p = props(people[i % 3], &format!("03-{:02}", i + 1));
        let doc = docx(&p, &["Agenda and minutes."], ZipDate::OFFICE).unwrap();
        fs::write(ok.join(format!("notes-{i}.docx")), doc).unwrap();
    }
    for (i, person) in people.iter().enumerate() {
        let p = OfficeProps {
            application: Some("Microsoft Excel".into()),
            ..props(person, &format!("03-{:02}", i + 10))
        };
        let sheet = xlsx(&p, &[&["item", "cost"], &["rent", "900"]], ZipDate::OFFICE).unwrap();
        fs::write(ok.join(format!("costs-{i}.xlsx")), sheet).unwrap();
    }
    for (i, person) in people.iter().enumerate() {
        let (inf, xmp) = info(person, &format!("Leaflet {i}"));
        fs::write(
            ok.join(format!("leaflet-{i}.pdf")),
            pdf(&inf, Some(&xmp), &["Join us."]),
        )
        .unwrap();
    }
    // A photographer's day: the camera's pictures are its population.
    for i in 0..10 {
        let img = jpeg(320, 240, i, &photo("Ver.1.00", Thumbnail::OfImage)).unwrap();
        fs::write(ok.join(format!("photo-{i}.jpg")), img).unwrap();
    }
    // A volunteer writes to the office from a personal address and authors
    // a leaflet: in the organisation's circle, not an outsider.
    fs::write(
        ok.join("volunteer.eml"),
        "From: Paul Girard <paul.girard1987@gmail.example>\r\nTo: contact@harbour-union.example\r\n\
         Subject: Leaflet\r\nDate: Thu, 9 Mar 2017 10:00:00 +0100\r\nMessage-ID: <v1@gmail.example>\r\n\r\n\
         Here is my leaflet for Saturday.\r\n",
    )
    .unwrap();
    let doc = docx(
        &props("Paul Girard", "03-09"),
        &["Join us on Saturday."],
        ZipDate::OFFICE,
    )
    .unwrap();
    fs::write(ok.join("leaflet-volunteer.docx"), doc).unwrap();

    // doc.dates: saved before it was created.
    let backwards = OfficeProps {
        modified: Some("2017-02-01T09:00:00Z".into()),
        ..props("Mara Quist", "03-20")
    };
    let doc = docx(&backwards, &["Minutes."], ZipDate::OFFICE).unwrap();
    fs::write(odd.join("backwards.docx"), doc).unwrap();
    // doc.authorship and doc.script: an outsider writing in Cyrillic.
    let outsider = OfficeProps {
        creator: Some("Олег Смирнов".into()),
        last_modified_by: Some("Олег Смирнов".into()),
        company: Some("Nordwind Consult".into()),
        application: Some("Microsoft Excel".into()),
        ..props("", "03-21")
    };
    let sheet = xlsx(
        &outsider,
        &[&["payee", "sum"], &["X", "1"]],
        ZipDate::OFFICE,
    )
    .unwrap();
    fs::write(odd.join("outsider.xlsx"), sheet).unwrap();
    // doc.authorship: a name nobody in the dump corresponds with.
    let doc = docx(
        &props("Henrik Vogel", "03-21"),
        &["Minutes."],
        ZipDate::OFFICE,
    )
    .unwrap();
    fs::write(odd.join("foreign.docx"), doc).unwrap();
    // image.thumbnail, region by region: a dark box painted over part of
    // the picture after the camera wrote its thumbnail.
    let boxed = photo("Ver.1.00", Thumbnail::BeforeEdit);
    fs::write(odd.join("boxed.jpg"), jpeg(320, 240, 7, &boxed).unwrap()).unwrap();
    // doc.software: Word's properties in a package another tool rewrote.
    let repacked = ZipDate {
        year: 2017,
        month: 3,
        day: 22,
        hour: 23,
        minute: 59,
        second: 58,
    };
    let doc = docx(&props("Tom Okafor", "03-22"), &["Minutes."], repacked).unwrap();
    fs::write(odd.join("repacked.docx"), doc).unwrap();
    // doc.pdf-revisions: saved again, one page more.
    let (inf, xmp) = info("Ines Baptista", "Leaflet 9");
    let original = pdf(&inf, Some(&xmp), &["Join us."]);
    let later = PdfInfo {
        modified: Some("D:20170302100000Z".into()),
        ..inf.clone()
    };
    let updated = pdf_update(&original, &later, Some("One more page.")).unwrap();
    fs::write(odd.join("updated.pdf"), updated).unwrap();
    // doc.pdf-xmp-info: the two stores name different titles.
    let other_title = Xmp {
        title: Some("Draft leaflet".into()),
        ..xmp
    };
    fs::write(
        odd.join("two-titles.pdf"),
        pdf(&inf, Some(&other_title), &["Join us."]),
    )
    .unwrap();
    // image.exif: taken after it was last saved.
    let taken_later = Exif {
        date_time_original: Some("2017:03:03 08:00:00".into()),
        ..photo("Ver.1.00", Thumbnail::OfImage)
    };
    fs::write(
        odd.join("taken-later.jpg"),
        jpeg(320, 240, 5, &taken_later).unwrap(),
    )
    .unwrap();
    // image.thumbnail and image.software: edited, thumbnail left behind.
    let edited = photo("GIMP 2.8.18", Thumbnail::Other);
    fs::write(odd.join("edited.jpg"), jpeg(320, 240, 6, &edited).unwrap()).unwrap();
}

type Found = HashMap<String, HashMap<String, (String, String, Value)>>;

/// Each file's findings by check: (verdict, summary, evidence).
fn verify(dir: &Path) -> Found {
    let case = dir.join("case");
    let init = lc([
        OsStr::new("init"),
        case.as_os_str(),
        OsStr::new("--window"),
        OsStr::new("2017-01-01..2017-04-30"),
        OsStr::new("--org-name"),
        OsStr::new("Harbour Union"),
        OsStr::new("--org-domain"),
        OsStr::new("harbour-union.example"),
        OsStr::new("-q"),
    ]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let dump = dir.join("dump");
    let run = lc([
        OsStr::new("ingest"),
        case.as_os_str(),
        dump.as_os_str(),
        OsStr::new("-q"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = lc([OsStr::new("verify"), case.as_os_str(), OsStr::new("--json")]);
    assert!(run.code <= 1, "{}", run.stderr);
    let mut out = HashMap::new();
    for line in run.stdout.lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        let path = r["paths"][0].as_str().unwrap();
        let name = path.rsplit('/').next().unwrap().to_string();
        let checks = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let v = f["verdict"].as_str().unwrap().to_string();
                let s = f["summary"].as_str().unwrap().to_string();
                let e = f["evidence"].clone();
                (f["check"].as_str().unwrap().to_string(), (v, s, e))
            })
            .collect();
        out.insert(name, checks);
    }
    out
}

#[test]
fn each_check_flags_its_anomaly_and_passes_the_ordinary_file() {
    let dir = tempfile::tempdir().unwrap();
    write_dump(&dir.path().join("dump"));
    let found = verify(dir.path());
    let verdict = |file: &str, check: &str| -> (String, String) {
        found
            .get(file)
            .unwrap_or_else(|| panic!("{file} not verified"))
            .get(check)
            .map(|(v, s, _)| (v.clone(), s.clone()))
            .unwrap_or_else(|| panic!("{file}: no {check} finding in {:?}", found[file]))
    };
    // (check, the odd file and what its summary says, an ordinary file)
    let cases = [
        (
            "doc.dates",
            "backwards.docx",
            "before it was created",
            "notes-0.docx",
        ),
        (
            "doc.authorship",
            "outsider.xlsx",
            "Nordwind Consult",
            "costs-1.xlsx",
        ),
        (
            "doc.authorship",
            "foreign.docx",
            "\"Henrik Vogel\"",
            "leaflet-volunteer.docx",
        ),
        ("doc.script", "outsider.xlsx", "Cyrillic", "costs-1.xlsx"),
        (
            "doc.software",
            "repacked.docx",
            "2017-03-22T23:59:58",
            "notes-1.docx",
        ),
        (
            "doc.pdf-revisions",
            "updated.pdf",
            "saved 2 times",
            "leaflet-0.pdf",
        ),
        (
            "doc.pdf-xmp-info",
            "two-titles.pdf",
            "\"Leaflet 9\" vs XMP \"Draft leaflet\"",
            "leaflet-1.pdf",
        ),
        (
            "image.exif",
            "taken-later.jpg",
            "after it was last modified",
            "photo-0.jpg",
        ),
        (
            "image.thumbnail",
            "edited.jpg",
            "shows another picture",
            "photo-1.jpg",
        ),
        (
            "image.thumbnail",
            "boxed.jpg",
            "a region of the image differs from its embedded thumbnail",
            "photo-2.jpg",
        ),
        (
            "image.software",
            "edited.jpg",
            "GIMP 2.8.18 (image editor)",
            "photo-0.jpg",
        ),
    ];
    for (check, odd, says, ok) in cases {
        let (v, summary) = verdict(odd, check);
        assert_eq!(v, "suspicious", "{odd} {check}: {summary}");
        assert!(summary.contains(says), "{odd} {check}: {summary}");
        let (v, summary) = verdict(ok, check);
        assert_eq!(v, "consistent", "{ok} {check}: {summary}");
    }
    // The box lies 55-80 % across and 20-40 % down: row 3, column 6 of the
    // 8×8 grid is inside it; the evidence draws the difference.
    let (_, summary, evidence) = &found["boxed.jpg"]["image.thumbnail"];
    assert!(summary.contains("row 3 column 6"), "{summary}");
    assert!(!summary.contains("row 1 "), "{summary}");
    let picture = evidence["difference_picture"].as_str().unwrap_or_default();
    assert!(picture.starts_with("data:image/png;base64,"), "{evidence}");
    // The ordinary files raise nothing at all.
    let ordinary = ["notes-", "costs-", "leaflet-", "photo-"];
    for (name, checks) in &found {
        if !ordinary.iter().any(|p| name.starts_with(p)) {
            continue;
        }
        for (check, (v, s, _)) in checks {
            assert_eq!(v, "consistent", "{name} {check}: {s}");
        }
    }
}

/// The demo's planted documents are the only suspicious ones, and `show`
/// spells out the evidence.
#[test]
fn demo_finds_its_planted_documents() {
    let dir = tempfile::tempdir().unwrap();
    let case = crate::util::demo(dir.path());
    let run = lc([OsStr::new("verify"), case.as_os_str(), OsStr::new("--json")]);
    let mut rapport = None;
    let mut planted = 0;
    for line in run.stdout.lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        let path = r["paths"][0].as_str().unwrap();
        if !path.contains("/documents/") || path.contains(" ! revision") {
            continue;
        }
        let expected = if path.contains("/planted/") {
            planted += 1;
            "suspicious"
        } else {
            "consistent"
        };
        assert_eq!(r["verdict"], expected, "{path}: {}", r["findings"]);
        if path.ends_with("rapport.pdf") {
            rapport = r["id"].as_str().map(String::from);
        }
        if path.ends_with("whiteboard.jpg") {
            // The local edit: found region by region, and drawn.
            let thumb = r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["check"] == "image.thumbnail")
                .expect("an image.thumbnail finding");
            assert_eq!(thumb["verdict"], "suspicious", "{thumb}");
            let summary = thumb["summary"].as_str().unwrap();
            assert!(summary.contains("row 3 column 6"), "{summary}");
            let picture = thumb["evidence"]["difference_picture"].as_str().unwrap();
            assert!(picture.starts_with("data:image/png;base64,"));
        }
    }
    assert_eq!(planted, 5);
    let id = rapport.expect("rapport.pdf verified");
    let show = lc([OsStr::new("show"), case.as_os_str(), OsStr::new(&id)]);
    assert!(
        show.stdout.contains("Info author: Anne Martin → K. Ivanov"),
        "{}",
        show.stdout
    );
}
