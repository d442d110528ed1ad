//! Every builder's output read back by leakcheck's own extractor: what was
//! written must be what is found, with no warnings.

use leakcheck_core::DocMeta;
use leakcheck_core::doc::{key, store};
use leakcheck_extract::doc::{self, DocLimits};
use leakcheck_samples::{
    Exif, OfficeProps, PdfInfo, Thumbnail, Xmp, ZipDate, docx, jpeg, pdf, pdf_update, xlsx,
};

/// Detects the kind as ingest does and extracts; warnings fail the test.
fn read(bytes: &[u8]) -> (DocMeta, String) {
    let kind = leakcheck_extract::sniff(bytes);
    let x = doc::extract(kind, bytes, &DocLimits::default()).expect("extracts");
    assert!(x.meta.warnings.is_empty(), "{:?}", x.meta.warnings);
    (x.meta, x.text)
}

/// A value of a store, `None` when the store or the field is absent.
fn value<'a>(meta: &'a DocMeta, store: &str, key: &str) -> Option<&'a str> {
    meta.store(store)?.get(key)
}

/// The normalised date of a field.
fn date<'a>(meta: &'a DocMeta, store: &str, key: &str) -> Option<&'a str> {
    meta.store(store)?.field(key)?.date.as_deref()
}

fn office_props() -> OfficeProps {
    OfficeProps {
        title: Some("Q3 <draft> & notes".into()),
        creator: Some("Zoë Müller".into()),
        last_modified_by: Some("J. Smith".into()),
        created: Some("2017-04-10T09:00:00Z".into()),
        modified: Some("2017-04-12T17:30:00Z".into()),
        revision: Some("7".into()),
        language: Some("de-DE".into()),
        application: Some("Microsoft Office Word".into()),
        app_version: Some("16.0000".into()),
        company: Some("ACME GmbH".into()),
        template: Some("Normal.dotm".into()),
        total_time: Some("42".into()),
    }
}

fn assert_office_props(meta: &DocMeta) {
    let core = |k| value(meta, store::OOXML_CORE, k);
    assert_eq!(core(key::TITLE), Some("Q3 <draft> & notes"));
    assert_eq!(core(key::AUTHOR), Some("Zoë Müller"));
    assert_eq!(core(key::LAST_MODIFIED_BY), Some("J. Smith"));
    assert_eq!(core(key::REVISION), Some("7"));
    assert_eq!(core(key::LANGUAGE), Some("de-DE"));
    let core_date = |k| date(meta, store::OOXML_CORE, k);
    assert_eq!(core_date(key::CREATED), Some("2017-04-10T09:00:00Z"));
    assert_eq!(core_date(key::MODIFIED), Some("2017-04-12T17:30:00Z"));
    let app = |k| value(meta, store::OOXML_APP, k);
    assert_eq!(app(key::CREATOR_TOOL), Some("Microsoft Office Word"));
    assert_eq!(app(key::APP_VERSION), Some("16.0000"));
    assert_eq!(app(key::COMPANY), Some("ACME GmbH"));
    assert_eq!(app(key::TEMPLATE), Some("Normal.dotm"));
    assert_eq!(app(key::TOTAL_TIME), Some("42"));
}

fn entry_dates(meta: &DocMeta) -> Vec<&str> {
    meta.zip_entries
        .iter()
        .map(|e| e.modified.as_deref().unwrap_or("none"))
        .collect()
}

#[test]
fn docx_properties_text_and_entry_dates() {
    let repacked = ZipDate {
        year: 2019,
        month: 3,
        day: 5,
        hour: 14,
        minute: 22,
        second: 10,
    };
    let bytes = docx(
        &office_props(),
        &["First paragraph", "Second <one> & more"],
        repacked,
    )
    .unwrap();
    let (meta, text) = read(&bytes);
    assert_eq!(meta.format, "docx");
    assert_office_props(&meta);
    assert_eq!(meta.zip_entries.len(), 5);
    assert_eq!(meta.zip_entries[0].name, "[Content_Types].xml");
    assert!(
        entry_dates(&meta)
            .iter()
            .all(|d| *d == "2019-03-05T14:22:10")
    );
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        ["First paragraph", "Second <one> & more"]
    );
}

#[test]
fn docx_absent_properties_are_absent() {
    let props = OfficeProps {
        creator: Some("Ann".into()),
        ..OfficeProps::default()
    };
    let (meta, _) = read(&docx(&props, &[], ZipDate::OFFICE).unwrap());
    assert_eq!(meta.store(store::OOXML_CORE).unwrap().fields.len(), 1);
    assert!(meta.store(store::OOXML_APP).is_none());
    assert!(
        entry_dates(&meta)
            .iter()
            .all(|d| *d == "1980-01-01T00:00:00")
    );
}

