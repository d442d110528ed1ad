//! Outlook `.pst`/`.ost` stores through Microsoft's `outlook-pst` crate
//! (ANSI and Unicode; no, compressible and high encryption): every folder
//! from the store's root, every message of each folder's contents table,
//! rebuilt and handed over one by one.

use std::collections::HashSet;
use std::io::{self, Read, Seek, SeekFrom};
use std::rc::Rc;
use std::time::Instant;

use outlook_pst::ltp::prop_context::PropertyValue;
use outlook_pst::ltp::table_context::TableContext;
use outlook_pst::messaging::attachment::{
    AnsiAttachment, Attachment as PstAttachment, AttachmentData, UnicodeAttachment,
};
use outlook_pst::messaging::folder::Folder;
use outlook_pst::messaging::message::{AnsiMessage, Message as PstMessage, UnicodeMessage};
use outlook_pst::messaging::store::{AnsiStore, EntryId, Store, UnicodeStore};
use outlook_pst::ndb::block_id::BlockId;
use outlook_pst::ndb::header::{Header, NdbCryptMethod};
use outlook_pst::ndb::node_id::{NodeId, NodeIdType};
use outlook_pst::ndb::page::NodeBTreeEntry;
use outlook_pst::ndb::page::{AnsiBlockBTree, UnicodeBlockBTree};
use outlook_pst::ndb::root::Root;
use outlook_pst::{AnsiPstFile, PstFile, PstReader, UnicodePstFile};
use serde_json::json;

use super::props::{Props, Value, method, tag};
use super::{Attachment, Content, Message, OutlookLimits, extra, member_name, pst_heap, rebuild};
use crate::{ExtractError, Flow, Listing, Member, MemberData, Result, Sink, guard};

/// `NID_ROOT_FOLDER`: the folder every other one descends from.
const ROOT_FOLDER: u32 = 0x122;

/// Facts about a store, gathered while reading it.
#[derive(Default)]
struct Tally {
    folders: u64,
    folders_failed: u64,
    expected: u64,
    emitted: u64,
    failed: u64,
    attachments: u64,
    attachments_written: u64,
    associated: u64,
    search_folders: u64,
    /// Folders whose content count differs from their contents table.
    miscounted: Vec<serde_json::Value>,
    stopped: Option<String>,
}

/// What a store is read from: the crate keeps the reader for as long as the
/// store is open, so it must own what it reads (the blob file, not a copy).
pub trait Reader: Read + Seek {}

impl<T: Read + Seek> Reader for T {}

/// Reads a PST or OST from `reader`.
pub fn expand(
    reader: Box<dyn Reader>,
    limits: &OutlookLimits,
    sink: &mut dyn Sink,
) -> Result<Listing> {
    let mut reader: Box<dyn PstReader> = Box::new(reader);
    let mut head = [0u8; 12];
    reader.seek(SeekFrom::Start(0))?;
    reader
        .read_exact(&mut head)
        .map_err(|_| not_a_pst("shorter than a PST header"))?;
    if &head[..4] != b"!BDN" {
        return Err(not_a_pst("no !BDN signature"));
    }
    let version = u16::from_le_bytes([head[10], head[11]]);
    reader.seek(SeekFrom::Start(0))?;
    let (format, crypt, password, tally) = match version {
        14 | 15 => walk::<Ansi>(reader, limits, sink)?,
        23 => walk::<Unicode>(reader, limits, sink)?,
        v => {
            return Err(ExtractError::malformed(
                "pst",
                format!("format version {v} is not read (ANSI is 14 or 15, Unicode 23)"),
            ));
        }
    };
    let encryption = match crypt {
        NdbCryptMethod::None => "none",
        NdbCryptMethod::Permute => "compressible",
        NdbCryptMethod::Cyclic => "high",
    };
    let mut detail = json!({
        "format": format,
        "encryption": encryption,
        "folders": tally.folders,
        "messages_expected": tally.expected,
        "messages_emitted": tally.emitted,
        "messages_failed": tally.failed,
        "attachments_expected": tally.attachments,
        "attachments_emitted": tally.attachments_written,
    });
    if password {
        detail["password"] =
            "password-protected: PST passwords do not encrypt content; read anyway".into();
    }
    if tally.folders_failed > 0 {
        detail["folders_failed"] = tally.folders_failed.into();
    }
    if tally.search_folders > 0 {
        detail["search_folders"] = format!(
            "{} search folders (views of messages kept in other folders) not counted",
            tally.search_folders
        )
        .into();
    }
    if !tally.miscounted.is_empty() {
        detail["folders_miscounted"] = tally.miscounted.into();
    }
    if tally.associated > 0 {
        detail["associated_items"] = format!(
            "{} hidden folder items (views, rules, forms) not read as messages",
            tally.associated
        )
        .into();
    }
    Ok(Listing {
        expected: tally.expected,
        detail: Some(detail),
        warning: tally.stopped,
    })
}

