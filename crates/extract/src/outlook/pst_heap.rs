//! Property contexts read from PST node data, for what `outlook-pst` 1.2's
//! messaging layer refuses: a message node without a sub-node tree (Aspose
//! and some Outlook versions write contacts, notes and small mails so; MS-PST
//! allows it), an embedded message's attachments, and embedded-message
//! attachments it fails on. The crate still finds and decrypts the node's
//! data and sub-nodes; the heap-on-node, BTH and PC layouts (MS-PST 2.3.1 to
//! 2.3.3) are read here. Recipient tables (table contexts) are not.

use super::props::{self, Props, Value};

/// Most data blocks of a data tree hold: 8 KiB less the block trailer.
pub const UNICODE_BLOCK: usize = 8192 - 16;
/// The same for ANSI files, whose trailer is shorter.
pub const ANSI_BLOCK: usize = 8192 - 12;

/// Why a property context could not be read.
#[derive(Debug, thiserror::Error)]
#[error("property context: {0}")]
pub struct HeapError(&'static str);

/// A value kept in a sub-node rather than in the heap: large strings and
/// binaries, and objects (an attachment's data or embedded message).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InNode {
    /// Property id.
    pub id: u16,
    /// Property type.
    pub ptype: u16,
    /// The sub-node holding it.
    pub nid: u32,
}

/// Reads the property context in `data`, the node's data tree with every
/// block but the last at `block` bytes: the values in the heap, and where
/// the others are.
pub fn properties(data: &[u8], block: usize) -> Result<(Props, Vec<InNode>), HeapError> {
    let heap = Heap {
        blocks: data.chunks(block).collect(),
    };
    let first = heap.blocks.first().ok_or(HeapError("no data"))?;
    if first.len() < 12 || first[2] != 0xEC {
        return Err(HeapError("no heap-on-node signature"));
    }
    if first[3] != 0xBC {
        return Err(HeapError("the heap is not a property context"));
    }
    let root = heap.get(u32_at(first, 4))?;
    if root.len() < 8 || root[0] != 0xB5 || root[1] != 2 || root[2] != 6 {
        return Err(HeapError(
            "not a property BTH (keys of 2, entries of 6 bytes)",
        ));
    }
    let mut props = Props::new(1252);
    let mut in_nodes = Vec::new();
    let mut level = vec![(u32_at(root, 4), root[3])];
    let mut records = 0usize;
    while let Some((hid, depth)) = level.pop() {
        if hid == 0 {
            continue;
        }
        let node = heap.get(hid)?;
        if depth > 0 {
            // Intermediate records: key, then the HID of the next level.
            level.extend(node.chunks_exact(6).map(|r| (u32_at(r, 2), depth - 1)));
            if level.len() > 65_536 {
                return Err(HeapError("BTH too large"));
            }
            continue;
        }
        for r in node.chunks_exact(8) {
            records += 1;
            let id = u16::from_le_bytes([r[0], r[1]]);
            let ptype = u16::from_le_bytes([r[2], r[3]]);
            let hnid = u32_at(r, 4);
            if ptype == 0x000D {
                // An object: the heap holds its node id and size.
                if let Some(nid) = heap.get(hnid).ok().filter(|b| b.len() >= 4) {
                    in_nodes.push(InNode {
                        id,
                        ptype,
                        nid: u32_at(nid, 0),
                    });
                }
            } else if hnid & 0x1F != 0 && ![0x0002, 0x0003, 0x000B].contains(&ptype) {
                in_nodes.push(InNode {
                    id,
                    ptype,
                    nid: hnid,
                });
            } else if let Some(v) = value(&heap, ptype, hnid) {
                props.insert(id, v);
            }
        }
    }
    if records == 0 {
        return Err(HeapError("no properties"));
    }
    props.codepage = props.declared_codepage().unwrap_or(1252);
    Ok((props, in_nodes))
}

/// A value read from its sub-node's data.
pub fn node_value(ptype: u16, data: Vec<u8>) -> Option<Value> {
    Some(match ptype {
        0x001F => Value::Text(props::utf16(&data)),
        0x001E => Value::Text8(data),
        0x0102 => Value::Binary(data),
        _ => return None,
    })
}