#[test]
fn xlsx_properties_cells_and_entry_dates() {
    let rows: &[&[&str]] = &[
        &["Account", "Owner"],
        &["4711", "Zoë & co"],
        &["4712", "", "Account"],
    ];
    let bytes = xlsx(&office_props(), rows, ZipDate::OFFICE).unwrap();
    let (meta, text) = read(&bytes);
    assert_eq!(meta.format, "xlsx");
    assert_office_props(&meta);
    assert!(
        entry_dates(&meta)
            .iter()
            .all(|d| *d == "1980-01-01T00:00:00")
    );
    let cells: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split('\t').filter(|c| !c.is_empty()).collect())
        .collect();
    assert_eq!(
        cells,
        [
            vec!["Account", "Owner"],
            vec!["4711", "Zoë & co"],
            vec!["4712", "Account"]
        ]
    );
}

fn pdf_info() -> PdfInfo {
    PdfInfo {
        title: Some("Board minutes (final)".into()),
        author: Some("Zoë Müller".into()),
        creator: Some("Microsoft® Word 2016".into()),
        producer: Some("Microsoft® Word 2016".into()),
        created: Some("D:20170410090000+02'00'".into()),
        modified: Some("D:20170410091500+02'00'".into()),
    }
}

fn xmp() -> Xmp {
    Xmp {
        title: Some("Board minutes (final)".into()),
        creator: Some("Zoë Müller".into()),
        create_date: Some("2017-04-10T09:00:00+02:00".into()),
        modify_date: Some("2017-04-10T09:15:00+02:00".into()),
        creator_tool: Some("Microsoft® Word 2016".into()),
        producer: Some("Microsoft® Word 2016".into()),
    }
}

#[test]
fn pdf_info_xmp_pages_and_text() {
    let bytes = pdf(
        &pdf_info(),
        Some(&xmp()),
        &["Page one (draft)\nsecond line", "Page two: café"],
    );
    let (meta, text) = read(&bytes);
    let info = |k| value(&meta, store::PDF_INFO, k);
    assert_eq!(info(key::TITLE), Some("Board minutes (final)"));
    assert_eq!(info(key::AUTHOR), Some("Zoë Müller"));
    assert_eq!(info(key::CREATOR_TOOL), Some("Microsoft® Word 2016"));
    assert_eq!(info(key::PRODUCER), Some("Microsoft® Word 2016"));
    assert_eq!(
        date(&meta, store::PDF_INFO, key::CREATED),
        Some("2017-04-10T09:00:00+02:00")
    );
    assert_eq!(
        date(&meta, store::PDF_INFO, key::MODIFIED),
        Some("2017-04-10T09:15:00+02:00")
    );
    let xmp = |k| value(&meta, store::XMP, k);
    assert_eq!(xmp(key::TITLE), Some("Board minutes (final)"));
    assert_eq!(xmp(key::AUTHOR), Some("Zoë Müller"));
    assert_eq!(xmp(key::CREATOR_TOOL), Some("Microsoft® Word 2016"));
    assert_eq!(xmp(key::PRODUCER), Some("Microsoft® Word 2016"));
    assert_eq!(
        date(&meta, store::XMP, key::CREATED),
        Some("2017-04-10T09:00:00+02:00")
    );
    assert_eq!(
        date(&meta, store::XMP, key::MODIFIED),
        Some("2017-04-10T09:15:00+02:00")
    );
    assert_eq!(meta.pages, Some(2));
    for line in ["Page one (draft)", "second line", "Page two: café"] {
        assert!(text.contains(line), "{line:?} in {text:?}");
    }
    let layout = meta.pdf.unwrap();
    assert_eq!(layout.version.as_deref(), Some("1.4"));
    assert_eq!(layout.revisions.len(), 1);
    assert_eq!(layout.trailing_bytes, 0);
}

#[test]
fn pdf_without_xmp_has_no_xmp_store() {
    let (meta, _) = read(&pdf(&PdfInfo::default(), None, &["x"]));
    assert!(meta.store(store::XMP).is_none());
    assert_eq!(meta.pages, Some(1));
}