fn not_a_pst(why: &str) -> ExtractError {
    ExtractError::malformed("pst", format!("not a PST: {why}"))
}

/// A message's or attachment's sub-nodes: node id → (data block, sub-node
/// tree block). Read through the crate's NDB layer, for the attachments its
/// messaging layer cannot open.
type SubMap<B> = std::collections::BTreeMap<u32, (B, Option<B>)>;

macro_rules! sub_nodes {
    ($file:ty, $btree:ty) => {
        fn sub_nodes(
            file: &$file,
            tree: <$file as PstFile>::BlockId,
        ) -> io::Result<SubMap<<$file as PstFile>::BlockId>> {
            let mut reader = file
                .reader()
                .lock()
                .map_err(|_| io::Error::other("the PST reader is poisoned"))?;
            let f = &mut *reader;
            let btree = <$btree>::read(f, *file.header().root().block_btree())?;
            let mut cache = Default::default();
            let block = btree.find_entry(f, tree.search_key(), &mut cache)?;
            let nodes = outlook_pst::ndb::block::SubNodeTree::<$file>::read(f, &block)?;
            Ok(nodes
                .entries(f, &btree, &mut cache)?
                .map(|e| (u32::from(e.node()), (e.block(), e.sub_node())))
                .collect())
        }
    };
}

/// What differs between the crate's ANSI and Unicode stores.
trait Flavor {
    const NAME: &'static str;
    /// Most data blocks' size (see [`pst_heap`]).
    const BLOCK: usize;
    type File: PstFile;
    type Store: Store + 'static;
    type Msg: PstMessage + 'static;
    fn open(reader: Box<dyn PstReader>) -> io::Result<Opened<Self>>;
    fn sub_nodes(
        file: &Self::File,
        tree: <Self::File as PstFile>::BlockId,
    ) -> io::Result<SubMap<<Self::File as PstFile>::BlockId>>;
    fn message(store: &Rc<Self::Store>, entry: &EntryId) -> io::Result<Rc<Self::Msg>>;
    fn attachment(msg: &Rc<Self::Msg>, node: NodeId) -> io::Result<Rc<dyn PstAttachment>>;
}

struct Unicode;
struct Ansi;

/// A store, its file (for what the store cannot read) and its encryption.
type Opened<F> = (
    Rc<<F as Flavor>::Store>,
    Rc<<F as Flavor>::File>,
    NdbCryptMethod,
);

impl Flavor for Unicode {
    const NAME: &'static str = "unicode";
    const BLOCK: usize = pst_heap::UNICODE_BLOCK;
    type File = UnicodePstFile;
    type Store = UnicodeStore;
    type Msg = UnicodeMessage;
    fn open(reader: Box<dyn PstReader>) -> io::Result<Opened<Self>> {
        let file = Rc::new(UnicodePstFile::read_from(reader)?);
        let crypt = file.header().crypt_method();
        Ok((UnicodeStore::read(file.clone())?, file, crypt))
    }
    sub_nodes!(UnicodePstFile, UnicodeBlockBTree);
    fn message(store: &Rc<UnicodeStore>, entry: &EntryId) -> io::Result<Rc<UnicodeMessage>> {
        UnicodeMessage::read(store.clone(), entry, None)
    }
    fn attachment(msg: &Rc<UnicodeMessage>, node: NodeId) -> io::Result<Rc<dyn PstAttachment>> {
        Ok(UnicodeAttachment::read(msg.clone(), node, None)?)
    }
}

