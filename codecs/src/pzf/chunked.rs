//! The chunked Huffman payload (DataCompression 2): a u16 chunk count, then per chunk a u32
//! compressed length, a u32 raw length and that many bytes of Huffman stream. The raw lengths
//! are bytes (symbols, when quantized) and concatenate to the frame.

use super::PzfError;
use crate::stream::max_symbols;

/// One chunk of a chunked payload: its stream and the symbols it decodes to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chunk<'a> {
    pub stream: &'a [u8],
    pub symbols: usize,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

/// Splits a chunked payload into its chunks, checking everything before any output is
/// allocated: the table, each stream's presence, each raw length against its stream's
/// capacity, and the sum against `expected` symbols. Bytes after the last chunk are ignored,
/// as `loads` ignores them.
pub(crate) fn split(payload: &[u8], expected: usize) -> Result<Vec<Chunk<'_>>, PzfError> {
    let table_err = |chunk| PzfError::ChunkTableTruncated {
        chunk,
        len: payload.len(),
    };
    let count = match payload.get(..2) {
        Some(b) => usize::from(u16::from_le_bytes([b[0], b[1]])),
        None => return Err(table_err(0)),
    };
    if count == 0 {
        return Err(PzfError::NoChunks);
    }
    // At most 65535 entries of 16 bytes: bounded by the format, not by the data.
    let mut chunks = Vec::with_capacity(count.min(payload.len() / 8 + 1));
    let mut at = 2usize;
    let mut total = 0u64;
    for chunk in 0..count {
        let Some(entry) = payload.get(at..at + 8) else {
            return Err(table_err(chunk));
        };
        let compressed_len = u32_at(entry, 0);
        let raw_len = u32_at(entry, 4);
        at += 8;
        let available = payload.len() - at;
        let end = at.checked_add(compressed_len as usize);
        let Some(stream) = end.and_then(|end| payload.get(at..end)) else {
            return Err(PzfError::ChunkTruncated {
                chunk,
                compressed_len,
                available,
            });
        };
        at += stream.len();
        let max = max_symbols(stream.len());
        if u64::from(raw_len) > max {
            return Err(PzfError::PayloadTooShort {
                symbols: u64::from(raw_len),
                payload_bytes: stream.len(),
                max_symbols: max,
            });
        }
        total += u64::from(raw_len);
        chunks.push(Chunk {
            stream,
            symbols: raw_len as usize,
        });
    }
    if total != expected as u64 {
        return Err(PzfError::ChunkSizeMismatch {
            expected: expected as u64,
            found: total,
        });
    }
    Ok(chunks)
}

/// Appends a chunked payload of `symbols` split into `count` chunks of `ceil(len / count)`
/// symbols each (the split PYME's writer intends, recording byte counts where it would record
/// row counts); trailing chunks are empty when there are fewer symbols than chunks.
pub(crate) fn write(symbols: &[u8], count: u16, out: &mut Vec<u8>) -> Result<(), PzfError> {
    if count == 0 {
        return Err(PzfError::ZeroChunks);
    }
    let size = symbols.len().div_ceil(usize::from(count)).max(1);
    out.extend_from_slice(&count.to_le_bytes());
    let mut pieces = symbols.chunks(size);
    for _ in 0..count {
        let piece = pieces.next().unwrap_or(&[]);
        let stream = crate::stream::encode(piece)?;
        let lens = [stream.len(), piece.len()].map(|n| {
            u32::try_from(n).map_err(|_| crate::Error::InputTooLarge {
                len: n,
                max: u32::MAX as usize,
            })
        });
        let [compressed, raw] = lens;
        out.extend_from_slice(&compressed?.to_le_bytes());
        out.extend_from_slice(&raw?.to_le_bytes());
        out.extend_from_slice(&stream);
    }
    Ok(())
}