#[test]
fn pdf_update_adds_a_revision_with_a_new_info() {
    let original = pdf(&pdf_info(), Some(&xmp()), &["Page one"]);
    let edited = PdfInfo {
        author: Some("Mallory".into()),
        producer: Some("Adobe Acrobat Pro 2020".into()),
        modified: Some("D:20200101120000Z".into()),
        ..pdf_info()
    };
    let bytes = pdf_update(&original, &edited, None).unwrap();
    assert!(bytes.starts_with(&original));
    let (meta, _) = read(&bytes);
    assert_eq!(meta.pages, Some(1));
    assert_eq!(value(&meta, store::PDF_INFO, key::AUTHOR), Some("Mallory"));
    assert_eq!(
        date(&meta, store::PDF_INFO, key::MODIFIED),
        Some("2020-01-01T12:00:00Z")
    );
    assert_eq!(value(&meta, store::XMP, key::AUTHOR), Some("Zoë Müller"));
    let revisions = meta.pdf.unwrap().revisions;
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[0].end, original.len() as u64);
    assert_eq!(revisions[1].objects, 1);
    let old = revisions[0].info.as_ref().expect("the first Info differs");
    assert_eq!(old.get(key::AUTHOR), Some("Zoë Müller"));
}

#[test]
fn pdf_updates_with_extra_pages_grow_the_page_tree() {
    let original = pdf(&PdfInfo::default(), None, &["Page one", "Page two"]);
    let once = pdf_update(&original, &pdf_info(), Some("Inserted later")).unwrap();
    let twice = pdf_update(&once, &PdfInfo::default(), Some("And again")).unwrap();
    let (meta, text) = read(&once);
    assert_eq!(meta.pages, Some(3));
    assert!(text.contains("Inserted later"), "{text:?}");
    let (meta, text) = read(&twice);
    assert_eq!(meta.pages, Some(4));
    let order: Vec<usize> = ["Page one", "Page two", "Inserted later", "And again"]
        .iter()
        .map(|p| text.find(p).unwrap())
        .collect();
    assert!(order.is_sorted(), "{text:?}");
    assert!(
        meta.store(store::PDF_INFO)
            .unwrap()
            .get(key::TITLE)
            .is_none()
    );
    assert_eq!(meta.pdf.unwrap().revisions.len(), 3);
}

fn camera(thumbnail: Thumbnail) -> Exif {
    Exif {
        make: Some("Canon".into()),
        model: Some("Canon EOS 5D Mark IV".into()),
        software: Some("Adobe Photoshop CC 2019 (Windows)".into()),
        artist: Some("Zoë Müller".into()),
        date_time: Some("2019:06:01 12:00:00".into()),
        date_time_original: Some("2017:04:10 09:00:00".into()),
        thumbnail,
    }
}

#[test]
fn jpeg_exif_fields() {
    let (meta, _) = read(&jpeg(320, 200, 7, &camera(Thumbnail::None)).unwrap());
    let ifd0 = |k| value(&meta, store::EXIF_IFD0, k);
    assert_eq!(ifd0(key::MAKE), Some("Canon"));
    assert_eq!(ifd0(key::MODEL), Some("Canon EOS 5D Mark IV"));
    assert_eq!(
        ifd0(key::SOFTWARE),
        Some("Adobe Photoshop CC 2019 (Windows)")
    );
    assert_eq!(ifd0(key::ARTIST), Some("Zoë Müller"));
    assert_eq!(
        date(&meta, store::EXIF_IFD0, key::MODIFIED),
        Some("2019-06-01T12:00:00")
    );
    assert_eq!(
        date(&meta, store::EXIF_EXIF, key::DATE_TIME_ORIGINAL),
        Some("2017-04-10T09:00:00")
    );
    assert!(meta.store(store::EXIF_IFD1).is_none());
    let image = meta.image.unwrap();
    assert_eq!((image.width, image.height), (Some(320), Some(200)));
    assert_eq!(image.thumbnail, None);
}

#[test]
fn jpeg_thumbnail_of_the_image_matches() {
    for seed in 0..4 {
        let (meta, _) = read(&jpeg(640, 480, seed, &camera(Thumbnail::OfImage)).unwrap());
        assert_eq!(
            value(&meta, store::EXIF_IFD1, "0x0103 Compression"),
            Some("JPEG")
        );
        let t = meta.image.unwrap().thumbnail.unwrap();
        assert_eq!((t.width, t.height), (160, 120));
        let diff = t.mean_difference.unwrap();
        assert!(diff < 5.0, "seed {seed}: {diff}");
        assert!(!t.aspect_differs);
    }
}

#[test]
fn jpeg_thumbnail_of_another_picture_differs() {
    for seed in 0..4 {
        let (meta, _) = read(&jpeg(600, 800, seed, &camera(Thumbnail::Other)).unwrap());
        let t = meta.image.unwrap().thumbnail.unwrap();
        assert_eq!((t.width, t.height), (160, 213));
        let diff = t.mean_difference.unwrap();
        assert!(diff >= 15.0, "seed {seed}: {diff}");
        assert!(!t.aspect_differs);
    }
}