impl Flavor for Ansi {
    const NAME: &'static str = "ansi";
    const BLOCK: usize = pst_heap::ANSI_BLOCK;
    type File = AnsiPstFile;
    type Store = AnsiStore;
    type Msg = AnsiMessage;
    fn open(reader: Box<dyn PstReader>) -> io::Result<Opened<Self>> {
        let file = Rc::new(AnsiPstFile::read_from(reader)?);
        let crypt = file.header().crypt_method();
        Ok((AnsiStore::read(file.clone())?, file, crypt))
    }
    sub_nodes!(AnsiPstFile, AnsiBlockBTree);
    fn message(store: &Rc<AnsiStore>, entry: &EntryId) -> io::Result<Rc<AnsiMessage>> {
        AnsiMessage::read(store.clone(), entry, None)
    }
    fn attachment(msg: &Rc<AnsiMessage>, node: NodeId) -> io::Result<Rc<dyn PstAttachment>> {
        Ok(AnsiAttachment::read(msg.clone(), node, None)?)
    }
}

type Walked = (&'static str, NdbCryptMethod, bool, Tally);

/// Walks the folder tree depth first from the root folder.
fn walk<F: Flavor>(
    reader: Box<dyn PstReader>,
    limits: &OutlookLimits,
    sink: &mut dyn Sink,
) -> Result<Walked> {
    let (store, file, crypt) = F::open(reader)
        .map_err(|e| ExtractError::malformed("pst", format!("cannot open the store: {e}")))?;
    let password = matches!(
        store.properties().get(tag::PST_PASSWORD),
        Some(PropertyValue::Integer32(n)) if *n != 0
    );
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut seen = HashSet::new();
    let mut index = 0u64;
    // (folder node, its path, the count its parent's hierarchy table gives)
    let mut stack = vec![(ROOT_FOLDER, String::new(), None::<u64>)];
    while let Some((nid, path, declared)) = stack.pop() {
        if !seen.insert(nid) {
            continue;
        }
        tally.folders += 1;
        let folder = store
            .properties()
            .make_entry_id(NodeId::from(nid))
            .and_then(|e| store.open_folder(&e));
        let folder = match folder {
            Ok(f) => f,
            Err(e) => {
                // Its messages are unreachable: each one it declared is a failure.
                tally.folders_failed += 1;
                let n = declared.unwrap_or(0).max(1);
                tally.expected += n;
                for i in 0..n {
                    fail(
                        sink,
                        &mut tally,
                        &mut index,
                        &path,
                        format!("folder cannot be opened ({e}); message {} of {n}", i + 1),
                    );
                }
                continue;
            }
        };
        if matches!(NodeId::from(nid).id_type(), Ok(NodeIdType::SearchFolder)) {
            // A search folder's content count counts the messages it finds in
            // other folders: it holds none of its own.
            tally.search_folders += 1;
        } else {
            let mut reading = Reading::<F> {
                store: &store,
                file: &file,
                limits,
                started,
                tally: &mut tally,
                index: &mut index,
                sink,
            };
            if reading.folder(folder.as_ref(), &path) == Flow::Stop {
                return Ok((F::NAME, crypt, password, tally));
            }
        }
        if let Some(hierarchy) = folder.hierarchy_table() {
            let mut children = Vec::new();
            for row in hierarchy.rows_matrix() {
                let values = row_props(hierarchy.as_ref(), row, 1252);
                let name = values
                    .text(tag::DISPLAY_NAME)
                    .unwrap_or_else(|| format!("folder {}", u32::from(row.id())))
                    .replace('/', "∕");
                let declared = values
                    .int(tag::CONTENT_COUNT)
                    .and_then(|n| u64::try_from(n).ok());
                let child = if path.is_empty() {
                    name
                } else {
                    format!("{path}/{name}")
                };
                children.push((u32::from(row.id()), child, declared));
            }
            stack.extend(children.into_iter().rev());
        }
    }
    Ok((F::NAME, crypt, password, tally))
}

/// What reading a store's folders shares.
struct Reading<'a, F: Flavor> {
    store: &'a Rc<F::Store>,
    file: &'a Rc<F::File>,
    limits: &'a OutlookLimits,
    started: Instant,
    tally: &'a mut Tally,
    index: &'a mut u64,
    sink: &'a mut dyn Sink,
}

