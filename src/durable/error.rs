//! [`OutputError`]: why an output could not be written safely. Every variant names the output;
//! an I/O failure carries the operating system's error as its source.

use std::path::{Path, PathBuf};

use crate::failure::Failure;

/// Why an output file or store could not be claimed, written or put in place.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// What is on disk stops the write: the output exists, is of another kind, a live
    /// writer's temporary or a killed run's leftover is in the way.
    #[error("output {}: {what}", target.display())]
    Refused {
        /// The output.
        target: PathBuf,
        /// What is in the way, and what to do about it.
        what: String,
    },
    /// The command line asks for what the output cannot do (resume a file, resume with other
    /// arguments): an argument error, exit 2.
    #[error("output {}: {what}", target.display())]
    Arguments {
        /// The output.
        target: PathBuf,
        /// What does not fit.
        what: String,
    },
    /// A file system step failed.
    #[error("output {}: {step}", target.display())]
    Io {
        /// The output.
        target: PathBuf,
        /// The step, e.g. `creating .x.zarr.partial-12`.
        step: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

impl OutputError {
    pub(super) fn refused(target: &Path, what: impl std::fmt::Display) -> Self {
        Self::Refused {
            target: target.to_path_buf(),
            what: what.to_string(),
        }
    }

    pub(super) fn arguments(target: &Path, what: impl std::fmt::Display) -> Self {
        Self::Arguments {
            target: target.to_path_buf(),
            what: what.to_string(),
        }
    }

    pub(super) fn io(target: &Path, step: impl std::fmt::Display, source: std::io::Error) -> Self {
        Self::Io {
            target: target.to_path_buf(),
            step: step.to_string(),
            source,
        }
    }
}

impl From<OutputError> for Failure {
    fn from(error: OutputError) -> Self {
        let text = crate::failure::error_chain(&error);
        match error {
            OutputError::Arguments { .. } => Failure::usage(text),
            _ => Failure::msg(text),
        }
    }
}
