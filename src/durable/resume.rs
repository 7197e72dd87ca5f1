//! `convert --resume`: the chunks an interrupted run already wrote are decoded once to check
//! them, and kept instead of being encoded again. The set of kept chunks is handed to the chunk
//! loops as a value ([`KeptChunks`]), one per array.

use std::collections::HashSet;

use rayon::prelude::*;
use zarrs::array::{Array, ArrayBytes};
use zarrs::storage::{ReadableStorageTraits, StoreKey, WritableStorageTraits};

use crate::failure::{At, Place, Result};
use crate::store;

/// The chunks of one array that a resumed run found written and checked: the chunk loops leave
/// them as they are. Empty for a fresh write.
#[derive(Debug, Default)]
pub struct KeptChunks {
    keys: HashSet<String>,
}

impl KeptChunks {
    /// Whether the chunk at `key` was kept: skip it.
    pub fn contains(&self, key: &StoreKey) -> bool {
        self.keys.contains(key.as_str())
    }

    /// How many chunks were kept.
    pub fn len(&self) -> usize {
        self.keys.len()
    }
}

/// Decodes every chunk of `target` already stored; keeps those that decode and erases those
/// that do not, so they are written again. Returns the kept chunks and how many were erased.
pub fn check_existing<T>(target: &Array<T>, place: &Place) -> Result<(KeptChunks, u64)>
where
    T: ?Sized + ReadableStorageTraits + WritableStorageTraits + 'static,
{
    let indices = store::chunks(target);
    let outcomes: Vec<Result<Option<(String, bool)>>> = indices
        .par_iter()
        .map(|index| {
            let key = target.chunk_key(&index);
            let chunk_place = place.chunk(key.as_str());
            if target.storage().size_key(&key).at(&chunk_place)?.is_none() {
                return Ok(None);
            }
            // The adapter writes a chunk whole or not at all, but a leftover may come from a
            // run before it, or from a disk that lost blocks: decode to be sure.
            match target.retrieve_chunk::<ArrayBytes<'static>>(&index) {
                Ok(_) => Ok(Some((key.as_str().to_string(), true))),
                Err(_) => {
                    target.storage().erase(&key).at(&chunk_place)?;
                    Ok(Some((key.as_str().to_string(), false)))
                }
            }
        })
        .collect();
    let mut kept = KeptChunks::default();
    let mut erased = 0;
    for outcome in outcomes {
        match outcome? {
            Some((key, true)) => {
                kept.keys.insert(key);
            }
            Some((_, false)) => erased += 1,
            None => {}
        }
    }
    Ok((kept, erased))
}
