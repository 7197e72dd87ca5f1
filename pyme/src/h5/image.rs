//! Raw frames: `/ImageData`, an array (frames, X, Y) of uint8, uint16, float32 or float64, as
//! `HDFBackend` spools and `H5Exporter` writes it (zlib + shuffle, or no filters). Frame `i` is
//! `ImageData[i, :, :]`, what PYME's `HDFDataSource.getSlice(i)` returns.

use hdf5_reader::{Dataset, Datatype, Hdf5File, SliceInfo, SliceInfoElem};
use pymecompress_codecs::pzf::{
    Compression, DataFormat, DimOrder, PzfData, PzfFrame, PzfHeader, Quantization,
};

use super::tables::int_attribute;
use super::{Ctx, H5Error};
use crate::layout::PixelType as Pixel;
use crate::{FrameLayout, SourceError};

const OBJECT: &str = "/ImageData";

pub(super) struct ImageData {
    data: Dataset,
    pub pixel: Pixel,
    pub frames: u64,
    pub width: u32,
    pub height: u32,
    /// SizeZ × SizeT × SizeC from the dataset's attributes, when all are positive.
    pub expected: Option<u64>,
}

impl ImageData {
    pub fn open(ctx: &Ctx<'_>, file: &Hdf5File) -> Result<Self, SourceError> {
        let data = ctx.run(OBJECT, || file.dataset(OBJECT))?;
        let pixel = match data.dtype() {
            Datatype::FixedPoint {
                size: 1,
                signed: false,
                ..
            } => Pixel::Pzf(DataFormat::U8),
            Datatype::FixedPoint {
                size: 2,
                signed: false,
                ..
            } => Pixel::Pzf(DataFormat::U16),
            Datatype::FloatingPoint { size: 4, .. } => Pixel::Pzf(DataFormat::F32),
            Datatype::FloatingPoint { size: 8, .. } => Pixel::F64,
            other => {
                return Err(ctx.error(
                    OBJECT,
                    H5Error::Unsupported(format!(
                        "pixels of {other:?}: PYME writes uint8, uint16, float32 or float64"
                    )),
                ))
            }
        };
        let &[frames, x, y] = data.shape() else {
            return Err(ctx.invalid(
                OBJECT,
                format!("{} dimensions, not (frames, X, Y)", data.shape().len()),
            ));
        };
        // Empty frames would let any frame count pass the size check below, and frame
        // numbers are PZF's u32.
        let (Ok(width), Ok(height)) = (u32::try_from(x), u32::try_from(y)) else {
            return Err(ctx.invalid(OBJECT, format!("frames of {x} x {y} pixels")));
        };
        if width == 0 || height == 0 || frames > u64::from(u32::MAX) {
            return Err(ctx.invalid(OBJECT, format!("{frames} frames of {x} x {y} pixels")));
        }
        let item = pixel.itemsize() as u64;
        let frame_bytes =
            ctx.check_fits(OBJECT, "pixels per frame", x.saturating_mul(y), item, true)?;
        ctx.check_fits(OBJECT, "frames", frames, frame_bytes, true)?;
        let attributes = data.attributes();
        let size = |name| {
            int_attribute(&attributes, name)
                .and_then(|n| u64::try_from(n).ok())
                .filter(|&n| n > 0)
        };
        let expected = size("SizeZ")
            .zip(size("SizeT"))
            .zip(size("SizeC"))
            .and_then(|((z, t), c)| z.checked_mul(t)?.checked_mul(c));
        Ok(Self {
            data,
            pixel,
            frames,
            width,
            height,
            expected,
        })
    }

    /// The header a raw PZF file of frame `i` would have.
    pub fn header(&self, ctx: &Ctx<'_>, i: u64) -> Result<PzfHeader, SourceError> {
        let data_format =
            match self.pixel {
                Pixel::Pzf(f) => f,
                Pixel::F64 => return Err(ctx.error(
                    OBJECT,
                    H5Error::Unsupported(
                        "float64 frames have no PZF header (PZF has uint8, uint16 and float32): \
                         they are read as bytes, not as PZF frames"
                            .into(),
                    ),
                )),
            };
        let frame_num = u32::try_from(i)
            .map_err(|_| ctx.invalid(OBJECT, format!("frame {i}: beyond PZF's frame numbers")))?;
        Ok(PzfHeader {
            version: 3,
            data_format,
            compression: Compression::Raw,
            quantization: Quantization::None,
            dim_order: DimOrder::C,
            sequence_id: 0,
            frame_num,
            width: self.width,
            height: self.height,
            depth: 1,
            frame_timestamp: 0,
            quant_offset: 0.0,
            quant_scale: 0.0,
            data_offset: 64,
        })
    }

