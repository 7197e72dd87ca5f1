//! Nothing is lost: the durability of every output, private to the CLI.
//!
//! - [`atomic`]: files and stores written under a locked temporary name beside the target,
//!   flushed, and renamed into place only when complete;
//! - [`write_lock`]: the lock that tells a live writer's temporary from a killed run's
//!   leftover, and what to do with a leftover (refuse, restart, resume);
//! - [`completion`]: the completion record a store gets last, which `verify` reads;
//! - [`resume`]: the chunks a resumed run keeps;
//! - [`object`]: the same promises, as far as they go, for a store written into an object
//!   store (`s3://`), which has no rename and no lock.
//!
//! Unix is what is tested (directory `fsync` and `flock` on the temporary directory); other
//! platforms get the fallbacks docs/robustness.md lists.

pub mod atomic;
pub mod completion;
mod error;
pub mod object;
pub mod resume;
pub mod write_lock;

pub use error::OutputError;
