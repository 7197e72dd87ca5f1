//! Which of a source's frame slots an output takes: all of them, or `start`, `start + step`,
//! ... (`--frames A:B:STEP`, resolved by the caller against [`crate::FrameSource::len`]).

/// A run of frame slots with a stride: output frame `j` is source slot `start + j * step`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FrameSelection {
    /// The first slot taken.
    pub start: u64,
    /// The stride, at least 1.
    pub step: u64,
    /// How many slots are taken.
    pub len: u64,
}

impl FrameSelection {
    /// Every slot of a source of `len` slots.
    #[must_use]
    pub fn all(len: u64) -> Self {
        Self {
            start: 0,
            step: 1,
            len,
        }
    }

    /// Whether this takes every slot of a source of `len` slots, in order.
    #[must_use]
    pub fn is_all(&self, len: u64) -> bool {
        *self == Self::all(len)
    }

    /// The source slot of output frame `j`.
    #[must_use]
    pub fn slot(&self, j: u64) -> u64 {
        self.start + j * self.step
    }

    /// The source slots taken, in output order.
    pub fn slots(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.len).map(|j| self.slot(j))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_follow_the_stride() {
        let s = FrameSelection {
            start: 3,
            step: 4,
            len: 3,
        };
        assert_eq!(s.slots().collect::<Vec<_>>(), [3, 7, 11]);
        assert!(FrameSelection::all(5).is_all(5));
        assert!(!s.is_all(12));
    }
}