impl<F: Flavor> Reading<'_, F> {
    /// Hands over every message a folder's contents table lists.
    fn folder(&mut self, folder: &dyn Folder, path: &str) -> Flow {
        let props = folder.properties();
        let count = u64::try_from(props.content_count().unwrap_or(0)).unwrap_or(0);
        self.tally.expected += count;
        if let Some(PropertyValue::Integer32(n)) = props.get(tag::ASSOC_CONTENT_COUNT) {
            self.tally.associated += u64::try_from(*n).unwrap_or(0);
        }
        let listed = folder
            .contents_table()
            .map_or(0, |t| t.rows_matrix().count() as u64);
        if listed != count {
            self.tally.miscounted.push(json!({
                "folder": if path.is_empty() { "(root)" } else { path },
                "declared": count,
                "listed": listed,
            }));
        }
        if let Some(contents) = folder.contents_table() {
            for row in contents.rows_matrix() {
                if self.started.elapsed().as_secs() > self.limits.max_seconds {
                    self.tally.stopped = Some(format!(
                        "reading stopped after {} s (max {} s): later messages were not read",
                        self.started.elapsed().as_secs(),
                        self.limits.max_seconds
                    ));
                    return Flow::Stop;
                }
                let node = NodeId::from(u32::from(row.id()));
                let read = guard(|| {
                    let entry = self.store.properties().make_entry_id(node)?;
                    let msg = F::message(self.store, &entry)?;
                    Ok(message::<F>(self.file, node, &msg, self.limits))
                });
                let (read, bare) = match read {
                    Ok(m) => (Ok(m), false),
                    Err(e) => match guard(|| bare_message::<F>(self.file, node)) {
                        Ok(m) => (Ok(m), true),
                        Err(_) => (Err(e), false),
                    },
                };
                match read {
                    Ok(msg) => {
                        let rebuilt = rebuild(&msg, self.limits);
                        self.tally.attachments += rebuilt.attachments;
                        self.tally.attachments_written += rebuilt.attachments_written;
                        self.tally.emitted += 1;
                        let name = member_name(&msg, Some(path), *self.index);
                        let mut extra = extra(&msg, &rebuilt, "pst", Some(path));
                        if bare {
                            extra["note"] = "no sub-node tree (so no recipient or attachment table): its properties were read by leakcheck, outlook-pst 1.2 does not open such a message".into();
                        }
                        let flow = self.sink.member(Member {
                            name,
                            index: *self.index,
                            declared_size: None,
                            compressed_size: None,
                            extra: Some(extra),
                            data: MemberData::Bytes(rebuilt.bytes),
                        });
                        *self.index += 1;
                        if flow == Flow::Stop {
                            return Flow::Stop;
                        }
                    }
                    Err(e) => fail(
                        self.sink,
                        self.tally,
                        self.index,
                        path,
                        format!("message cannot be read: {e}"),
                    ),
                }
            }
        }
        Flow::Continue
    }
}

/// A message node without a sub-node tree, which the crate refuses: its
/// property context alone, read from the node's data.
fn bare_message<F: Flavor>(file: &F::File, node: NodeId) -> Result<Message> {
    let entry = file.read_node(node)?;
    if entry.sub_node().is_some() {
        return Err(ExtractError::malformed(
            "pst",
            "the message has a sub-node tree",
        ));
    }
    let data = file.read_block(entry.data())?;
    let (props, _) =
        pst_heap::properties(&data, F::BLOCK).map_err(|e| ExtractError::malformed("pst", e))?;
    Ok(Message {
        props,
        recipients: Vec::new(),
        attachments: Vec::new(),
    })
}

/// Records a message that could not be had, under its folder's name.
fn fail(sink: &mut dyn Sink, tally: &mut Tally, index: &mut u64, folder: &str, why: String) {
    tally.failed += 1;
    let folder = if folder.is_empty() { "(root)" } else { folder };
    sink.member(Member {
        name: format!("{folder}/message {}", *index + 1),
        index: *index,
        declared_size: None,
        compressed_size: None,
        extra: Some(json!({"derived": "outlook", "source": "pst", "folder": folder})),
        data: MemberData::Unreadable(format!("in folder {folder}: {why}")),
    });
    *index += 1;
}

