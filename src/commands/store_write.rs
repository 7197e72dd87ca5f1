//! What every `convert` (of a store or of a PYME series) does around its chunk loops: claim the
//! output (on disk its temporary under its lock; in an object store, `s3://`, its key: see
//! `durable::object`) (a leftover refused, resumed or discarded as the flags
//! say, the run's arguments recorded for a later `--resume`), keep the chunks a resumed
//! leftover already holds, and finish with the completion record and the rename.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Map, Value};
use zarrs::array::Array;

use crate::durable::atomic::PartialDir;
use crate::durable::object::ObjectTarget;
use clap::ValueEnum;

use crate::cli::{ConvertArgs, Offset};
use crate::durable::completion;
use crate::durable::resume::{self, KeptChunks};
use crate::durable::write_lock::{Leftover, CONVERT_HINT};
use crate::failure::{At, Failure, Place, Result};
use crate::store::{self, OutStore};

/// A store being written: on disk under its locked temporary name, in an object store under
/// its final key (see `durable::object`).
pub struct StoreWrite {
    target: Target,
    storage: Arc<OutStore>,
    place: Place,
}

enum Target {
    Disk(PartialDir),
    Object(ObjectTarget),
}

/// The manifest's format. Raise it when a field changes meaning: a leftover written under
/// another version is then refused (`--restart`), never resumed on a misread.
const MANIFEST_VERSION: u32 = 2;

/// What a `--resume` must match: the arguments that decide a converted store's bytes, whatever
/// the input, each as the user would type it (`quant16`, `auto`), plus what the input adds
/// (source, nodes, shape) in `input`. A flag left out is recorded as what it then means, not
/// as `null`: a refused `--resume` quotes these values to the user.
#[derive(Serialize)]
struct ResumeManifest {
    version: u32,
    codec: Value,
    level: i32,
    zarr_format: Value,
    chunks: Value,
    shards: Value,
    checksum: bool,
    offset: Value,
    scale: Value,
    requantize: bool,
    frames: Value,
    #[serde(flatten)]
    input: Map<String, Value>,
}

impl ResumeManifest {
    fn of(o: &ConvertArgs, input: Map<String, Value>) -> Self {
        let or = |value: Option<Value>, otherwise: &str| {
            value.unwrap_or_else(|| json!(format!("not given ({otherwise})")))
        };
        let codec = o
            .codec
            .and_then(|c| c.to_possible_value())
            .map(|v| json!(v.get_name()));
        let offset = o.quant.offset.map(|v| match v {
            Offset::Auto => json!("auto"),
            Offset::Value(v) => json!(v),
        });
        Self {
            version: MANIFEST_VERSION,
            codec: or(codec, "each input's own codec"),
            level: o.level,
            zarr_format: or(o.zarr_format.map(|f| json!(f)), "each input's own format"),
            chunks: or(o.chunks.as_ref().map(|c| json!(c)), "the input's chunks"),
            shards: or(o.shards.as_ref().map(|s| json!(s)), "no shards"),
            checksum: o.checksum,
            offset: or(offset, "the source's own"),
            scale: or(o.quant.scale.map(|v| json!(v)), "the source's own"),
            requantize: o.quant.requantize,
            frames: or(o.frames.map(|f| json!(f.to_string())), "all"),
            input,
        }
    }
}

impl StoreWrite {
    /// Claims `o.output` (see [`PartialDir::claim`] and [`ObjectTarget::claim`]), recording `o`'s arguments plus
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
        let manifest = serde_json::to_value(ResumeManifest::of(o, specific))
            .map_err(|e| Failure::msg(format!("output {}: {e}", o.output.display())))?;
        let place = Place::store(o.output.display());
        if let Some(url) = store::store_url(&o.output)? {
            if !url.writable() || url.key().is_empty() {
                return Err(Failure::usage(format!(
                    "output {url}: a store is written to a key of an S3 bucket \
                     (s3://BUCKET/NAME.zarr) or to a local directory; http(s):// stores are \
                     read-only"
                )));
            }
            let claimed = ObjectTarget::claim(
                store::open_url(&url)?,
                &url.to_string(),
                o.force,
                policy,
                &manifest,
            )?;
            let storage = Arc::new(OutStore::over(claimed.storage().clone()));
            return Ok(Self {
                target: Target::Object(claimed),
                storage,
                place,
            });
        }
        let partial = PartialDir::claim(&o.output, o.force, policy, &manifest)?;
        let storage = Arc::new(OutStore::new(partial.path()).at(&place)?);
        Ok(Self {
            target: Target::Disk(partial),
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
    /// kept (returned, for the chunk loops to skip), the others erased. Says how many, naming
    /// `what` (the array or series). Nothing to keep on a fresh write.
    ///
    /// # Errors
    /// A chunk that cannot be read or erased (storage error).
    pub fn keep_written(
        &self,
        target: &Array<OutStore>,
        what: &str,
        place: &Place,
    ) -> Result<KeptChunks> {
        let resumed = match &self.target {
            Target::Disk(partial) => partial.resumed(),
            Target::Object(object) => object.resumed(),
        };
        if !resumed {
            return Ok(KeptChunks::default());
        }
        let (kept, erased) = resume::check_existing(target, place)?;
        eprintln!(
            "note: {what}: {} chunks kept from the interrupted run, {erased} damaged ones to \
             write again",
            kept.len()
        );
        Ok(kept)
    }

    /// Writes the completion record for `arrays` (what [`completion::scan_array`] found of
    /// each) and renames the store into place.
    ///
    /// # Errors
    /// The record or the rename fails (I/O).
    pub fn finish(self, writer: &str, arrays: Vec<(String, Value)>) -> Result<()> {
        match self.target {
            Target::Disk(partial) => {
                completion::write_record(partial.path(), writer, arrays, &self.place)?;
                Ok(partial.commit()?)
            }
            Target::Object(object) => object.finish(writer, arrays, &self.place),
        }
    }
}
