//! OOXML packages (docx, xlsx): a few XML parts in a ZIP, with the
//! properties parts (`docProps/core.xml`, `docProps/app.xml`) and the ZIP
//! entry dates chosen by the caller.

use std::io::{Cursor, Write};

use zip::result::ZipResult;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use crate::xml_escape;

const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n";
const REL_OFFICE_DOCUMENT: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";
const REL_CORE: &str =
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties";
const REL_APP: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties";
const REL_WORKSHEET: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";
const REL_SHARED_STRINGS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings";
const SPREADSHEET_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/// Properties written to `docProps/core.xml` and `docProps/app.xml`.
/// `None` leaves the element out.
#[derive(Clone, Debug, Default)]
pub struct OfficeProps {
    /// `dc:title`.
    pub title: Option<String>,
    /// `dc:creator`, the author.
    pub creator: Option<String>,
    /// `cp:lastModifiedBy`.
    pub last_modified_by: Option<String>,
    /// `dcterms:created`, a W3CDTF date such as `2017-04-10T09:00:00Z`.
    pub created: Option<String>,
    /// `dcterms:modified`, a W3CDTF date.
    pub modified: Option<String>,
    /// `cp:revision`, the save count.
    pub revision: Option<String>,
    /// `dc:language`, e.g. `en-US`.
    pub language: Option<String>,
    /// app.xml `Application`, e.g. `Microsoft Office Word`.
    pub application: Option<String>,
    /// app.xml `AppVersion`, e.g. `16.0000`.
    pub app_version: Option<String>,
    /// app.xml `Company`.
    pub company: Option<String>,
    /// app.xml `Template`, e.g. `Normal.dotm`.
    pub template: Option<String>,
    /// app.xml `TotalTime`, editing time in minutes.
    pub total_time: Option<String>,
}

/// The DOS date and time stamped on every ZIP entry. Office writes
/// 1980-01-01 00:00:00 ([`ZipDate::OFFICE`]); any other date means another
/// tool repacked the file. DOS keeps years 1980 to 2107 and even seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZipDate {
    /// Year, 1980 to 2107.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, from 1.
    pub day: u8,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Second, 0 to 58 (an odd second is rounded down).
    pub second: u8,
}

impl ZipDate {
    /// What Word, Excel and PowerPoint write: the DOS epoch.
    pub const OFFICE: ZipDate = ZipDate {
        year: 1980,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
    };
}

/// A Word document with one paragraph per string. Fails only when
/// `zip_date` is outside what DOS dates can hold.
pub fn docx(props: &OfficeProps, paragraphs: &[&str], zip_date: ZipDate) -> ZipResult<Vec<u8>> {
    let body: String = paragraphs
        .iter()
        .map(|p| {
            format!(
                "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                xml_escape(p)
            )
        })
        .collect();
    let document = Part {
        name: "word/document.xml",
        content_type: Some(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        ),
        xml: format!(
            "{XML_DECL}<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
        ),
    };
    package(vec![document], props, zip_date)
}