/// A message with its recipients and attachments. Attachments holding a
/// file come from the crate; an embedded message, or an attachment the
/// crate fails on, is read from its node (see [`raw_attachment`]): the crate
/// cannot open the attachments of an embedded message, and fails on some
/// embedded-message attachments themselves.
fn message<F: Flavor>(
    file: &F::File,
    node: NodeId,
    msg: &Rc<F::Msg>,
    limits: &OutlookLimits,
) -> Message {
    let mut out = Message {
        props: Props::new(1252),
        recipients: Vec::new(),
        attachments: Vec::new(),
    };
    for (id, v) in msg.properties().iter() {
        if let Some(v) = value(v) {
            out.props.insert(*id, v);
        }
    }
    out.props.codepage = out.props.declared_codepage().unwrap_or(1252);
    let cp = out.props.codepage;
    out.recipients = msg
        .recipient_table()
        .map(|t| {
            t.rows_matrix()
                .map(|r| row_props(t.as_ref(), r, cp))
                .collect()
        })
        .unwrap_or_default();
    let Some(table) = msg.attachment_table() else {
        return out;
    };
    let mut subs = None;
    for row in table.rows_matrix() {
        let nid = u32::from(row.id());
        let by_crate = guard(|| Ok(F::attachment(msg, NodeId::from(nid))?));
        let why = match &by_crate {
            Ok(a) if !matches!(a.data(), Some(AttachmentData::Message(_))) => {
                out.attachments.push(attachment(a.as_ref(), cp, limits));
                continue;
            }
            Ok(_) => None,
            Err(e) => Some(e.to_string()),
        };
        let subs = subs.get_or_insert_with(|| message_subs::<F>(file, node));
        let raw = match subs {
            Ok(subs) => guard(|| raw_attachment::<F>(file, subs, nid, cp, 0, limits)),
            Err(e) => Err(ExtractError::malformed("pst", e.to_string())),
        };
        out.attachments.push(raw.unwrap_or_else(|e| Attachment {
            props: row_props(table.as_ref(), row, cp),
            content: Content::Unreadable(format!(
                "cannot be read: {}",
                why.unwrap_or_else(|| e.to_string())
            )),
        }));
    }
    out
}

/// An attachment holding a file, as the crate reads it.
fn attachment(a: &dyn PstAttachment, cp: u32, limits: &OutlookLimits) -> Attachment {
    let mut props = Props::new(cp);
    for (id, v) in a.properties().iter() {
        // The data itself is handed over below, not kept twice.
        if *id != tag::ATTACH_DATA
            && let Some(v) = value(v)
        {
            props.insert(*id, v);
        }
    }
    let content = match a.data() {
        Some(AttachmentData::Binary(b)) if b.buffer().len() as u64 <= limits.max_part_bytes => {
            Content::Bytes(b.buffer().to_vec())
        }
        Some(AttachmentData::Binary(b)) => Content::Unreadable(format!(
            "{} bytes: larger than the limit ({})",
            b.buffer().len(),
            limits.max_part_bytes
        )),
        _ => Content::Unreadable(no_data(&props)),
    };
    Attachment { props, content }
}

/// Why an attachment has no data to hand over.
fn no_data(props: &Props) -> String {
    match props.int(tag::ATTACH_METHOD) {
        Some(m)
            if m != method::BY_VALUE && m != method::EMBEDDED_MESSAGE && m != method::STORAGE =>
        {
            format!("attached by reference (method {m}): the file is not in the store")
        }
        _ => "the attachment holds no data".into(),
    }
}

type Bid<F> = <<F as Flavor>::File as PstFile>::BlockId;

/// The sub-nodes of a top-level message.
fn message_subs<F: Flavor>(file: &F::File, node: NodeId) -> io::Result<SubMap<Bid<F>>> {
    match file.read_node(node)?.sub_node() {
        Some(tree) => F::sub_nodes(file, tree),
        None => Ok(SubMap::new()),
    }
}

/// A sub-node's properties (large strings and binaries fetched from its own
/// sub-nodes), its sub-nodes, and the objects it holds.
fn raw_props<F: Flavor>(
    file: &F::File,
    subs: &SubMap<Bid<F>>,
    nid: u32,
    limits: &OutlookLimits,
) -> Result<(Props, SubMap<Bid<F>>, Vec<pst_heap::InNode>)> {
    let (data, tree) = subs
        .get(&nid)
        .ok_or_else(|| ExtractError::malformed("pst", format!("sub-node 0x{nid:X} is missing")))?;
    let own = match tree {
        Some(t) => F::sub_nodes(file, *t)?,
        None => SubMap::new(),
    };
    let (mut props, in_nodes) = pst_heap::properties(&file.read_block(*data)?, F::BLOCK)
        .map_err(|e| ExtractError::malformed("pst", e))?;
    let mut objects = Vec::new();
    for n in in_nodes {
        if n.ptype == 0x000D {
            objects.push(n);
        } else if let Some((d, _)) = own.get(&n.nid)
            && let Ok(bytes) = file.read_block(*d)
            && bytes.len() as u64 <= limits.max_part_bytes
            && let Some(v) = pst_heap::node_value(n.ptype, bytes)
        {
            props.insert(n.id, v);
        }
    }
    Ok((props, own, objects))
}

