//! What every `convert` (of a store or of a PYME series) does around its chunk loops: claim the
//! output's temporary under its lock (a leftover refused, resumed or discarded as the flags
//! say, the run's arguments recorded for a later `--resume`), keep the chunks a resumed
//! leftover already holds, and finish with the completion record and the rename.

use std::sync::Arc;

use serde_json::{json, Map, Value};
use zarrs::array::Array;

use crate::atomic::PartialDir;
use crate::cli::ConvertArgs;
use crate::completion;
use crate::failure::{At, Place, Result};
use crate::resume;
use crate::store::OutStore;
use crate::write_lock::{Leftover, CONVERT_HINT};

/// A store being written under its locked temporary name.
pub struct StoreWrite {
    partial: PartialDir,
    storage: Arc<OutStore>,
    place: Place,
}

/// The arguments that decide a converted store's bytes, whatever the input; each input adds
/// its own (source, node, shape) in `specific`. A flag left out is recorded as what it then
/// means, not as `null`: a refused `--resume` quotes these values to the user.
fn manifest(o: &ConvertArgs, specific: Map<String, Value>) -> Value {
    let or = |value: Option<Value>, otherwise: &str| {
        value.unwrap_or_else(|| json!(format!("not given ({otherwise})")))
    };
    let mut all = json!({
        "codec": or(o.codec.map(|c| json!(format!("{c:?}"))), "each input's own codec"),
        "level": o.level,
        "zarr_format": or(o.zarr_format.map(|f| json!(f)), "each input's own format"),
        "chunks": or(o.chunks.as_ref().map(|c| json!(c)), "the input's chunks"),
        "shards": or(o.shards.as_ref().map(|s| json!(s)), "no shards"),
        "checksum": o.checksum,
        "offset": or(o.quant.offset.map(|v| json!(format!("{v:?}"))), "the source's own"),
        "scale": or(o.quant.scale.map(|v| json!(v)), "the source's own"),
        "requantize": o.quant.requantize,
        "frames": or(o.frames.map(|f| json!(f.to_string())), "all"),
    });
    if let Some(object) = all.as_object_mut() {
        object.extend(specific);
    }
    all
}

impl StoreWrite {
    /// Claims `o.output` (see [`PartialDir::claim`]), recording `o`'s arguments plus
    /// `specific` for a later `--resume`.
    ///
    /// # Errors
    /// An output that exists (without `--force`), a leftover without `--resume`/`--restart`,
    /// a live writer's temporary, a resume with other arguments (exit 2), or an I/O error.
    pub fn begin(o: &ConvertArgs, specific: Map<String, Value>) -> Result<Self> {
        let policy = match (o.resume, o.restart) {
            (true, _) => Leftover::Resume,
            (_, true) => Leftover::Restart,
            _ => Leftover::Refuse { hint: CONVERT_HINT },
        };
        let partial = PartialDir::claim(&o.output, o.force, policy, &manifest(o, specific))?;
        let place = Place::store(o.output.display());
        let storage = Arc::new(OutStore::new(partial.path()).at(&place)?);
        Ok(Self {
            partial,
            storage,
            place,
        })
    }

    /// The storage every chunk and metadata file goes through.
    pub fn storage(&self) -> &Arc<OutStore> {
        &self.storage
    }

    /// The output store, for messages.
    pub fn place(&self) -> &Place {
        &self.place
    }

    /// On a resumed leftover, decodes the chunks `target` already holds: those that decode are
    /// kept (the chunk loops skip them, `resume::is_done`), the others erased. Says how many,
    /// naming `what` (the array or series). Nothing to do on a fresh write.
    ///
    /// # Errors
    /// A chunk that cannot be read or erased (storage error).
    pub fn keep_written(&self, target: &Array<OutStore>, what: &str, place: &Place) -> Result<()> {
        if self.partial.resumed() {
            let (kept, erased) = resume::check_existing(target, place)?;
            eprintln!(
                "note: {what}: {kept} chunks kept from the interrupted run, {erased} damaged \
                 ones to write again"
            );
        }
        Ok(())
    }

    /// Writes the completion record for `arrays` (what [`completion::scan_array`] found of
    /// each) and renames the store into place.
    ///
    /// # Errors
    /// The record or the rename fails (I/O).
    pub fn finish(self, writer: &str, arrays: Vec<(String, Value)>) -> Result<()> {
        completion::write_record(self.partial.path(), writer, arrays, &self.place)?;
        self.partial.commit()
    }
}