/// An Excel workbook with one sheet holding `rows`, strings kept in the
/// shared string table as Excel does; empty cells are left out. Fails only
/// when `zip_date` is outside what DOS dates can hold.
pub fn xlsx(props: &OfficeProps, rows: &[&[&str]], zip_date: ZipDate) -> ZipResult<Vec<u8>> {
    let mut strings: Vec<&str> = Vec::new();
    let mut cells = 0;
    let mut sheet_data = String::new();
    for (r, row) in rows.iter().enumerate() {
        sheet_data.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, value) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            let index = strings.iter().position(|s| s == value).unwrap_or_else(|| {
                strings.push(value);
                strings.len() - 1
            });
            cells += 1;
            sheet_data.push_str(&format!(
                "<c r=\"{}{}\" t=\"s\"><v>{index}</v></c>",
                column(c),
                r + 1
            ));
        }
        sheet_data.push_str("</row>");
    }
    let shared: String = strings
        .iter()
        .map(|s| format!("<si><t xml:space=\"preserve\">{}</t></si>", xml_escape(s)))
        .collect();
    let parts = vec![
        Part {
            name: "xl/workbook.xml",
            content_type: Some(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            ),
            xml: format!(
                "{XML_DECL}<workbook xmlns=\"{SPREADSHEET_NS}\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        },
        Part {
            name: "xl/_rels/workbook.xml.rels",
            content_type: None,
            xml: relationships(&[
                (REL_WORKSHEET, "worksheets/sheet1.xml"),
                (REL_SHARED_STRINGS, "sharedStrings.xml"),
            ]),
        },
        Part {
            name: "xl/worksheets/sheet1.xml",
            content_type: Some(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
            ),
            xml: format!(
                "{XML_DECL}<worksheet xmlns=\"{SPREADSHEET_NS}\"><sheetData>{sheet_data}</sheetData></worksheet>"
            ),
        },
        Part {
            name: "xl/sharedStrings.xml",
            content_type: Some(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
            ),
            xml: format!(
                "{XML_DECL}<sst xmlns=\"{SPREADSHEET_NS}\" count=\"{cells}\" uniqueCount=\"{}\">{shared}</sst>",
                strings.len()
            ),
        },
    ];
    package(parts, props, zip_date)
}

/// One part of a package. Parts without a content type are covered by the
/// `Default` entries (`.rels`, `.xml`).
struct Part {
    name: &'static str,
    content_type: Option<&'static str>,
    xml: String,
}

/// Wraps the body parts (the first is the main document) with the content
/// types, the package relationships and the properties parts, and zips them.
fn package(body: Vec<Part>, props: &OfficeProps, zip_date: ZipDate) -> ZipResult<Vec<u8>> {
    let main = body.first().map_or("", |p| p.name);
    let rels = relationships(&[
        (REL_OFFICE_DOCUMENT, main),
        (REL_CORE, "docProps/core.xml"),
        (REL_APP, "docProps/app.xml"),
    ]);
    let mut parts = vec![Part {
        name: "_rels/.rels",
        content_type: None,
        xml: rels,
    }];
    parts.extend(body);
    parts.push(Part {
        name: "docProps/core.xml",
        content_type: Some("application/vnd.openxmlformats-package.core-properties+xml"),
        xml: core_xml(props),
    });
    parts.push(Part {
        name: "docProps/app.xml",
        content_type: Some("application/vnd.openxmlformats-officedocument.extended-properties+xml"),
        xml: app_xml(props),
    });
    let d = zip_date;
    // Office marks its entries as made on MS-DOS; so do we, so that only the
    // date tells a repacked file apart.
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .system(System::Dos)
        .last_modified_time(DateTime::from_date_and_time(
            d.year, d.month, d.day, d.hour, d.minute, d.second,
        )?);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("[Content_Types].xml", options)?;
    zip.write_all(content_types(&parts).as_bytes())?;
    for part in &parts {
        zip.start_file(part.name, options)?;
        zip.write_all(part.xml.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

fn content_types(parts: &[Part]) -> String {
    let overrides: String = parts
        .iter()
        .filter_map(|p| {
            let ct = p.content_type?;
            Some(format!(
                "<Override PartName=\"/{}\" ContentType=\"{ct}\"/>",
                p.name
            ))
        })
        .collect();
    format!(
        "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>{overrides}</Types>"
    )
}

/// A relationships part; ids are `rId1`, `rId2`... in order.
fn relationships(targets: &[(&str, &str)]) -> String {
    let rels: String = targets
        .iter()
        .enumerate()
        .map(|(i, (kind, target))| {
            format!(
                "<Relationship Id=\"rId{}\" Type=\"{kind}\" Target=\"{target}\"/>",
                i + 1
            )
        })
        .collect();
    format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}</Relationships>"
    )
}

/// `<tag attrs>value</tag>`, or nothing when the value is absent.
fn element(tag: &str, attrs: &str, value: &Option<String>) -> String {
    value
        .as_deref()
        .map(|v| format!("<{tag}{attrs}>{}</{tag}>", xml_escape(v)))
        .unwrap_or_default()
}

fn core_xml(p: &OfficeProps) -> String {
    let date = " xsi:type=\"dcterms:W3CDTF\"";
    let fields: String = [
        ("dc:title", "", &p.title),
        ("dc:creator", "", &p.creator),
        ("cp:lastModifiedBy", "", &p.last_modified_by),
        ("cp:revision", "", &p.revision),
        ("dcterms:created", date, &p.created),
        ("dcterms:modified", date, &p.modified),
        ("dc:language", "", &p.language),
    ]
    .iter()
    .map(|(tag, attrs, value)| element(tag, attrs, value))
    .collect();
    format!(
        "{XML_DECL}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         {fields}</cp:coreProperties>"
    )
}

fn app_xml(p: &OfficeProps) -> String {
    // Word's order of the elements.
    let fields: String = [
        ("Template", &p.template),
        ("TotalTime", &p.total_time),
        ("Application", &p.application),
        ("Company", &p.company),
        ("AppVersion", &p.app_version),
    ]
    .iter()
    .map(|(tag, value)| element(tag, "", value))
    .collect();
    format!(
        "{XML_DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">{fields}</Properties>"
    )
}

/// A spreadsheet column name: 0 is `A`, 25 `Z`, 26 `AA`.
fn column(mut index: usize) -> String {
    let mut reversed = String::new();
    loop {
        reversed.push(char::from(b'A' + (index % 26) as u8));
        if index < 26 {
            return reversed.chars().rev().collect();
        }
        index = index / 26 - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        let names: Vec<String> = [0, 25, 26, 51, 52, 701, 702].map(column).into();
        assert_eq!(names, ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn impossible_zip_date_is_an_error() {
        let feb30 = ZipDate {
            month: 2,
            day: 30,
            ..ZipDate::OFFICE
        };
        assert!(docx(&OfficeProps::default(), &[], feb30).is_err());
    }
}
