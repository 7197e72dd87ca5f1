//! Leftover temporaries of store and file writes, and the lock that tells a live writer from a
//! dead one.
//!
//! A store or a file is written as `.NAME.partial-PID` beside its target (see `atomic.rs`).
//! The writer holds an exclusive `flock` on that directory or file for as long as it runs; the
//! kernel drops the lock when the process ends, however it ends (SIGKILL included). So a
//! temporary found unlocked is the leftover of a dead run, and one found locked belongs to a
//! live writer.
//! A temporary is set up (created, locked, its manifest written) as `.NAME.claim-PID` and only
//! then renamed to `.NAME.partial-PID`, so that no run ever finds a live writer's temporary
//! unlocked.
//!
//! A store's temporary also holds [`MANIFEST`], the arguments of the run that made it (codec,
//! chunk and shard shapes, format, parameters, source), so that `--resume` can refuse to
//! finish a store with arguments other than those its first chunks were written with.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::OutputError;

type Result<T> = std::result::Result<T, OutputError>;

/// The manifest's file name inside the temporary (removed before the store is renamed into
/// place, so a finished store never carries it).
pub const MANIFEST: &str = ".pymecompress-write.json";

/// What to do with the leftover of an interrupted run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leftover {
    /// Report it and stop (exit 1), naming it and the flags. `hint` names the flags.
    Refuse { hint: &'static str },
    /// Continue writing into it.
    Resume,
    /// Remove it and start again.
    Restart,
}

/// Flags to name when a convert leftover is found.
pub const CONVERT_HINT: &str =
    "add --resume to continue it (chunks already written are checked, not encoded again) or --restart to discard it";

/// Flags to name when a file's leftover is found (`export`, `compress`, `decompress`).
pub const FILE_HINT: &str =
    "it is incomplete (the run was killed; a file is not resumed): add --restart to discard it, or delete it";

/// A temporary directory this process holds the lock on.
#[derive(Debug)]
pub struct Claimed {
    /// Open handle on the directory; the lock lives as long as it.
    pub lock: File,
    /// Whether it is a resumed leftover (its chunks are to be checked, not rewritten).
    pub resumed: bool,
}

/// The temporaries of earlier writes of `target`: `.NAME.partial-*` beside it, directories
/// (stores) if `dirs`, else files.
pub fn temporaries(target: &Path, parent: &Path, dirs: bool) -> Vec<PathBuf> {
    tagged(target, parent, "partial", dirs)
}

/// `.NAME.TAG-*` beside `target`, directories if `dirs`, else files.
fn tagged(target: &Path, parent: &Path, tag: &str, dirs: bool) -> Vec<PathBuf> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.{tag}-");
    let mut found: Vec<PathBuf> = std::fs::read_dir(parent)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir() == dirs))
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Where a temporary is made and locked before it is renamed to `temp` (`.NAME.claim-PID` for
/// `.NAME.partial-PID`), so that a `.NAME.partial-*` is never seen unlocked while its writer
/// lives: another run looking in between would take it for a leftover.
fn staged(temp: &Path) -> PathBuf {
    let name = temp
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.rfind(".partial-") {
        Some(at) => temp.with_file_name(format!(
            "{}.claim-{}",
            &name[..at],
            &name[at + ".partial-".len()..]
        )),
        None => temp.with_file_name(format!("{name}.claim")),
    }
}

fn live_writer(target: &Path, temp: &Path) -> OutputError {
    OutputError::refused(
        target,
        format!(
            "another pymecompress process is writing it now (its temporary {} is locked); \
             wait for it to finish, or stop it first",
            temp.display()
        ),
    )
}

/// The file whose lock stands for a temporary directory's where a directory cannot be opened
/// as a file (not Unix). It lives inside the temporary, so it moves with it on rename.
#[cfg(not(unix))]
const LOCK_FILE: &str = ".pymecompress-lock";

/// Opens what is locked for `dir`: on Unix the directory itself (`flock` on its descriptor).
#[cfg(unix)]
fn lock_handle(dir: &Path) -> std::io::Result<File> {
    File::open(dir)
}

/// Elsewhere a lock file inside `dir`: Windows opens no directory as a file.
#[cfg(not(unix))]
fn lock_handle(dir: &Path) -> std::io::Result<File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))
}

