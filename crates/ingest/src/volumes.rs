//! Volume sets among the files of one folder: `x.part1.rar`..`x.part5.rar`,
//! `x.rar` + `x.r00`.., split pieces `x_aa`, `x_ab`.. or `x.001`, `x.002`..
//! The first volume present opens the set; the others are stored as items
//! and not opened on their own (each would give only pieces of members).

use std::collections::BTreeMap;
use std::sync::Arc;

use leakcheck_extract::readers::rar::{Volume, volume_name};
use serde_json::{Value, json};

use crate::walk::TopFile;

/// The volumes of one set found in one folder.
#[derive(Debug)]
pub struct VolumeSet {
    /// Present, in order.
    pub volumes: Vec<Volume>,
    /// Numbers missing below the highest found.
    pub missing: Vec<u32>,
    /// Byte-split pieces rather than RAR volumes.
    pub joined: bool,
}

impl VolumeSet {
    /// The number of the volume that opens the set.
    pub fn first(&self) -> u32 {
        self.volumes.first().map_or(1, |v| v.number)
    }

    /// What the occurrence of volume `n` records.
    pub fn occurrence_extra(&self, n: u32) -> Value {
        let last = self.volumes.last().map_or(n, |v| v.number);
        json!({
            "volume": n,
            "volumes_found": self.volumes.len(),
            "last_volume_found": last,
            "missing_volumes": self.missing,
            "set_opened_by": self.volumes.first().map(|v| v.name.clone()),
        })
    }
}

fn starts_like_rar(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 6];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"Rar!\x1a\x07"
}

/// Marks the files of every set of two or more volumes in one folder.
pub fn find_sets(files: &mut [TopFile]) {
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        if f.error.is_some() {
            continue;
        }
        if let Some(v) = volume_name(&f.name) {
            groups.entry((f.parent.clone(), v.set)).or_default().push(i);
        }
    }
    for members in groups.into_values() {
        if members.len() < 2 {
            continue;
        }
        let mut vols: Vec<(u32, bool, usize)> = members
            .iter()
            .filter_map(|&i| volume_name(&files[i].name).map(|v| (v.number, v.joined, i)))
            .collect();
        vols.sort();
        vols.dedup_by_key(|v| v.0);
        // Split pieces are joined only for a RAR (other split formats are
        // not read as sets, and `x.001`, `x.002` may be anything).
        let joined = vols.first().is_some_and(|v| v.1);
        if joined && !starts_like_rar(&files[vols[0].2].path) {
            continue;
        }
        let last = vols.last().map_or(0, |v| v.0);
        let missing: Vec<u32> = (1..last)
            .filter(|n| !vols.iter().any(|v| v.0 == *n))
            .collect();
        let set = Arc::new(VolumeSet {
            volumes: vols
                .iter()
                .map(|&(number, _, i)| Volume {
                    name: files[i].name.clone(),
                    path: files[i].path.clone(),
                    number,
                })
                .collect(),
            missing,
            joined,
        });
        for &(number, _, i) in &vols {
            files[i].set = Some((set.clone(), number));
        }
    }
}
