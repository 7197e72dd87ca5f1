//! The gap and completeness policy: a source with missing frames, or whose acquisition has not
//! finished, is refused by anything that writes it out, unless the caller allows it; then a
//! missing frame is a fill-value frame at its own index, listed (never shifted over, as PYME's
//! HDF5 reader does).

use std::fmt;

use crate::frames::ranges;
use crate::{FrameSource, SourceError, SourceKind};

/// What an incomplete source lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incomplete {
    /// The kind of source.
    pub kind: SourceKind,
    /// Missing frame slots, ascending.
    pub missing: Vec<u64>,
    /// Whether the acquisition finished (`events.json` present).
    pub finished: bool,
}

impl Incomplete {
    /// What `source` lacks, or `None` when it is complete.
    #[must_use]
    pub fn of(source: &dyn FrameSource) -> Option<Self> {
        let missing = source.missing();
        let finished = source.is_finished();
        (!missing.is_empty() || !finished).then(|| Self {
            kind: source.kind(),
            missing,
            finished,
        })
    }

    /// Where the missing frames may be, when that can be said: a series' frames are spread
    /// over data servers, so frames missing from the copies given may be on another.
    #[must_use]
    pub fn hint(&self) -> Option<&'static str> {
        (!self.missing.is_empty() && self.kind == SourceKind::Series).then_some(
            "is the series split over data servers? give each server's copy of it with \
             --node DIR",
        )
    }

    /// The advice for a refused source: [`Self::hint`], and how to go on anyway.
    #[must_use]
    pub fn advice(&self) -> String {
        let go_on = "add --allow-incomplete to go on anyway (missing frames then read as zeros \
                     and are listed in the attribute pyme_missing_frames)";
        match self.hint() {
            Some(hint) => format!("{hint}; {go_on}"),
            None => go_on.to_string(),
        }
    }
}

impl fmt::Display for Incomplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut what = Vec::new();
        if !self.missing.is_empty() {
            let n = self.missing.len();
            what.push(format!(
                "{n} frame{} missing ({})",
                if n == 1 { "" } else { "s" },
                ranges(&self.missing)
            ));
        }
        if !self.finished {
            what.push(format!(
                "no {} (the acquisition did not finish)",
                self.kind.finish_marker()
            ));
        }
        write!(f, "{}", what.join("; "))
    }
}

/// Applies the policy: a complete source passes (`Ok(None)`); an incomplete one is refused
/// unless `allow_incomplete`, when what it lacks is returned for the caller to report.
///
/// # Errors
/// [`SourceError::Incomplete`] for an incomplete source not allowed.
pub fn check(
    source: &dyn FrameSource,
    allow_incomplete: bool,
) -> Result<Option<Incomplete>, SourceError> {
    match Incomplete::of(source) {
        None => Ok(None),
        Some(lack) if allow_incomplete => Ok(Some(lack)),
        Some(lack) => Err(SourceError::Incomplete {
            source_name: source.name().to_string(),
            lack,
        }),
    }
}
