use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{DocMeta, EmailMeta, ItemId, Kind};

/// The pipeline stage at which something failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Reading the bytes from the source or a container.
    Read,
    /// Writing the original into the blob store.
    Store,
    /// Opening a container (zip, tar, mbox...).
    Open,
    /// Parsing an item's content (email headers, MIME parts...).
    Parse,
    /// A configured limit was reached.
    Limit,
}

impl Stage {
    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Read => "read",
            Stage::Store => "store",
            Stage::Open => "open",
            Stage::Parse => "parse",
            Stage::Limit => "limit",
        }
    }
}

impl Record {
    /// An email record, with its JSON made here (in the calling thread).
    pub fn email(id: ItemId, meta: EmailMeta) -> Record {
        let json = serde_json::to_string(&meta).expect("email meta serialises");
        Record::Email {
            id,
            meta: Box::new(meta),
            json,
        }
    }
}

impl Record {
    /// A document record, with its JSON made here (in the calling thread).
    /// NUL characters in its text become U+FFFD: they mean nothing in a
    /// text, SQLite's string functions stop at the first one (its `length`
    /// would undercount), and PostgreSQL's text cannot hold one.
    pub fn document(id: ItemId, meta: DocMeta, mut text: String) -> Record {
        if text.contains('\0') {
            text = text.replace('\0', "\u{FFFD}");
        }
        let json = serde_json::to_string(&meta).expect("document meta serialises");
        Record::Document {
            id,
            meta: Box::new(meta),
            json,
            text,
        }
    }
}

/// What ingest tells the catalog. The catalog applies records in order, and
/// applying the same records again changes nothing (ingest is idempotent).
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// A unique item, stored in the blob store.
    Item {
        /// Its id.
        id: ItemId,
        /// Its size in bytes.
        size: u64,
        /// Its kind, detected from content.
        kind: Kind,
    },
    /// A place where bytes were found: a file in a folder, a member of an
    /// archive, a message of a mailbox, an attachment. `item` is `None` when
    /// the bytes could not be read (then `error` says why).
    Occurrence {
        /// The container: an item id, or `dir:<path>` / `maildir:<path>` for folders.
        parent: String,
        /// The name inside the container (file path, member name, attachment name).
        path: String,
        /// Index inside the container (0 for folder files).
        position: u64,
        /// Human path from the source root, members joined with ` ! `.
        display: String,
        /// How deep below the source (a file given on the command line is 0).
        depth: u32,
        /// The item found, or `None` when its bytes could not be read.
        item: Option<ItemId>,
        /// Why the bytes could not be read.
        error: Option<(Stage, String)>,
        /// Container-specific facts, e.g. the mbox envelope line and separator.
        extra: Option<Value>,
    },
    /// A problem with an item whose bytes are stored (e.g. it failed to parse).
    ItemError {
        /// The item.
        id: ItemId,
        /// Where it failed.
        stage: Stage,
        /// A sentence that says what is wrong.
        reason: String,
    },
    /// A container's own count of its members, and facts about its format.
    Container {
        /// The container: an item id or a `dir:`/`maildir:` key.
        key: String,
        /// Its kind (`zip`, `mbox`, `dir`, `maildir`...).
        kind: String,
        /// How many members the container itself declares or holds.
        expected: u64,
        /// Format facts (mbox variant, encrypted members...).
        detail: Option<Value>,
    },
    /// The email fields of an item. Build it with [`Record::email`].
    Email {
        /// The email item.
        id: ItemId,
        /// Its parsed fields.
        meta: Box<EmailMeta>,
        /// `meta` as JSON, serialised by the producer: there are many
        /// producers and one catalog writer.
        json: String,
    },
    /// The metadata and text of a document or image.
    Document {
        /// The document item.
        id: ItemId,
        /// Its metadata, store by store.
        meta: Box<DocMeta>,
        /// `meta` as JSON, serialised by the producer.
        json: String,
        /// Its plain text (may be empty).
        text: String,
    },
    /// Everything below this item has been recorded: a later run may skip it.
    Done {
        /// The finished item.
        id: ItemId,
    },
}
