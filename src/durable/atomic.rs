//! Writing files and stores so that a failed or killed write never leaves something that looks
//! complete: everything is written under a temporary name beside the target, flushed to disk
//! (file and directory), and renamed into place only on success. On failure, the temporary is
//! removed when its guard is dropped; only a killed process leaves one behind, under a name no
//! one mistakes for the result.
//!
//! Every command that writes goes through [`PartialFile`] or [`PartialDir`], and the temporary's
//! name comes from [`partial_path`] alone. Both hold a lock on their temporary while they write
//! and look for the leftovers of killed runs first (`write_lock.rs`); only a store's leftover
//! can be resumed.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::OutputError;
use crate::cli::FileOutputArgs;

type Result<T> = std::result::Result<T, OutputError>;
use crate::durable::write_lock::{self, Leftover};

/// The temporary a write of `target` goes to: `.NAME.partial-PID` in the same directory, so the
/// final rename stays within one file system and cannot fail halfway.
pub fn partial_path(target: &Path) -> PathBuf {
    sibling(target, "partial")
}

/// `.NAME.TAG-PID` beside `target`.
fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent_dir(target).join(format!(".{name}.{tag}-{}", std::process::id()))
}

/// The directory holding `target` (`.` for a bare name).
fn parent_dir(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn output_failure(target: &Path, message: impl std::fmt::Display) -> OutputError {
    OutputError::refused(target, message)
}

/// Refuses a target that cannot be written: no file name, a parent that is not a directory, or
/// one that exists (unless `force`, and then only the same kind: file for file, dir for dir).
fn check_target(target: &Path, force: bool, want_dir: bool) -> Result<()> {
    if target.file_name().is_none() {
        return Err(output_failure(target, "does not name a file or directory"));
    }
    let parent = parent_dir(target);
    if !parent.is_dir() {
        return Err(output_failure(
            target,
            format!("directory {} does not exist", parent.display()),
        ));
    }
    if let Ok(meta) = std::fs::symlink_metadata(target) {
        if !force {
            return Err(output_failure(
                target,
                "already exists; add --force to replace it",
            ));
        }
        if meta.is_dir() != want_dir {
            let (is, wanted) = if meta.is_dir() {
                ("a directory", "a file")
            } else {
                ("a file", "a directory")
            };
            return Err(output_failure(
                target,
                format!("is {is}; --force replaces it only with {wanted} of the same kind"),
            ));
        }
    }
    Ok(())
}

/// Flushes `dir`'s entries (renames, creations) to disk. On Unix a directory is opened as a
/// file and fsync'd, which is what makes a rename durable there.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Elsewhere a directory cannot be opened as a file (Windows refuses without backup
/// semantics), and NTFS journals renames itself: nothing to flush. See docs/robustness.md.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// A file being written under its temporary name. [`PartialFile::commit`] puts it in place;
/// dropping it uncommitted removes it.
pub struct PartialFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl PartialFile {
    /// Starts writing `target`, refusing an existing one unless `--force`, and holding the
    /// lock on its temporary; a leftover of a killed run is refused unless `--restart` (a file
    /// is not resumed: `--resume` is refused).
    ///
    /// # Errors
    /// `--resume` (exit 2), an existing target, a live writer, a leftover, or an I/O error.
    pub fn create(target: &Path, flags: &FileOutputArgs) -> Result<Self> {
        if flags.resume {
            return Err(OutputError::arguments(
                target,
                "--resume continues a store (convert); a partly written file is not continued: \
                 use --restart to discard its leftover, or delete it",
            ));
        }
        check_target(target, flags.force, false)?;
        let temp = partial_path(target);
        let policy = if flags.restart {
            Leftover::Restart
        } else {
            Leftover::Refuse {
                hint: write_lock::FILE_HINT,
            }
        };
        let file = write_lock::claim_file(target, &parent_dir(target), &temp, policy)?;
        Ok(Self {
            target: target.to_path_buf(),
            temp,
            writer: Some(BufWriter::new(file)),
        })
    }

    /// Where the data goes until commit.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.writer.as_mut().expect("writer present until commit")
    }

    /// Writes `bytes`, naming the output on failure.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let target = self.target.clone();
        self.writer()
            .write_all(bytes)
            .map_err(|e| OutputError::io(&target, "writing", e))
    }

    /// Flushes the data to disk and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        let writer = self.writer.take().expect("writer present until commit");
        let done = writer
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all())
            .and_then(|()| std::fs::rename(&self.temp, &self.target))
            .and_then(|()| sync_dir(&parent_dir(&self.target)));
        done.map_err(|e| OutputError::io(&self.target, "flushing and renaming it into place", e))
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if self.writer.is_some() {
            self.writer = None;
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// A directory tree (a zarr store) being written under its temporary name.
/// [`PartialDir::commit`] puts it in place; dropping it uncommitted removes it.
pub struct PartialDir {
    target: PathBuf,
    temp: PathBuf,
    committed: bool,
    resumed: bool,
    /// The `flock` that marks the temporary as ours while we live (see `write_lock.rs`).
    _lock: std::fs::File,
}

impl PartialDir {
    /// Starts writing the store `target`, refusing an existing one unless `force`. A leftover
    /// of an interrupted run is refused, or with `restart` (or `force`) discarded: this is for
    /// `demo`, whose stores are made again from their seed, never resumed.
    pub fn create(target: &Path, force: bool, restart: bool) -> Result<Self> {
        let policy = if force || restart {
            Leftover::Restart
        } else {
            Leftover::Refuse {
                hint: "add --restart to discard it (a demo store is made again from its seed, not resumed)",
            }
        };
        Self::claim(target, force, policy, &serde_json::Value::Null)
    }

    /// Starts writing the store `target`, refusing an existing one unless `force`, and doing
    /// with a leftover of an interrupted run what `policy` says; a live writer's temporary is
    /// always refused. `manifest` records this run's arguments for a later `--resume`.
    pub fn claim(
        target: &Path,
        force: bool,
        policy: Leftover,
        manifest: &serde_json::Value,
    ) -> Result<Self> {
        check_target(target, force, true)?;
        let temp = partial_path(target);
        let claimed = write_lock::claim(target, &parent_dir(target), &temp, policy, manifest)?;
        Ok(Self {
            target: target.to_path_buf(),
            temp,
            committed: false,
            resumed: claimed.resumed,
            _lock: claimed.lock,
        })
    }

    /// Whether this continues an interrupted run's temporary (`--resume`).
    pub fn resumed(&self) -> bool {
        self.resumed
    }

    /// The temporary directory to write into.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Flushes every file and directory to disk and renames the tree into place. A replaced
    /// target (`--force`) is moved aside first and removed only once the new one is in place.
    pub fn commit(mut self) -> Result<()> {
        sync_tree(&self.temp).map_err(|e| OutputError::io(&self.target, "flushing", e))?;
        // The manifest goes last, just before the renames: a run killed while flushing (which
        // takes a while on a large store) leaves a temporary that `--resume` can still take.
        match std::fs::remove_file(self.temp.join(write_lock::MANIFEST)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(OutputError::io(&self.target, "removing the manifest", e))
            }
            _ => {}
        }
        let old = sibling(&self.target, "replaced");
        let replacing = self.target.exists();
        if replacing {
            std::fs::rename(&self.target, &old)
                .map_err(|e| OutputError::io(&self.target, "moving the old one aside", e))?;
        }
        std::fs::rename(&self.temp, &self.target)
            .and_then(|()| sync_dir(&parent_dir(&self.target)))
            .map_err(|e| OutputError::io(&self.target, "renaming it into place", e))?;
        self.committed = true;
        if replacing {
            std::fs::remove_dir_all(&old).map_err(|e| {
                OutputError::io(
                    &self.target,
                    format!("written, but the old one is left at {}", old.display()),
                    e,
                )
            })?;
        }
        Ok(())
    }
}

