//! Byte order of `uint16` values given or wanted as bytes: its own module, so that the
//! quantizer's tables (`quant.rs`) and the quant16 chunk (`quant16.rs`) both use it without
//! importing each other.

/// Byte order of `uint16` values given or wanted as bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    /// Little-endian (`<u2`), the order of every zarr store and PZF file PYME writes.
    Little,
    /// Big-endian (`>u2`).
    Big,
}

impl Endian {
    /// The byte order of this machine, that of a `&[u16]`'s memory.
    pub const NATIVE: Endian = if cfg!(target_endian = "little") {
        Endian::Little
    } else {
        Endian::Big
    };

    pub(crate) fn read(self, pair: [u8; 2]) -> u16 {
        match self {
            Endian::Little => u16::from_le_bytes(pair),
            Endian::Big => u16::from_be_bytes(pair),
        }
    }
}
