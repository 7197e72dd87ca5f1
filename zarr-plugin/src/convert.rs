//! Zarr V2 to V3 metadata conversion that knows `pymecompress-quant16` is array-to-bytes.

use zarrs::array::ArrayMetadataV2;
use zarrs::convert::ArrayMetadataV2ToV3Error;
use zarrs::metadata::v3::ArrayMetadataV3;

use crate::HUFFMAN_QUANT16_NAME_V3;

/// [`zarrs::convert::array_metadata_v2_to_v3`], with the chain fixed for
/// `pymecompress-quant16`.
///
/// zarrs 0.23's conversion knows only its own array-to-bytes compressors (zfp, zfpy, pcodec) and
/// puts any other compressor after an implicit `bytes` codec. For quant16 that chain,
/// `[bytes, numcodecs.pymecompress-quant16]`, has two array-to-bytes codecs and does not open;
/// this drops the `bytes` codec in front of it. Opening a V2 array with zarrs does not go
/// through this conversion and needs no fix.
///
/// # Errors
/// - Any [`ArrayMetadataV2ToV3Error`] of zarrs's conversion.
pub fn array_metadata_v2_to_v3(
    metadata: &ArrayMetadataV2,
) -> Result<ArrayMetadataV3, ArrayMetadataV2ToV3Error> {
    let mut v3 = zarrs::convert::array_metadata_v2_to_v3(metadata)?;
    if let Some(quant16) = v3
        .codecs
        .iter()
        .position(|codec| codec.name() == HUFFMAN_QUANT16_NAME_V3)
    {
        if quant16 > 0 && v3.codecs[quant16 - 1].name() == "bytes" {
            v3.codecs.remove(quant16 - 1);
        }
    }
    Ok(v3)
}
