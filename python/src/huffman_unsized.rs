//! Decoding a `pymecompress-huffman` chunk whose decoded size the caller does not know (zarr
//! passes no output buffer to a bytes-to-bytes codec), including the reference's chunks of
//! multi-byte data, whose trailer counts elements while the stream codes every byte.
//!
//! Both writers emit exactly `ceil(bits / 8)` bytes, where `bits` is the tree plus one code
//! per symbol (one bit per symbol under a lone-leaf tree). So of the candidate sizes
//! `trailer * k` (k = 1, 2, 4, 8) the right one is the one whose symbols fill the stream to
//! the byte; k = 1, our writer's and every uint8 chunk's, is tried first, and stays the
//! answer when no candidate fits exactly.

use pymecompress_codecs::{pzf, stream, Error, TRAILER_BYTES};

/// Code length of every symbol (0: not in the tree) and the tree's length in bits, or `None`
/// for a stream whose tree does not parse.
fn code_lengths(stream: &[u8]) -> Option<([u8; 256], u64)> {
    let bit = |pos: u64| -> Option<u8> {
        let byte = *stream.get(usize::try_from(pos / 8).ok()?)?;
        Some((byte >> (7 - (pos % 8))) & 1)
    };
    let mut lengths = [0u8; 256];
    let mut pos = 0u64;
    // Depths of the nodes still to read, pre-order.
    let mut pending: Vec<u8> = vec![0];
    let mut leaves = 0usize;
    while let Some(depth) = pending.pop() {
        if bit(pos)? == 1 {
            let mut symbol = 0u8;
            for i in 1..=8 {
                symbol = (symbol << 1) | bit(pos + i)?;
            }
            pos += 9;
            leaves += 1;
            if leaves > 256 || lengths[symbol as usize] != 0 {
                return None;
            }
            // A lone leaf (depth 0) still costs one bit per symbol.
            lengths[symbol as usize] = depth.max(1);
        } else {
            pos += 1;
            if depth == u8::MAX {
                return None;
            }
            pending.push(depth + 1);
            pending.push(depth + 1);
        }
    }
    Some((lengths, pos))
}

/// Whether `decoded` is exactly what `stream` holds: its codes end in the stream's last byte.
fn fills_stream(stream: &[u8], decoded: &[u8]) -> bool {
    let Some((lengths, tree_bits)) = code_lengths(stream) else {
        return false;
    };
    let mut counts = [0u64; 256];
    for &b in decoded {
        counts[b as usize] += 1;
    }
    let mut bits = tree_bits;
    for (count, &len) in counts.iter().zip(lengths.iter()) {
        if *count > 0 {
            if len == 0 {
                return false;
            }
            bits += count * u64::from(len);
        }
    }
    bits.div_ceil(8) == stream.len() as u64
}

pub fn decode(chunk: &[u8]) -> Result<Vec<u8>, Error> {
    let Some(split) = chunk.len().checked_sub(TRAILER_BYTES) else {
        return Err(Error::ChunkTooShort { len: chunk.len() });
    };
    let (stream_bytes, trailer) = chunk.split_at(split);
    let trailer = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]) as u64;
    let limit = pzf::max_symbols(stream_bytes.len());
    if trailer > limit && trailer > 0 {
        return Err(Error::TrailerTooLarge {
            trailer: trailer as u32,
            limit: limit as usize,
        });
    }
    let first = stream::decode(stream_bytes, trailer as usize)?;
    if trailer == 0 || fills_stream(stream_bytes, &first) {
        return Ok(first);
    }
    for k in [2u64, 4, 8] {
        let n = trailer * k;
        if n > limit {
            break;
        }
        if let Ok(out) = stream::decode(stream_bytes, n as usize) {
            if fills_stream(stream_bytes, &out) {
                return Ok(out);
            }
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(bytes: &[u8], trailer: usize) -> Vec<u8> {
        let mut c = stream::encode(bytes).unwrap();
        c.extend_from_slice(&(trailer as u32).to_le_bytes());
        c
    }

    #[test]
    fn element_count_trailers_are_recognised() {
        let bytes: Vec<u8> = (0..6000u32).map(|i| (i * 31 % 97) as u8).collect();
        for k in [1, 2, 4, 8] {
            let n = bytes.len() / k;
            assert_eq!(decode(&chunk(&bytes, n)).unwrap(), bytes, "itemsize {k}");
        }
        // A constant chunk: a lone-leaf tree, one bit per symbol.
        let constant = vec![7u8; 4000];
        for k in [1, 2, 4, 8] {
            assert_eq!(decode(&chunk(&constant, 4000 / k)).unwrap(), constant);
        }
    }

    #[test]
    fn a_trailer_beyond_the_stream_is_refused_and_a_short_chunk_errors() {
        let mut c = stream::encode(&[1, 2, 3]).unwrap();
        c.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(decode(&c), Err(Error::TrailerTooLarge { .. })));
        assert!(matches!(
            decode(&[0, 0]),
            Err(Error::ChunkTooShort { len: 2 })
        ));
        assert_eq!(decode(&[0, 0, 0, 0]).unwrap(), Vec::<u8>::new());
        // A prefix of the symbols: the stream is longer than they need, so no k fills it.
        let bytes: Vec<u8> = (0..5000u32).map(|i| (i % 13) as u8).collect();
        assert_eq!(decode(&chunk(&bytes, 1000)).unwrap(), bytes[..1000]);
    }
}
