//! What every frame of a source shares, from the PZF headers: data type, shape, quantization
//! (with its validated parameters) and element order. A source's pixels may also be of a type
//! PZF has no DataFormat for (`float64` in an `.h5` `/ImageData`): [`PixelType`].

use pymecompress_codecs::pzf::{DataFormat, DimOrder, PzfError, PzfHeader, Quantization};
use pymecompress_codecs::QuantParams;

/// A frame's square-root quantization: the header's f32 values as written, and the core's
/// [`QuantParams`] validated from them once (`PzfHeader::quant_params`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameQuant {
    /// QuantOffset, as stored.
    pub offset: f32,
    /// QuantScale, as stored.
    pub scale: f32,
    /// The same, checked (finite offset, finite scale above 0) and widened exactly.
    pub params: QuantParams,
}

/// The element type of a source's frames: PZF's three DataFormats, and `float64`, which PYME's
/// `HDFBackend` spools to `.h5` files but PZF cannot hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelType {
    /// One of PZF's DataFormats.
    Pzf(DataFormat),
    /// `float64` (an `.h5` `/ImageData` only).
    F64,
}

impl PixelType {
    /// Bytes per pixel.
    #[must_use]
    pub fn itemsize(self) -> usize {
        match self {
            Self::Pzf(f) => f.itemsize(),
            Self::F64 => 8,
        }
    }

    /// The name in numpy and Zarr v3 (`uint8`, `uint16`, `float32`, `float64`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Pzf(f) => f.name(),
            Self::F64 => "float64",
        }
    }

    /// The little-endian numpy type string (`|u1`, `<u2`, `<f4`, `<f8`).
    #[must_use]
    pub fn numpy_descr(self) -> &'static str {
        match self {
            Self::Pzf(f) => f.numpy_descr(),
            Self::F64 => "<f8",
        }
    }
}

/// The layout of a frame, from its header.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameLayout {
    /// DataFormat. For `float64` frames, which PZF cannot hold, `F32`: code that sizes or names
    /// pixels uses [`Self::pixel`], which is the truth for every source.
    pub data_format: DataFormat,
    /// The element type: `Pzf(data_format)`, or `F64`.
    pub pixel: PixelType,
    /// (Width, Height, Depth): PYME's axis order, Width slowest in C order. A viewer's rows
    /// are Height's axis: these are not (rows, columns).
    pub shape: [usize; 3],
    /// DataQuantization.
    pub quantization: Quantization,
    /// QuantOffset and QuantScale when quantized (`None` otherwise: `dumps` records zeros).
    pub quant: Option<FrameQuant>,
    /// The element order of the pixels; C for frames with at most one dimension longer than
    /// 1, whose C and F orders are the same sequence (`dumps` records F for those).
    pub order: DimOrder,
}

impl FrameLayout {
    /// The layout of one frame's header.
    ///
    /// # Errors
    /// [`PzfError::InvalidQuantParams`] for a quantized header whose offset or scale the
    /// quantizer refuses (`PzfHeader::parse` already refuses those: a header built by hand
    /// may not have been parsed).
    pub fn of(header: &PzfHeader) -> Result<Self, PzfError> {
        let shape = header.shape();
        let long_dims = shape.iter().filter(|&&d| d > 1).count();
        let quant = if header.quantization == Quantization::Sqrt {
            Some(FrameQuant {
                offset: header.quant_offset,
                scale: header.quant_scale,
                params: header.quant_params()?,
            })
        } else {
            None
        };
        Ok(Self {
            data_format: header.data_format,
            pixel: PixelType::Pzf(header.data_format),
            shape,
            quantization: header.quantization,
            quant,
            order: if long_dims <= 1 {
                DimOrder::C
            } else {
                header.dim_order
            },
        })
    }

    /// The layout of unquantized `float64` frames of `shape` (Width, Height, Depth) in C order,
    /// which no PZF header describes.
    #[must_use]
    pub fn float64(shape: [usize; 3]) -> Self {
        Self {
            data_format: DataFormat::F32,
            pixel: PixelType::F64,
            shape,
            quantization: Quantization::None,
            quant: None,
            order: DimOrder::C,
        }
    }

    /// Pixels per frame.
    #[must_use]
    pub fn pixels(&self) -> usize {
        self.shape.iter().product()
    }

    /// Bytes per decoded frame.
    #[must_use]
    pub fn frame_bytes(&self) -> usize {
        self.pixels() * self.pixel.itemsize()
    }
}