impl Drop for PartialDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.temp);
        }
    }
}

fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_tree(&entry.path())?;
        } else {
            File::open(entry.path())?.sync_all()?;
        }
    }
    sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(force: bool) -> FileOutputArgs {
        FileOutputArgs {
            force,
            restart: false,
            resume: false,
        }
    }

    #[test]
    fn a_file_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.npy");
        let mut file = PartialFile::create(&target, &flags(false)).unwrap();
        file.write_all(b"abc").unwrap();
        assert!(!target.exists());
        assert!(partial_path(&target).exists());
        file.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"abc");
        assert!(!partial_path(&target).exists());

        let err = PartialFile::create(&target, &flags(false)).err().unwrap();
        assert!(err.to_string().contains("--force"), "{err}");
        let mut file = PartialFile::create(&target, &flags(true)).unwrap();
        file.write_all(b"new").unwrap();
        drop(file);
        assert_eq!(std::fs::read(&target).unwrap(), b"abc", "dropped: old kept");
        assert!(
            !partial_path(&target).exists(),
            "dropped: temporary removed"
        );
    }

    #[test]
    fn a_file_leftover_is_refused_while_locked_or_without_restart() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.npy");
        let live = PartialFile::create(&target, &flags(false)).unwrap();
        let err = PartialFile::create(&target, &flags(false)).err().unwrap();
        assert!(err.to_string().contains("is locked"), "{err}");
        drop(live);
        let killed = dir.path().join(".out.npy.partial-1");
        std::fs::write(&killed, b"half").unwrap();
        let err = PartialFile::create(&target, &flags(true)).err().unwrap();
        assert!(
            err.to_string().contains(write_lock::FILE_HINT),
            "--force replaces the target, it does not discard a leftover: {err}"
        );
        let restart = FileOutputArgs {
            restart: true,
            ..flags(false)
        };
        let file = PartialFile::create(&target, &restart).unwrap();
        assert!(!killed.exists());
        file.commit().unwrap();
        let resume = FileOutputArgs {
            resume: true,
            ..flags(true)
        };
        let err = PartialFile::create(&target, &resume).err().unwrap();
        assert!(matches!(err, OutputError::Arguments { .. }), "{err}");
    }

    #[test]
    fn a_store_replaces_the_old_one_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("s.zarr");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old"), b"1").unwrap();
        let store = PartialDir::create(&target, true, false).unwrap();
        std::fs::write(store.path().join("new"), b"2").unwrap();
        assert!(target.join("old").exists());
        store.commit().unwrap();
        assert!(target.join("new").exists() && !target.join("old").exists());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "nothing but the store is left");
    }

    #[test]
    fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("no/such/o.npy");
        let err = PartialFile::create(&target, &flags(false))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains(&format!(
                "directory {} does not exist",
                dir.path().join("no/such").display()
            )),
            "{err}"
        );
    }
}