    /// The layout every frame shares (C order, unquantized).
    pub fn layout(&self, ctx: &Ctx<'_>) -> Result<FrameLayout, SourceError> {
        if self.frames == 0 {
            return Err(ctx.invalid(OBJECT, "holds no frame".into()));
        }
        match self.pixel {
            Pixel::F64 => Ok(FrameLayout::float64([
                self.width as usize,
                self.height as usize,
                1,
            ])),
            Pixel::Pzf(_) => FrameLayout::of(&self.header(ctx, 0)?)
                .map_err(|e| ctx.error(OBJECT, H5Error::Pzf(e))),
        }
    }

    /// Frame `i` (below `frames`) as little-endian bytes in C order, into `out` (one frame
    /// long): every pixel type, float64 included, without a PZF frame in between.
    pub fn read_into(&self, ctx: &Ctx<'_>, i: u64, out: &mut [u8]) -> Result<(), SourceError> {
        let object = format!("{OBJECT} frame {i}");
        let selection = self.selection(i);
        match self.pixel {
            Pixel::Pzf(DataFormat::U8) => put(
                ctx,
                &object,
                out,
                &self.read::<u8>(ctx, &object, &selection)?,
                |x| [x],
            ),
            Pixel::Pzf(DataFormat::U16) => put(
                ctx,
                &object,
                out,
                &self.read::<u16>(ctx, &object, &selection)?,
                u16::to_le_bytes,
            ),
            Pixel::Pzf(DataFormat::F32) => put(
                ctx,
                &object,
                out,
                &self.read::<f32>(ctx, &object, &selection)?,
                f32::to_le_bytes,
            ),
            Pixel::F64 => put(
                ctx,
                &object,
                out,
                &self.read::<f64>(ctx, &object, &selection)?,
                f64::to_le_bytes,
            ),
        }
    }

    /// Frame `i` as (frames, X, Y) indices.
    fn selection(&self, i: u64) -> SliceInfo {
        SliceInfo {
            selections: vec![
                SliceInfoElem::Index(i),
                SliceInfoElem::Slice {
                    start: 0,
                    end: u64::from(self.width),
                    step: 1,
                },
                SliceInfoElem::Slice {
                    start: 0,
                    end: u64::from(self.height),
                    step: 1,
                },
            ],
        }
    }

    /// Frame `i` (below `frames`) as a raw PZF frame in C order.
    pub fn read_frame(&self, ctx: &Ctx<'_>, i: u64) -> Result<PzfFrame, SourceError> {
        let header = self.header(ctx, i)?;
        let object = format!("{OBJECT} frame {i}");
        let selection = self.selection(i);
        let data = match header.data_format {
            DataFormat::U8 => PzfData::U8(self.read(ctx, &object, &selection)?),
            DataFormat::U16 => PzfData::U16(self.read(ctx, &object, &selection)?),
            DataFormat::F32 => PzfData::F32(self.read(ctx, &object, &selection)?),
        };
        Ok(PzfFrame { header, data })
    }

    fn read<T: hdf5_reader::H5Type + Copy>(
        &self,
        ctx: &Ctx<'_>,
        object: &str,
        selection: &SliceInfo,
    ) -> Result<Vec<T>, SourceError> {
        let array = ctx.run(object, || self.data.read_slice::<T>(selection))?;
        let pixels = self.width as usize * self.height as usize;
        if array.len() != pixels {
            return Err(ctx.invalid(object, format!("read {} pixels, not {pixels}", array.len())));
        }
        // Logical (C) order whatever the array's memory layout.
        Ok(match array.as_slice() {
            Some(c_order) => c_order.to_vec(),
            None => array.iter().copied().collect(),
        })
    }
}

/// Writes `pixels` into `out` as little-endian bytes; `out` must be exactly their length.
fn put<T: Copy, const N: usize>(
    ctx: &Ctx<'_>,
    object: &str,
    out: &mut [u8],
    pixels: &[T],
    le: impl Fn(T) -> [u8; N],
) -> Result<(), SourceError> {
    if out.len() != pixels.len() * N {
        return Err(ctx.invalid(
            object,
            format!(
                "{} bytes of pixels for a buffer of {} bytes",
                pixels.len() * N,
                out.len()
            ),
        ));
    }
    for (dst, &x) in out.chunks_exact_mut(N).zip(pixels) {
        dst.copy_from_slice(&le(x));
    }
    Ok(())
}
