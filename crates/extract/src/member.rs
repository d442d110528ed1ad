use std::io::Read;

use serde_json::Value;

/// One member of a container, handed to a [`Sink`].
pub struct Member<'a> {
    /// Name inside the container (lossy UTF-8 when the raw name is not UTF-8).
    pub name: String,
    /// Index inside the container, counting every member.
    pub index: u64,
    /// Size the container declares (may lie).
    pub declared_size: Option<u64>,
    /// Compressed size the container declares, for the ratio check.
    pub compressed_size: Option<u64>,
    /// Format facts kept with the occurrence (mbox envelope line, mtime...).
    pub extra: Option<Value>,
    /// The bytes, or why they cannot be had.
    pub data: MemberData<'a>,
}

/// How a member's bytes are handed over.
pub enum MemberData<'a> {
    /// A stream to read (decompressing as it goes).
    Reader(&'a mut dyn Read),
    /// Bytes already in memory.
    Bytes(Vec<u8>),
    /// The member exists but its bytes cannot be read (encrypted, corrupt...).
    Unreadable(String),
    /// The member is larger than the limit given (in bytes); it was not read.
    TooLarge(u64),
}

/// Whether the container should go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Hand over the next member.
    Continue,
    /// Stop reading this container (a limit was hit).
    Stop,
}

/// Receives members as a container is read.
pub trait Sink {
    /// Takes one member.
    fn member(&mut self, member: Member<'_>) -> Flow;
}

impl<F: FnMut(Member<'_>) -> Flow> Sink for F {
    fn member(&mut self, member: Member<'_>) -> Flow {
        self(member)
    }
}

/// What a container said about itself once read.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// Members the container declares (zip central directory, 7z header) or,
    /// for formats without a directory (tar, mbox), the members found.
    pub expected: u64,
    /// Format facts: variant, encrypted members, recovery notes.
    pub detail: Option<Value>,
    /// A problem with the container as a whole that did not stop reading it
    /// (e.g. truncated after some members).
    pub warning: Option<String>,
}
