//! A fresh output buffer whose first touch is cheap: large ones are an anonymous mapping
//! advised to use transparent huge pages.
//!
//! Decoding into fresh memory pays a page fault and the zeroing of each 4 KiB page on first
//! write; for a fast decoder that is most of the cost (see docs/performance.md). With 2 MiB
//! pages there are 512 times fewer faults. The allocator only asks for them when told to
//! (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`), so large buffers map their own memory and say so
//! with `madvise(MADV_HUGEPAGE)`, which takes effect where transparent huge pages are enabled
//! (`always` or `madvise` mode). Nothing here is `unsafe`: the mapping is `memmap2`'s safe
//! anonymous map, and the typed view is a `bytemuck` cast of its page-aligned bytes.

use std::fmt;
use std::ops::{Deref, DerefMut};

use bytemuck::Pod;

/// The size of a transparent huge page on x86-64 and most aarch64 kernels; smaller outputs
/// gain nothing from a mapping of their own.
const HUGE_PAGE: usize = 2 << 20;

/// The elements of a region read into fresh memory by [`crate::read_region`]: a slice of `T`
/// (through [`Deref`]), held either in huge-page-advised memory of its own or, for small
/// outputs and wherever that is not to be had, in a plain vector.
pub struct RegionBuffer<T> {
    inner: Inner<T>,
}

enum Inner<T> {
    Plain(Vec<T>),
    /// `len` elements from byte `offset` of `map` (an offset that is a multiple of 2 MiB in
    /// the address space, so that the first byte starts a huge page).
    Mapped {
        map: memmap2::MmapMut,
        offset: usize,
        len: usize,
    },
}

impl<T: Pod> RegionBuffer<T> {
    /// `len` zeroed elements: mapped and advised to use huge pages when they take at least
    /// 2 MiB (on Linux), else, or if the system refuses the mapping or the advice, a plain
    /// zeroed vector. Either way the pages are zeroed lazily by the system, when first
    /// written.
    ///
    /// # Panics
    /// Only as [`Vec`] does: if `len` elements of `T` overflow `isize`, or memory runs out.
    #[must_use]
    pub fn zeroed(len: usize) -> Self {
        Self::mapped(len, advise_huge).unwrap_or_else(|| Self::zeroed_plain(len))
    }

    /// `len` zeroed elements in a plain vector, never a mapping of its own.
    ///
    /// # Panics
    /// As [`Self::zeroed`].
    #[must_use]
    pub fn zeroed_plain(len: usize) -> Self {
        Self {
            inner: Inner::Plain(bytemuck::zeroed_vec(len)),
        }
    }

    /// A mapping of its own for `len` elements, advised by `advise`; `None` when the output is
    /// small, or any step fails.
    fn mapped(
        len: usize,
        advise: impl FnOnce(&memmap2::MmapMut) -> std::io::Result<()>,
    ) -> Option<Self> {
        let bytes = len.checked_mul(size_of::<T>())?;
        // Zero-sized or over-aligned element types stay with the vector, which handles them.
        if bytes < HUGE_PAGE || align_of::<T>() > 4096 {
            return None;
        }
        // One huge page more than needed, so that the output can start on a huge page
        // boundary wherever the kernel puts the mapping.
        let map = memmap2::MmapOptions::new()
            .len(bytes.checked_add(HUGE_PAGE)?)
            .map_anon()
            .ok()?;
        advise(&map).ok()?;
        let address = map.as_ptr() as usize;
        let offset = address.next_multiple_of(HUGE_PAGE) - address;
        let buffer = Self {
            inner: Inner::Mapped { map, offset, len },
        };
        // The cast cannot fail on page-aligned memory; checked once here so that `Deref`
        // never meets a failure.
        bytemuck::try_cast_slice::<u8, T>(buffer.as_bytes()).ok()?;
        Some(buffer)
    }

    /// Whether the elements live in a mapping of their own (huge-page advised) rather than a
    /// plain vector.
    #[must_use]
    pub fn is_mapped(&self) -> bool {
        matches!(self.inner, Inner::Mapped { .. })
    }