/// Locks `dir` exclusively without waiting; `Ok(None)` if another process holds it.
fn try_lock(dir: &Path) -> std::io::Result<Option<File>> {
    let file = lock_handle(dir)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(e),
    }
}

/// Removes a temporary: a store's directory with everything in it, or a file.
fn remove(path: &Path, dir: bool) -> std::io::Result<()> {
    if dir {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
}

/// Goes through the temporaries earlier writes of `target` left (directories if `dirs`):
/// refuses if one is locked (a live writer) or, as `policy` says, if one is left; removes them
/// for [`Leftover::Restart`]; for [`Leftover::Resume`] returns the one to continue, locked.
fn leftovers(
    target: &Path,
    parent: &Path,
    dirs: bool,
    policy: Leftover,
) -> Result<Option<(PathBuf, File)>> {
    // A run killed while it set up its temporary leaves this, holding nothing: removed.
    for old in tagged(target, parent, "claim", dirs) {
        if matches!(try_lock(&old), Ok(None)) {
            return Err(live_writer(target, &old));
        }
        let _ = remove(&old, dirs);
    }
    let mut resumable: Option<(PathBuf, File)> = None;
    for old in temporaries(target, parent, dirs) {
        let lock = try_lock(&old)
            .map_err(|e| OutputError::io(target, format!("checking {}", old.display()), e))?;
        let Some(lock) = lock else {
            return Err(live_writer(target, &old));
        };
        match policy {
            Leftover::Refuse { hint } => {
                return Err(OutputError::refused(
                    target,
                    format!("an interrupted run left {}; {hint}", old.display()),
                ))
            }
            Leftover::Restart => remove(&old, dirs)
                .map_err(|e| OutputError::io(target, format!("removing {}", old.display()), e))?,
            Leftover::Resume if resumable.is_none() => resumable = Some((old, lock)),
            Leftover::Resume => {
                return Err(OutputError::refused(
                    target,
                    format!(
                        "more than one interrupted run left a temporary ({} and {}); \
                         use --restart, or remove all but one",
                        resumable
                            .as_ref()
                            .map_or(String::new(), |r| r.0.display().to_string()),
                        old.display()
                    ),
                ))
            }
        }
    }
    Ok(resumable)
}

/// Creates the file `temp` (our own `.NAME.partial-PID`) locked, after dealing with the
/// leftovers of interrupted writes of `target` as `policy` says (a file is never resumed:
/// [`Leftover::Resume`] is taken as [`Leftover::Refuse`]). The lock lives as long as the
/// returned handle, which is the one to write through.
///
/// # Errors
/// A live writer's temporary, a leftover (unless [`Leftover::Restart`]), or an I/O error.
pub fn claim_file(target: &Path, parent: &Path, temp: &Path, policy: Leftover) -> Result<File> {
    let policy = match policy {
        Leftover::Resume => Leftover::Refuse { hint: FILE_HINT },
        other => other,
    };
    leftovers(target, parent, false, policy)?;
    let stage = staged(temp);
    let create =
        |e: std::io::Error| OutputError::io(target, format!("creating {}", temp.display()), e);
    let file = File::create(&stage).map_err(create)?;
    let locked = file
        .try_lock()
        .map_err(|e| std::io::Error::other(e.to_string()))
        .and_then(|()| std::fs::rename(&stage, temp));
    match locked {
        Ok(()) => Ok(file),
        Err(e) => {
            let _ = std::fs::remove_file(&stage);
            Err(create(e))
        }
    }
}

/// Creates `temp` (our own `.NAME.partial-PID`) locked, or takes over the leftover of an
/// interrupted run of `target` as `policy` says. `manifest` describes this run.
///
/// # Errors
/// A live writer's temporary, a leftover refused by `policy`, a resume whose recorded
/// arguments differ from `manifest` (exit 2), or an I/O error.
pub fn claim(
    target: &Path,
    parent: &Path,
    temp: &Path,
    policy: Leftover,
    manifest: &Value,
) -> Result<Claimed> {
    let resumable = leftovers(target, parent, true, policy)?;
    if let Some((old, lock)) = resumable.filter(|(old, _)| !holds_nothing(old)) {
        check_manifest(target, &old, manifest)?;
        remove_chunk_temporaries(&old)
            .map_err(|e| OutputError::io(target, format!("cleaning {}", old.display()), e))?;
        // The lock is on the directory itself, so it moves with the rename.
        std::fs::rename(&old, temp)
            .map_err(|e| OutputError::io(target, format!("taking over {}", old.display()), e))?;
        eprintln!(
            "note: resuming the interrupted write {} (its chunks are checked, not encoded again)",
            old.display()
        );
        return Ok(Claimed {
            lock,
            resumed: true,
        });
    }
    let stage = staged(temp);
    std::fs::create_dir(&stage)
        .map_err(|e| OutputError::io(target, format!("creating {}", temp.display()), e))?;
    // Locked and holding its manifest before it takes the name other runs look for; the lock
    // is on the directory itself, so it moves with the rename.
    let claimed = try_lock(&stage)
        .and_then(|lock| lock.ok_or_else(|| std::io::Error::other("locked by another process")))
        .and_then(|lock| {
            let text = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
            std::fs::write(stage.join(MANIFEST), text)?;
            std::fs::rename(&stage, temp)?;
            Ok(lock)
        });
    match claimed {
        Ok(lock) => Ok(Claimed {
            lock,
            resumed: false,
        }),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&stage);
            Err(OutputError::io(
                target,
                format!("creating {}", temp.display()),
                e,
            ))
        }
    }
}

