use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use leakcheck_core::Limits;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, io};
use crate::remote::Remote;
use crate::{BlobStore, Catalog, Custody};

/// The claimed period of the leak: documents dated outside it deserve a look.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// First day (inclusive).
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
}

impl Window {
    /// Parses `YYYY-MM-DD..YYYY-MM-DD`.
    pub fn parse(s: &str) -> std::result::Result<Window, String> {
        let (a, b) = s
            .split_once("..")
            .ok_or_else(|| format!("{s:?}: expected START..END, e.g. 2017-01-01..2017-04-24"))?;
        let day = |d: &str| {
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|e| format!("{d:?}: not a YYYY-MM-DD date ({e})"))
        };
        let (start, end) = (day(a)?, day(b)?);
        if end < start {
            return Err(format!("{s:?}: the window ends before it starts"));
        }
        Ok(Window { start, end })
    }
}

/// The contents of `case.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSettings {
    /// A human name for the case.
    pub name: String,
    /// The claimed leak window, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// Mail domains of the organisation the dump comes from.
    #[serde(default)]
    pub org_domains: Vec<String>,
    /// People and companies known to belong to the organisation (document
    /// authors and companies matching one of these are not flagged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub org_names: Vec<String>,
    /// Bounds against hostile input.
    #[serde(default)]
    pub limits: Limits,
    /// What OCR reads, in which languages, and how long it may take.
    #[serde(default)]
    pub ocr: OcrSettings,
    /// Where the originals are kept: none for the case's `blobs/` folder;
    /// another folder (a shared mount); or `s3://bucket/prefix`, with
    /// `blobs/` as this machine's cache (credentials from the environment,
    /// see `remote.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blobs: Option<String>,
    /// Where a team case keeps its catalog and job queue; none for a case
    /// on one machine (the embedded SQLite catalog).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamSettings>,
}

/// The PostgreSQL database of a team case. The password is never kept
/// here in clear: it comes from `LEAKCHECK_CATALOG_PASSWORD`, or from the
/// file named here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSettings {
    /// `postgres://user@host:port/database?sslmode=...`, without a password.
    pub catalog: String,
    /// The schema the case's tables live in (several cases can share a
    /// database); PostgreSQL's default search path when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// A file holding the password (its first line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_file: Option<PathBuf>,
    /// PEM certificates to trust for TLS (`sslmode=require`) besides the
    /// system's: a private CA, or the server's own certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

impl CaseSettings {
    /// A case with only a name: no leak window, no organisation, the
    /// default limits and OCR.
    pub fn named(name: &str) -> CaseSettings {
        CaseSettings {
            name: name.to_string(),
            window: None,
            org_domains: Vec::new(),
            org_names: Vec::new(),
            limits: Limits::default(),
            ocr: OcrSettings::default(),
            blobs: None,
            team: None,
        }
    }
}

/// What gets OCR'd.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OcrMode {
    /// PDF pages without a usable text layer, images whose pixels look like
    /// text, TIFF faxes, and the first pages of PDFs with their own text
    /// that show a page-sized picture (for `doc.text-layer`).
    #[default]
    Auto,
    /// Nothing.
    Off,
    /// Every page of every PDF and every image.
    All,
}

/// The `[ocr]` table of `case.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OcrSettings {
    /// `auto`, `off` or `all`.
    pub mode: OcrMode,
    /// Tesseract language codes, tried together.
    pub languages: Vec<String>,
    /// Seconds one page may take (rendering and reading each) before the
    /// engine is stopped and the page recorded as failed.
    pub page_seconds: u64,
    /// Pages read per PDF at most.
    pub max_pages: u32,
    /// Pages of a PDF with its own text that are also OCR'd, to compare the
    /// two (`doc.text-layer`); 0 for none.
    pub check_pages: u32,
}

impl Default for OcrSettings {
    fn default() -> OcrSettings {
        OcrSettings {
            mode: OcrMode::Auto,
            languages: vec!["fra".into(), "eng".into()],
            page_seconds: 60,
            max_pages: 100,
            check_pages: 1,
        }
    }
}

/// An open case directory.
#[derive(Debug)]
pub struct Case {
    root: PathBuf,
    /// The case folder users name: `root`, except for a team case's
    /// replica, whose is the team case's (with its custody log).
    home: PathBuf,
    /// The settings read from `case.toml`.
    pub settings: CaseSettings,
    blobs: BlobStore,
}

const SETTINGS: &str = "case.toml";
const CATALOG: &str = "catalog.sqlite";

impl Case {
    /// Creates a new case in `root`, which must not exist or be empty.
    pub fn init(root: &Path, settings: CaseSettings) -> Result<Case> {
        if root.exists() {
            let mut entries = fs::read_dir(root).map_err(io(root))?;
            if entries.next().is_some() {
                return Err(Error::NotEmpty(root.to_path_buf()));
            }
        }
        fs::create_dir_all(root).map_err(io(root))?;
        let text = toml::to_string_pretty(&settings).map_err(|e| Error::BadSettings {
            path: root.join(SETTINGS),
            reason: e.to_string(),
        })?;
        let path = root.join(SETTINGS);
        fs::write(&path, text).map_err(io(&path))?;
        let case = Case::open(root)?;
        if settings.team.is_none() {
            case.catalog()?; // creates the schema now, so a fresh case is complete
        }
        Custody::open(&case.root)?;
        Ok(case)
    }