    /// The elements' bytes, in this machine's byte order.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.inner {
            Inner::Plain(v) => bytemuck::cast_slice(v),
            Inner::Mapped { map, offset, len } => &map[*offset..*offset + len * size_of::<T>()],
        }
    }

    /// The elements' bytes, writable.
    #[must_use]
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        match &mut self.inner {
            Inner::Plain(v) => bytemuck::cast_slice_mut(v),
            Inner::Mapped { map, offset, len } => {
                &mut map[*offset..*offset + *len * size_of::<T>()]
            }
        }
    }

    /// The elements in a vector: moved out of a plain buffer; copied whole out of a mapped
    /// one (a second buffer of the same size, and its first touch: for a large region most
    /// of what [`crate::read_region`] saved). Use the buffer as a slice (it derefs to `[T]`)
    /// where you can, or [`crate::read_region_into`] a `Vec` of your own to get one without
    /// the copy. [`Self::is_mapped`] says which case this is.
    #[must_use]
    pub fn into_vec(self) -> Vec<T> {
        match self.inner {
            Inner::Plain(v) => v,
            Inner::Mapped { .. } => self.to_vec(),
        }
    }
}

/// Asks for transparent huge pages; elsewhere than Linux there is no such advice, and the
/// caller falls back to a vector.
fn advise_huge(map: &memmap2::MmapMut) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    return map.advise(memmap2::Advice::HugePage);
    #[cfg(not(target_os = "linux"))]
    {
        let _ = map;
        Err(std::io::ErrorKind::Unsupported.into())
    }
}

impl<T: Pod> Deref for RegionBuffer<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match &self.inner {
            Inner::Plain(v) => v,
            // Checked in `mapped`: the bytes are aligned for `T` and a whole number of them.
            Inner::Mapped { .. } => bytemuck::cast_slice(self.as_bytes()),
        }
    }
}

impl<T: Pod> DerefMut for RegionBuffer<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self.inner {
            Inner::Plain(ref mut v) => v,
            Inner::Mapped { .. } => bytemuck::cast_slice_mut(self.as_bytes_mut()),
        }
    }
}

impl<T: Pod> AsRef<[T]> for RegionBuffer<T> {
    fn as_ref(&self) -> &[T] {
        self
    }
}

impl<T: Pod> AsMut<[T]> for RegionBuffer<T> {
    fn as_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T: Pod + fmt::Debug> fmt::Debug for RegionBuffer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegionBuffer")
            .field("mapped", &self.is_mapped())
            .field("elements", &self.len())
            .finish()
    }
}

impl<T: Pod + PartialEq> PartialEq<[T]> for RegionBuffer<T> {
    fn eq(&self, other: &[T]) -> bool {
        **self == *other
    }
}

impl<T: Pod + PartialEq> PartialEq<Vec<T>> for RegionBuffer<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        **self == **other
    }
}

impl<T: Pod> From<RegionBuffer<T>> for Vec<T> {
    fn from(buffer: RegionBuffer<T>) -> Self {
        buffer.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_buffers_are_mapped_on_a_huge_page_boundary_and_zeroed() {
        let mut b = RegionBuffer::<u16>::zeroed(3 << 20);
        assert_eq!(b.len(), 3 << 20);
        assert!(b.iter().all(|&v| v == 0));
        if cfg!(target_os = "linux") && b.is_mapped() {
            assert_eq!(b.as_ptr() as usize % HUGE_PAGE, 0);
        }
        b[12345] = 7;
        assert_eq!(b.as_bytes().len(), 6 << 20);
        let v = b.into_vec();
        assert_eq!((v.len(), v[12345], v[12344]), (3 << 20, 7, 0));
    }

    #[test]
    fn small_buffers_stay_plain() {
        let b = RegionBuffer::<f64>::zeroed(1000);
        assert!(!b.is_mapped());
        assert_eq!(b.len(), 1000);
        assert!(RegionBuffer::<u8>::zeroed(0).is_empty());
    }

    #[test]
    fn refused_advice_falls_back_to_a_vector() {
        let refused = |_: &memmap2::MmapMut| Err(std::io::ErrorKind::Unsupported.into());
        assert!(RegionBuffer::<u32>::mapped(1 << 20, refused).is_none());
        let accepted = |_: &memmap2::MmapMut| Ok(());
        assert!(RegionBuffer::<u32>::mapped(1 << 20, accepted).is_some());
        // A length whose bytes overflow is refused, not wrapped.
        assert!(RegionBuffer::<u64>::mapped(usize::MAX / 4, accepted).is_none());
    }

    #[test]
    fn every_element_type_views_the_same_bytes() {
        let mut b = RegionBuffer::<f32>::mapped(1 << 20, |_| Ok(())).unwrap();
        b[1] = 1.5;
        assert_eq!(&b.as_bytes()[4..8], &1.5f32.to_ne_bytes());
        let c = RegionBuffer::<u64>::mapped(1 << 19, |_| Ok(())).unwrap();
        assert_eq!(c.len(), 1 << 19);
    }
}
