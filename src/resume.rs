//! `convert --resume`: the chunks an interrupted run already wrote are decoded once to check
//! them, and kept instead of being encoded again.
//!
//! The chunk loops ask [`is_done`] per chunk key. The set lives in a process-wide static so the
//! loops (which other work changes often) need one line each, not a new parameter.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;
use zarrs::array::{Array, ArrayBytes};
use zarrs::storage::{ReadableStorageTraits, StoreKey, WritableStorageTraits};

use crate::failure::{At, Place, Result};
use crate::store;

fn done() -> &'static Mutex<HashSet<String>> {
    static DONE: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    DONE.get_or_init(Default::default)
}

/// Whether the chunk at `key` was written by the interrupted run and checked: skip it.
pub fn is_done(key: &StoreKey) -> bool {
    done()
        .lock()
        .map(|set| set.contains(key.as_str()))
        .unwrap_or(false)
}

/// Decodes every chunk of `target` already stored; keeps those that decode (marking them done)
/// and erases those that do not, so they are written again. Returns (kept, erased).
pub fn check_existing<T>(target: &Array<T>, place: &Place) -> Result<(u64, u64)>
where
    T: ?Sized + ReadableStorageTraits + WritableStorageTraits + 'static,
{
    let indices = store::chunks(target);
    let outcomes: Vec<Result<Option<bool>>> = indices
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
                Ok(_) => {
                    if let Ok(mut set) = done().lock() {
                        set.insert(key.as_str().to_string());
                    }
                    Ok(Some(true))
                }
                Err(_) => {
                    target.storage().erase(&key).at(&chunk_place)?;
                    Ok(Some(false))
                }
            }
        })
        .collect();
    let (mut kept, mut erased) = (0, 0);
    for outcome in outcomes {
        match outcome? {
            Some(true) => kept += 1,
            Some(false) => erased += 1,
            None => {}
        }
    }
    Ok((kept, erased))
}