    /// Opens an existing case.
    pub fn open(root: &Path) -> Result<Case> {
        let path = root.join(SETTINGS);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NotACase(root.to_path_buf()));
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let settings: CaseSettings = toml::from_str(&text).map_err(|e| Error::BadSettings {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let blobs = match settings.blobs.as_deref() {
            None => BlobStore::open(root.join("blobs"), None)?,
            Some(url) if url.starts_with("s3://") => {
                BlobStore::open(root.join("blobs"), Some(Arc::new(Remote::open(url)?)))?
            }
            Some(folder) => BlobStore::open(root.join(folder), None)?,
        };
        Ok(Case {
            root: root.to_path_buf(),
            home: root.to_path_buf(),
            settings,
            blobs,
        })
    }

    /// The case folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The case folder users name: the root, or a replica's team case
    /// folder, where the custody log is.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The blob store.
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// Opens a connection to the catalog (one per thread). A team case's
    /// catalog is in PostgreSQL (see `leakcheck-team`), so it has none here.
    pub fn catalog(&self) -> Result<Catalog> {
        if self.settings.team.is_some() {
            return Err(Error::TeamCase(self.root.clone()));
        }
        Catalog::open(&self.catalog_file())
    }

    /// The embedded catalog's file (a team case has none).
    pub fn catalog_file(&self) -> PathBuf {
        self.root.join(CATALOG)
    }

    /// The local replica of a team case's catalog: an embedded case in the
    /// case's `replica/` folder (or `folder`, when given), with the case's
    /// settings and blobs, whose catalog the caller keeps in step with the
    /// shared one. The workbench serves it.
    pub fn replica(&self, folder: Option<&Path>) -> Result<Case> {
        let root = folder.map_or_else(|| self.root.join("replica"), Path::to_path_buf);
        fs::create_dir_all(&root).map_err(io(&root))?;
        let mut settings = self.settings.clone();
        settings.team = None;
        let replica = Case {
            root,
            home: self.root.clone(),
            settings,
            blobs: self.blobs.clone(),
        };
        replica.catalog()?;
        Ok(replica)
    }

    /// Makes this embedded case a team case whose catalog is `team`'s,
    /// once the catalog's rows are there: `case.toml` gains the `[team]`
    /// table (written aside, then renamed over), and the SQLite catalog is
    /// kept beside as `catalog.sqlite.migrated`, no longer read.
    pub fn make_team(&mut self, team: TeamSettings) -> Result<()> {
        let mut settings = self.settings.clone();
        settings.team = Some(team);
        let path = self.root.join(SETTINGS);
        let text = toml::to_string_pretty(&settings).map_err(|e| Error::BadSettings {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let aside = self.root.join("case.toml.new");
        fs::write(&aside, text).map_err(io(&aside))?;
        fs::rename(&aside, &path).map_err(io(&path))?;
        self.settings = settings;
        // The write-ahead log goes with the file, under the name SQLite
        // looks for beside the new one (a catalog closed cleanly has none).
        for suffix in ["", "-wal", "-shm"] {
            let file = self.root.join(format!("{CATALOG}{suffix}"));
            if suffix.is_empty() || file.exists() {
                let moved = self.root.join(format!("{CATALOG}.migrated{suffix}"));
                fs::rename(&file, &moved).map_err(io(&file))?;
            }
        }
        Ok(())
    }

    /// Opens the custody log for appending.
    pub fn custody(&self) -> Result<Custody> {
        Custody::open(&self.home)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_parses_and_rejects() {
        let w = Window::parse("2017-01-01..2017-04-24").unwrap();
        assert_eq!(w.start.to_string(), "2017-01-01");
        assert!(Window::parse("2017-04-24..2017-01-01").is_err());
        assert!(Window::parse("2017-01-01").is_err());
        assert!(Window::parse("2017-13-01..2017-12-01").is_err());
    }

    #[test]
    fn init_then_open_round_trips_settings() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("case");
        let settings = CaseSettings {
            name: "t".into(),
            window: Some(Window::parse("2017-01-01..2017-04-24").unwrap()),
            org_domains: vec!["en-marche.fr".into()],
            org_names: vec!["Emmanuel Macron".into()],
            limits: Limits::default(),
            ocr: OcrSettings::default(),
            blobs: None,
            team: None,
        };
        Case::init(&root, settings.clone()).unwrap();
        assert_eq!(Case::open(&root).unwrap().settings, settings);
        assert!(matches!(
            Case::init(&root, settings),
            Err(Error::NotEmpty(_))
        ));
        assert!(matches!(Case::open(dir.path()), Err(Error::NotACase(_))));
    }

    #[test]
    fn ocr_settings_default_and_parse() {
        let old: CaseSettings = toml::from_str("name = \"t\"").unwrap();
        assert_eq!(old.ocr, OcrSettings::default());
        let set: CaseSettings = toml::from_str(
            "name = \"t\"\n[ocr]\nmode = \"off\"\nlanguages = [\"eng\"]\npage_seconds = 5\n",
        )
        .unwrap();
        assert_eq!(set.ocr.mode, OcrMode::Off);
        assert_eq!(set.ocr.languages, ["eng"]);
        assert_eq!((set.ocr.page_seconds, set.ocr.max_pages), (5, 100));
        assert!(toml::from_str::<CaseSettings>("name = \"t\"\n[ocr]\nmode = \"some\"\n").is_err());
    }
}
