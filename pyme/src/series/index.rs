//! Indexing the frames of a series: every `frame%05d.pzf` of every directory, by the number its
//! name gives. On disk each file's header is read at once and its FrameNum checked against the
//! name; over HTTP ([`crate::http`]) only the lowest-numbered frame's header is, the others'
//! when their frame is read ([`super::Series::read_frame`]).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use pymecompress_codecs::pzf::{PzfError, PzfHeader, HEADER_LEN_V3};

use super::SeriesError;

/// One indexed frame: where it is, its header if read yet, and its length.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameEntry {
    /// The file.
    pub path: PathBuf,
    /// Its parsed header, or `None` while not read: a series over HTTP reads only the
    /// lowest-numbered frame's header on opening (fetching each frame file twice would double
    /// the traffic), and every other frame's when the frame is read, checking it then against
    /// the file's name and the series' layout. On disk every header is read on opening.
    pub header: Option<PzfHeader>,
    /// The file's length in bytes. Over HTTP, the size the server's listing gives, which is an
    /// upper bound, not the length: PYME's data server lists a file written as its directory
    /// cache is refilled (the first file of a directory, then one every 30 s) at its size plus
    /// what was already on disk, twice its size for a frame over 8 KiB. A read takes the body
    /// its Content-Length gives, refusing one longer than this.
    pub len: u64,
}

/// The frame number in a PYME frame file name `frame%05d.pzf`, or `None` for a file that is
/// not a `.pzf` at all.
///
/// # Errors
/// [`SeriesError::UnexpectedFrameFile`] for a `.pzf` file named otherwise.
pub(crate) fn frame_number_of(path: &Path) -> Result<Option<u32>, SeriesError> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Ok(None);
    };
    let Some(stem) = name.strip_suffix(".pzf") else {
        return Ok(None);
    };
    let unexpected = || SeriesError::UnexpectedFrameFile {
        path: path.to_path_buf(),
    };
    let digits = stem.strip_prefix("frame").ok_or_else(unexpected)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(unexpected());
    }
    let number: u32 = digits.parse().map_err(|_| unexpected())?;
    // Only the name `%05d` gives: no extra leading zeros.
    if format!("{number:05}") != digits {
        return Err(unexpected());
    }
    Ok(Some(number))
}

/// Reads the header of the frame file at `path`: see [`header_from`].
///
/// # Errors
/// [`SeriesError::Io`] if the file cannot be read; [`SeriesError::Header`] if the header is
/// not a valid PZF header.
pub(crate) fn read_header(path: &Path) -> Result<(PzfHeader, u64), SeriesError> {
    let io = |source| SeriesError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    header_from(&mut file, len)
        .map_err(io)?
        .map(|header| (header, len))
        .map_err(|source| SeriesError::Header {
            path: path.to_path_buf(),
            source,
        })
}

/// Reads a frame file's header from `reader` (at the file's start; the file is `len` bytes):
/// its first 64 bytes, or up to its DataOffset when that lies further in (never more than
/// `len`). The outer error is the reader's, the inner one the header's. Shared by files on
/// disk and over HTTP, so that both accept the same headers.
pub(crate) fn header_from(
    reader: &mut impl Read,
    len: u64,
) -> std::io::Result<Result<PzfHeader, PzfError>> {
    let mut head = Vec::with_capacity(HEADER_LEN_V3);
    (&mut *reader)
        .take(HEADER_LEN_V3 as u64)
        .read_to_end(&mut head)?;
    Ok(match PzfHeader::parse(&head) {
        // A header whose payload starts past byte 64: read up to there, within the file.
        Err(PzfError::DataOffsetPastEnd { offset, .. }) if u64::from(offset) <= len => {
            (&mut *reader)
                .take(u64::from(offset).saturating_sub(head.len() as u64))
                .read_to_end(&mut head)?;
            PzfHeader::parse(&head)
        }
        parsed => parsed,
    })
}