fn value(heap: &Heap<'_>, ptype: u16, hnid: u32) -> Option<Value> {
    // Values of 4 bytes or less are in the record itself.
    match ptype {
        0x0002 => return Some(Value::Int(hnid as u16 as i16 as i64)),
        0x0003 => return Some(Value::Int(hnid as i32 as i64)),
        0x000B => return Some(Value::Int((hnid & 0xFF != 0) as i64)),
        _ => {}
    }
    // Larger ones are heap allocations.
    let bytes = heap.get(hnid).ok()?;
    let eight = || {
        bytes
            .get(..8)
            .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
    };
    Some(match ptype {
        0x0014 => Value::Int(eight()?),
        0x0040 => Value::Time(eight()?),
        0x001F => Value::Text(props::utf16(bytes)),
        0x001E => Value::Text8(bytes.to_vec()),
        0x0102 => Value::Binary(bytes.to_vec()),
        _ => return None,
    })
}

struct Heap<'a> {
    blocks: Vec<&'a [u8]>,
}

impl Heap<'_> {
    /// The allocation a HID names: its index (from 1) in its block's page map.
    fn get(&self, hid: u32) -> Result<&[u8], HeapError> {
        if hid & 0x1F != 0 {
            return Err(HeapError("a value is not in the heap"));
        }
        let index = ((hid >> 5) & 0x7FF) as usize;
        let block = self
            .blocks
            .get((hid >> 16) as usize)
            .ok_or(HeapError("a HID names a missing block"))?;
        let map = block
            .get(u16::from_le_bytes([block[0], block[1]]) as usize..)
            .ok_or(HeapError("page map out of the block"))?;
        let count = map
            .get(..2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]) as usize);
        if index == 0 || count.is_none_or(|c| index > c) {
            return Err(HeapError("a HID beyond the page map"));
        }
        let offset = |i: usize| {
            map.get(4 + 2 * i..6 + 2 * i)
                .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
        };
        let (start, end) = (offset(index - 1), offset(index));
        match (start, end) {
            (Some(s), Some(e)) if s <= e => block
                .get(s..e)
                .ok_or(HeapError("allocation out of the block")),
            _ => Err(HeapError("broken page map")),
        }
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-block heap holding a PC with a subject, a class and a flag.
    fn heap() -> Vec<u8> {
        let subject: Vec<u8> = "Hi".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let class = b"IPM.Note".to_vec();
        // Allocations: 1 BTH header, 2 leaf records, 3 subject, 4 class.
        let hid = |i: u32| i << 5;
        let bth = [vec![0xB5, 2, 6, 0], hid(2).to_le_bytes().to_vec()].concat();
        let mut leaf = Vec::new();
        for (id, ptype, v) in [
            (0x001Au16, 0x001Eu16, hid(4)),
            (0x0037, 0x001F, hid(3)),
            (0x0E07, 0x0003, 9),
        ] {
            leaf.extend_from_slice(&id.to_le_bytes());
            leaf.extend_from_slice(&ptype.to_le_bytes());
            leaf.extend_from_slice(&v.to_le_bytes());
        }
        let mut data = vec![0u8; 12];
        data[2] = 0xEC;
        data[3] = 0xBC;
        data[4..8].copy_from_slice(&hid(1).to_le_bytes());
        let mut offsets = vec![data.len() as u16];
        for a in [&bth, &leaf, &subject, &class] {
            data.extend_from_slice(a);
            offsets.push(data.len() as u16);
        }
        let map_at = data.len() as u16;
        data[0..2].copy_from_slice(&map_at.to_le_bytes());
        data.extend_from_slice(&4u16.to_le_bytes());
        data.extend_from_slice(&0u16.to_le_bytes());
        for o in offsets {
            data.extend_from_slice(&o.to_le_bytes());
        }
        data
    }

    #[test]
    fn reads_a_property_context() {
        let (p, in_nodes) = properties(&heap(), UNICODE_BLOCK).unwrap();
        assert!(in_nodes.is_empty());
        assert_eq!(p.text(props::tag::SUBJECT).as_deref(), Some("Hi"));
        assert_eq!(
            p.text(props::tag::MESSAGE_CLASS).as_deref(),
            Some("IPM.Note")
        );
        assert_eq!(p.int(0x0E07), Some(9));
    }

    #[test]
    fn broken_heaps_are_errors() {
        let good = heap();
        for cut in [0, 3, 12] {
            assert!(
                properties(&good[..cut], UNICODE_BLOCK).is_err(),
                "cut at {cut}"
            );
        }
        let mut bad = good.clone();
        bad[4] = 0xFF; // the root HID names no allocation
        assert!(properties(&bad, UNICODE_BLOCK).is_err());
        let mut bad = good.clone();
        bad[0..2].copy_from_slice(&u16::MAX.to_le_bytes()); // page map past the end
        assert!(properties(&bad, UNICODE_BLOCK).is_err());
        bad[3] = 0x7C; // a table context, not a property context
        assert!(properties(&bad, UNICODE_BLOCK).is_err());
    }
}