/// Whether `old` is the temporary of a run killed before it recorded its arguments (no
/// readable manifest, nothing else inside): it holds no chunk, so it is removed and the
/// resume starts afresh.
fn holds_nothing(old: &Path) -> bool {
    let manifest_reads = std::fs::read(old.join(MANIFEST))
        .ok()
        .is_some_and(|t| serde_json::from_slice::<Value>(&t).is_ok());
    let only_manifest = std::fs::read_dir(old)
        .map(|entries| entries.flatten().all(|e| e.file_name() == MANIFEST))
        .unwrap_or(false);
    if manifest_reads || !only_manifest {
        return false;
    }
    eprintln!(
        "note: {} was killed before it wrote anything; starting afresh",
        old.display()
    );
    std::fs::remove_dir_all(old).is_ok()
}

/// Removes the chunk temporaries a killed writer left inside the store (the adapter's
/// `.pymecompress-tmp.*` files), so that they do not end up in the finished store.
fn remove_chunk_temporaries(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            remove_chunk_temporaries(&entry.path())?;
        } else if entry
            .file_name()
            .to_string_lossy()
            .starts_with(zarrs_pymecompress::ATOMIC_TEMP_PREFIX)
        {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Refuses to resume a leftover written with other arguments, naming the first that differs.
fn check_manifest(target: &Path, old: &Path, ours: &Value) -> Result<()> {
    let theirs = std::fs::read(old.join(MANIFEST)).ok();
    compare_manifest(target, &old.display().to_string(), theirs.as_deref(), ours)
}

/// Refuses to resume the leftover `shown` (a temporary directory, or a store in an object
/// store) whose manifest is `theirs` (`None`: unreadable) with the arguments `ours`, naming the
/// first that differs.
pub(super) fn compare_manifest(
    target: &Path,
    shown: &str,
    theirs: Option<&[u8]>,
    ours: &Value,
) -> Result<()> {
    let theirs: Value = theirs
        .and_then(|t| serde_json::from_slice(t).ok())
        .ok_or_else(|| {
            OutputError::refused(
                target,
                format!(
                    "cannot resume {shown}: it has no readable {MANIFEST} (not ours, or killed \
                     before writing it); use --restart"
                ),
            )
        })?;
    if let (Some(a), Some(b)) = (ours.as_object(), theirs.as_object()) {
        for (key, value) in a {
            let recorded = match b.get(key) {
                // An older manifest lacks the key: say so rather than quote JSON's `null`.
                None => Value::String("(not recorded)".into()),
                Some(v) => v.clone(),
            };
            if recorded != *value {
                return Err(OutputError::arguments(
                    target,
                    format!(
                        "cannot resume {shown}: it was written with {key} = {recorded}, this run \
                         asks for {value}; run again with the same arguments, or use --restart"
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_locked_temporary_refuses_and_an_unlocked_one_is_reported_resumed_or_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.zarr");
        let first = dir.path().join(".out.zarr.partial-1");
        let manifest = json!({"codec": "Quant16"});
        let held = claim(&target, dir.path(), &first, Leftover::Resume, &manifest).unwrap();
        let second = dir.path().join(".out.zarr.partial-2");
        for policy in [
            Leftover::Resume,
            Leftover::Restart,
            Leftover::Refuse { hint: "h" },
        ] {
            let err = claim(&target, dir.path(), &second, policy, &manifest).unwrap_err();
            assert!(err.to_string().contains("is locked"), "{err}");
        }
        drop(held); // as if killed: the kernel drops the lock
        let err = claim(
            &target,
            dir.path(),
            &second,
            Leftover::Refuse { hint: "HINT" },
            &manifest,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains(".out.zarr.partial-1") && err.contains("HINT"),
            "{err}"
        );
        let other = json!({"codec": "Zstd"});
        let err = claim(&target, dir.path(), &second, Leftover::Resume, &other).unwrap_err();
        assert!(matches!(err, OutputError::Arguments { .. }), "{err}");
        assert!(err.to_string().contains("codec"), "{err}");
        let resumed = claim(&target, dir.path(), &second, Leftover::Resume, &manifest).unwrap();
        assert!(resumed.resumed && second.is_dir() && !first.exists());
        drop(resumed);
        let third = dir.path().join(".out.zarr.partial-3");
        let fresh = claim(&target, dir.path(), &third, Leftover::Restart, &manifest).unwrap();
        assert!(!fresh.resumed && !second.exists() && third.join(MANIFEST).is_file());
        drop(fresh);
        std::fs::remove_dir_all(&third).unwrap();
        // Killed between creating its temporary and recording its arguments: nothing to keep.
        let empty = dir.path().join(".out.zarr.partial-9");
        std::fs::create_dir(&empty).unwrap();
        std::fs::write(empty.join(MANIFEST), b"").unwrap();
        let fourth = dir.path().join(".out.zarr.partial-4");
        let fresh = claim(&target, dir.path(), &fourth, Leftover::Resume, &manifest).unwrap();
        assert!(
            !fresh.resumed && !empty.exists(),
            "an empty leftover is started afresh"
        );
        drop(fresh);
        std::fs::remove_dir_all(&fourth).unwrap();
        // A temporary being set up is locked under its staging name: refused; once its writer
        // is gone, it is removed without a word.
        let setting_up = dir.path().join(".out.zarr.claim-5");
        std::fs::create_dir(&setting_up).unwrap();
        let held = try_lock(&setting_up).unwrap().unwrap();
        let err = claim(&target, dir.path(), &fourth, Leftover::Restart, &manifest).unwrap_err();
        assert!(err.to_string().contains("claim-5 is locked"), "{err}");
        drop(held);
        let fresh = claim(
            &target,
            dir.path(),
            &fourth,
            Leftover::Refuse { hint: "h" },
            &manifest,
        );
        assert!(fresh.is_ok() && !setting_up.exists() && fourth.is_dir());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "only the new temporary: {names:?}");
    }
}