/// Indexes the frames of `dirs` (in order) by FrameNum.
///
/// # Errors
/// - [`SeriesError::Io`] for a directory or file that cannot be read.
/// - [`SeriesError::UnexpectedFrameFile`], [`SeriesError::Header`] for a frame file, and
///   [`add_frame`]'s errors.
pub(crate) fn index_frames(dirs: &[PathBuf]) -> Result<BTreeMap<u32, FrameEntry>, SeriesError> {
    let mut frames: BTreeMap<u32, FrameEntry> = BTreeMap::new();
    for dir in dirs {
        for path in sorted_entries(dir)? {
            let Some(name_number) = frame_number_of(&path)? else {
                continue;
            };
            let (header, len) = read_header(&path)?;
            let entry = FrameEntry {
                path,
                header: Some(header),
                len,
            };
            add_frame(&mut frames, name_number, entry, same_bytes)?;
        }
    }
    Ok(frames)
}

/// Adds a frame file named as frame `name_number` to the index, wherever it was read.
///
/// # Errors
/// - [`SeriesError::FrameNumberMismatch`] if the header (when read) has a FrameNum other than
///   `name_number`.
/// - [`SeriesError::DuplicateFrame`] for a frame number already held by a file with different
///   bytes (identical copies are merged; `same_bytes` compares two files, whatever their
///   indexed lengths: over HTTP those are the listings', which may differ for the same bytes).
pub(crate) fn add_frame(
    frames: &mut BTreeMap<u32, FrameEntry>,
    name_number: u32,
    entry: FrameEntry,
    same_bytes: impl FnOnce(&Path, &Path) -> Result<bool, SeriesError>,
) -> Result<(), SeriesError> {
    if let Some(header) = &entry.header {
        if header.frame_num != name_number {
            return Err(SeriesError::FrameNumberMismatch {
                header_number: header.frame_num,
                path: entry.path,
                name_number,
            });
        }
    }
    if let Some(first) = frames.get_mut(&name_number) {
        if !same_bytes(&first.path, &entry.path)? {
            return Err(SeriesError::DuplicateFrame {
                frame: name_number,
                first: first.path.clone(),
                second: entry.path,
            });
        }
        // The same bytes: the copy's header, if read, is the first's.
        if first.header.is_none() {
            first.header = entry.header;
        }
        return Ok(());
    }
    frames.insert(name_number, entry);
    Ok(())
}

/// The directory's entries, sorted (so errors name the same file on every run).
pub(crate) fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, SeriesError> {
    let io = |source| SeriesError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        paths.push(entry.map_err(io)?.path());
    }
    paths.sort();
    Ok(paths)
}

/// Compares two files' bytes, a block at a time (frames can be large; two at once is the
/// most held).
pub(crate) fn same_bytes(a: &Path, b: &Path) -> Result<bool, SeriesError> {
    let open = |path: &Path| {
        File::open(path).map_err(|source| SeriesError::Io {
            path: path.to_path_buf(),
            source,
        })
    };
    let (mut fa, mut fb) = (open(a)?, open(b)?);
    let mut ba = vec![0u8; 64 * 1024];
    let mut bb = vec![0u8; 64 * 1024];
    loop {
        let na = read_full(&mut fa, &mut ba, a)?;
        let nb = read_full(&mut fb, &mut bb, b)?;
        if na != nb || ba[..na] != bb[..nb] {
            return Ok(false);
        }
        if na == 0 {
            return Ok(true);
        }
    }
}

/// Fills `buf` as far as the file allows; the count read (short only at the end).
fn read_full(file: &mut File, buf: &mut [u8], path: &Path) -> Result<usize, SeriesError> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(SeriesError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_file_names_are_pymes() {
        let n = |name: &str| frame_number_of(Path::new(name));
        assert_eq!(n("frame00042.pzf").unwrap(), Some(42));
        assert_eq!(n("frame123456.pzf").unwrap(), Some(123_456));
        assert_eq!(n("metadata.json").unwrap(), None);
        for bad in [
            "frame42.pzf",
            "frame000042.pzf",
            "img00001.pzf",
            "frame.pzf",
            "frame-0001.pzf",
        ] {
            assert!(
                matches!(n(bad), Err(SeriesError::UnexpectedFrameFile { .. })),
                "{bad}"
            );
        }
    }
}