/// An attachment read from its node: a file, or an embedded message with
/// its own attachments (its recipients are in a table this reader does not
/// parse; the message's display lists name them).
fn raw_attachment<F: Flavor>(
    file: &F::File,
    subs: &SubMap<Bid<F>>,
    nid: u32,
    cp: u32,
    depth: u32,
    limits: &OutlookLimits,
) -> Result<Attachment> {
    let (mut props, own, objects) = raw_props::<F>(file, subs, nid, limits)?;
    props.codepage = cp;
    let content = match objects.iter().find(|o| o.id == tag::ATTACH_DATA) {
        Some(_) if depth + 1 > limits.max_depth => Content::Unreadable(format!(
            "embedded message nested deeper than {} levels: not rebuilt",
            limits.max_depth
        )),
        Some(o) => match raw_message::<F>(file, &own, o.nid, cp, depth + 1, limits) {
            Ok(m) => Content::Message(Box::new(m)),
            Err(e) => Content::Unreadable(format!("embedded message cannot be read: {e}")),
        },
        None => match props.binary(tag::ATTACH_DATA) {
            Some(b) => Content::Bytes(b.to_vec()),
            None => Content::Unreadable(no_data(&props)),
        },
    };
    Ok(Attachment { props, content })
}

fn raw_message<F: Flavor>(
    file: &F::File,
    subs: &SubMap<Bid<F>>,
    nid: u32,
    cp: u32,
    depth: u32,
    limits: &OutlookLimits,
) -> Result<Message> {
    let (mut props, own, _) = raw_props::<F>(file, subs, nid, limits)?;
    props.codepage = props.declared_codepage().unwrap_or(cp);
    let cp = props.codepage;
    let attachments = own
        .keys()
        .filter(|k| matches!(NodeId::from(**k).id_type(), Ok(NodeIdType::Attachment)))
        .map(|k| {
            guard(|| raw_attachment::<F>(file, &own, *k, cp, depth, limits)).unwrap_or_else(|e| {
                Attachment {
                    props: Props::new(cp),
                    content: Content::Unreadable(format!("cannot be read: {e}")),
                }
            })
        })
        .collect();
    Ok(Message {
        props,
        recipients: Vec::new(),
        attachments,
    })
}

/// One row of a table (recipients, subfolders) as properties.
fn row_props(
    table: &dyn TableContext,
    row: &outlook_pst::ltp::table_context::TableRowData,
    cp: u32,
) -> Props {
    let mut props = Props::new(cp);
    let context = table.context();
    let Ok(columns) = row.columns(context) else {
        return props;
    };
    for (col, v) in context.columns().iter().zip(columns) {
        if let Some(v) = v
            && let Ok(v) = table.read_column(&v, col.prop_type())
            && let Some(v) = value(&v)
        {
            props.insert(col.prop_id(), v);
        }
    }
    props
}

fn value(v: &PropertyValue) -> Option<Value> {
    Some(match v {
        PropertyValue::String8(s) => Value::Text8(s.buffer().to_vec()),
        PropertyValue::Unicode(s) => Value::Text(
            String::from_utf16_lossy(s.buffer())
                .trim_end_matches('\0')
                .to_string(),
        ),
        PropertyValue::Binary(b) => Value::Binary(b.buffer().to_vec()),
        PropertyValue::Integer16(n) => Value::Int(*n as i64),
        PropertyValue::Integer32(n) => Value::Int(*n as i64),
        PropertyValue::Integer64(n) => Value::Int(*n),
        PropertyValue::Boolean(b) => Value::Int(*b as i64),
        PropertyValue::Time(t) => Value::Time(*t),
        _ => return None,
    })
}
