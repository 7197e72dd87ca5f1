//! Command-line syntax.

use std::num::NonZeroU64;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use pymecompress_pyme::FrameSelection;

/// What `pymecompress --help` starts with (clap would show the crate's description, written
/// for the library).
const ABOUT: &str = "Read, check and convert microscopy data compressed with pymecompress \
    (python-microscopy, PYME): zarr stores with its quant16 and Huffman codecs, PYME tile \
    pyramids, .pzf frames and PYME series. Info, verify, export to .npy, convert to zarr (v2 or \
    v3, any codec), and compress or decompress single chunks.";

/// Look into, check, export, convert and create pymecompress (python-microscopy) zarr data.
#[derive(Parser, Debug)]
#[command(name = "pymecompress", version, about = ABOUT, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Describe every array in a store: shape, dtype, chunks, codecs, sizes, ratio.
    Info {
        /// Store directory (or a group or array inside one), a `.pzf` file, or a PYME series
        /// directory (`NAME.pcs`) or its URL (`http://HOST:PORT/PATH/NAME.pcs`).
        store: PathBuf,
        /// A copy of the series on another data server (repeatable): its directory, or its URL
        /// `http://HOST:PORT/PATH/NAME.pcs` when the series STORE is given as a URL.
        #[arg(long = "node", value_name = "DIR|URL")]
        node: Vec<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Decode every stored chunk; report each bad chunk by key. Exits 1 if any is bad.
    ///
    /// What this proves depends on the format. pymecompress chunks carry no checksum, so a
    /// chunk whose bytes changed but still decode (a flipped bit in the stream) passes: for those
    /// arrays verify checks decoding only. Arrays written with `convert --checksum` carry a
    /// crc32c checksum per chunk, and verify checks it too. The output says which, per array.
    ///
    /// A store pymecompress wrote records its chunks: a missing one is reported by key and the
    /// store is not called complete. A store written elsewhere has no record; a missing chunk
    /// there is legal zarr (it reads as the fill value), so verify reports the counts and says
    /// it cannot tell.
    Verify {
        /// Store directory (or a group or array inside one), a `.pzf` file, or a PYME series
        /// directory (`NAME.pcs`) or its URL (`http://HOST:PORT/PATH/NAME.pcs`).
        store: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// A copy of the series on another data server (repeatable): its directory, or its URL
        /// `http://HOST:PORT/PATH/NAME.pcs` when the series STORE is given as a URL.
        #[arg(long = "node", value_name = "DIR|URL")]
        node: Vec<PathBuf>,
        /// Series: exit 0 even if frames are missing or events.json is absent (they are still
        /// reported). Without it an incomplete series fails verification.
        #[arg(long)]
        allow_incomplete: bool,
    },
    /// Write an array (or a region of it) as .npy or raw little-endian .bin.
    Export {
        /// The array's directory: STORE/ARRAY, or a store holding a single array; or a `.pzf`
        /// file, or a PYME series directory (`NAME.pcs`) or URL, exported as a stack of frames.
        array: PathBuf,
        /// Output file; `.npy` gets numpy's format, anything else raw bytes.
        out: PathBuf,
        /// Region to take, numpy-style per axis: `0:10,5:20`, `-10:`, `:-1`, `5` (`:` or
        /// nothing = whole axis; a single index keeps its axis, of length 1; no steps).
        #[arg(long, allow_hyphen_values = true)]
        region: Option<String>,
        /// PYME series or `.pzf` input: the frames to take, numpy-style `START:STOP[:STEP]`
        /// (`100:`, `:-1`, `::10`; negative numbers count from the end). For a zarr store use
        /// --region.
        #[arg(long, allow_hyphen_values = true, value_parser = FrameRange::parse)]
        frames: Option<FrameRange>,
        /// OME-Zarr image (a group whose attributes hold an NGFF multiscales block): the
        /// pyramid level to take, 0 the full resolution (the default), 1 the first 2x2 mean, ...
        /// as the image's `datasets` list them.
        #[arg(long, value_name = "K")]
        level: Option<u32>,
        #[command(flatten)]
        out_flags: FileOutputArgs,
        /// A copy of the series on another data server (repeatable): its directory, or its URL
        /// `http://HOST:PORT/PATH/NAME.pcs` when the series ARRAY is given as a URL.
        #[arg(long = "node", value_name = "DIR|URL")]
        node: Vec<PathBuf>,
        /// Series: export even if frames are missing or events.json is absent; missing frames
        /// are written as zeros.
        #[arg(long)]
        allow_incomplete: bool,
    },
    /// Re-encode a store with another codec, keeping arrays, groups and attributes.
    Convert(ConvertArgs),
    /// Compress one .npy array into a framed chunk file (what a zarr chunk holds).
    Compress {
        /// Input .npy file (C order).
        input: PathBuf,
        /// Output chunk file.
        output: PathBuf,
        /// Codec: quant16 (uint16 only) or huffman (any dtype).
        #[arg(long, value_enum)]
        codec: ChunkCodec,
        #[command(flatten)]
        quant: QuantArgs,
        #[command(flatten)]
        out_flags: FileOutputArgs,
    },
    /// Decompress a framed chunk file into .npy. A chunk records neither dtype nor shape, so
    /// both come from flags.
    Decompress(DecompressArgs),
    /// Make a photon-counting movie, store it with quant16, read it back and report size,
    /// error and speed, next to zstd.
    Demo {
        /// Number of frames.
        #[arg(long, default_value_t = 100)]
        frames: usize,
        /// Frame size in pixels (square), or HEIGHTxWIDTH.
        #[arg(long, default_value = "1024")]
        size: String,
        /// Keep the stores in this directory (default: a temporary one, removed at exit).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Seed of the synthetic data.
        #[arg(long, default_value_t = 0x5eed_cafe)]
        seed: u64,
        /// Replace stores already in --out.
        #[arg(long)]
        force: bool,
        /// Discard the leftover of a killed run in --out (demo stores are made again, not
        /// resumed).
        #[arg(long)]
        restart: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvertCodec {
    /// pymecompress-quant16: square-root quantization + Huffman (uint16; lossy within photon noise).
    Quant16,
    /// pymecompress-huffman: lossless Huffman over bytes.
    Huffman,
    /// zstd (lossless), readable by every zarr implementation.
    Zstd,
    /// blosc with lz4 and byte shuffle (lossless).
    Blosc,
    /// No compression.
    None,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkCodec {
    /// pymecompress-quant16.
    Quant16,
    /// pymecompress-huffman.
    Huffman,
}

/// Arguments of `convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// Input store, `.pzf` file, or PYME series directory (`NAME.pcs`) or its http:// URL.
    pub input: PathBuf,
    /// Output store (refused if it exists, unless --force).
    pub output: PathBuf,
    /// Codec of the output arrays. Default: each array keeps its own (quant16 with its offset
    /// and scale, Huffman, zstd with its level, ...); a PYME series keeps its frames'
    /// compression.
    #[arg(long, value_enum)]
    pub codec: Option<ConvertCodec>,
    /// PYME series input: the frames to take, numpy-style `START:STOP[:STEP]` (`100:`, `:-1`,
    /// `::10`; negative numbers count from the end). Not for a zarr store.
    #[arg(long, allow_hyphen_values = true, value_parser = FrameRange::parse)]
    pub frames: Option<FrameRange>,
    #[command(flatten)]
    pub quant: ConvertQuantArgs,
    /// zstd: compression level, -131072..=22 (what zstd and the zarr zstd codec accept).
    #[arg(
        long,
        default_value_t = 3,
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(i32).range(-131_072..=22)
    )]
    pub level: i32,
    /// Zarr format of the output (default: that of each input array).
    #[arg(long, value_parser = clap::value_parser!(u8).range(2..=3))]
    pub zarr_format: Option<u8>,
    /// Chunk shape of the output, e.g. `1,512,512` (default: the input's).
    #[arg(long, value_delimiter = ',')]
    pub chunks: Option<Vec<u64>>,
    /// Shard shape (Zarr v3 only): chunks are grouped into shards of this shape.
    #[arg(long, value_delimiter = ',')]
    pub shards: Option<Vec<u64>>,
    /// Zarr v3 only: add a crc32c checksum to every chunk (zarr's `crc32c` codec after the
    /// compressor), so that `verify` detects changed bytes, not only chunks that fail to decode.
    #[arg(long)]
    pub checksum: bool,
    /// Replace OUTPUT if it exists (the old store is removed only once the new one is complete).
    #[arg(long)]
    pub force: bool,
    /// Continue the temporary an interrupted run left (`.OUTPUT.partial-PID`): its chunks are
    /// decoded to check them and kept, the rest written. Refused if it was started with other
    /// arguments.
    #[arg(long, conflicts_with = "restart")]
    pub resume: bool,
    /// Discard the temporary an interrupted run left, and start again.
    #[arg(long)]
    pub restart: bool,
    /// A copy of the series on another data server (repeatable): its directory, or its URL
    /// `http://HOST:PORT/PATH/NAME.pcs` when the series INPUT is given as a URL.
    #[arg(long = "node", value_name = "DIR|URL")]
    pub node: Vec<PathBuf>,
    /// Series: convert even if frames are missing or events.json is absent; missing frames
    /// become absent chunks (the fill value), listed in the attribute `pyme_missing_frames`.
    #[arg(long)]
    pub allow_incomplete: bool,
    #[command(flatten)]
    pub ome: OmeArgs,
    #[command(flatten)]
    pub follow: FollowArgs,
}

/// `convert --follow`: a PYME series still being acquired (docs/cli.md, "Live series").
#[derive(Args, Debug, Clone, Copy)]
pub struct FollowArgs {
    /// PYME series input: convert while it is being acquired. Its places are listed every
    /// --poll-interval seconds and frames written as they arrive; once events.json exists the
    /// rest is written and the store completed (exit 0).
    #[arg(long)]
    pub follow: bool,
    /// --follow: seconds between listings of the series.
    #[arg(long, requires = "follow", value_name = "SECS", default_value_t = 2.0, value_parser = parse_positive)]
    pub poll_interval: f64,
    /// --follow: give up (exit 1, the temporary kept for --resume --follow) when the series
    /// has not changed, or its servers have not answered, for this many seconds.
    #[arg(long, requires = "follow", value_name = "SECS", default_value_t = 600.0, value_parser = parse_positive)]
    pub follow_timeout: f64,
}

/// `convert --ome`: a PYME source as an OME-Zarr image (docs/format.md, "OME-Zarr images").
#[derive(Args, Debug, Clone, Copy)]
pub struct OmeArgs {
    /// PYME source input: write an OME-Zarr image (NGFF 0.4 on Zarr v2, 0.5 on Zarr v3): a
    /// group with the image at `0`, axes t[,c][,z],y,x with PYME's scales, frames as (y, x).
    #[arg(long)]
    pub ome: bool,
    /// --ome: pyramid levels, each the 2x2 mean of the one above (1: the image alone).
    #[arg(long, requires = "ome", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=32))]
    pub levels: u32,
    /// --ome: micrometres per pixel (y and x) where the metadata has no voxelsize.x/y.
    #[arg(long, requires = "ome", value_name = "UM", allow_negative_numbers = true, value_parser = parse_positive)]
    pub pixel_size: Option<f64>,
    /// --ome: seconds between frames where the metadata has no Camera.CycleTime.
    #[arg(long, requires = "ome", value_name = "S", allow_negative_numbers = true, value_parser = parse_positive)]
    pub frame_interval: Option<f64>,
}

fn parse_positive(text: &str) -> Result<f64, String> {
    parse_finite(text)
        .ok()
        .filter(|v| *v > 0.0)
        .ok_or_else(|| format!("'{text}' is not a positive number"))
}

/// The quant16 parameters of `convert`. A quant16 source brings its own; any other source needs
/// them given, since a made-up offset changes the data.
#[derive(Args, Debug, Clone, Copy)]
pub struct ConvertQuantArgs {
    /// quant16: camera offset (dark level) subtracted before the square root; `auto` reads PYME's
    /// `Camera.ADOffset` from the source's attributes. Default: the quant16 source's own.
    #[arg(long, allow_negative_numbers = true, value_parser = parse_offset)]
    pub offset: Option<Offset>,
    /// quant16: quantization step in square-root units (1 = photon-noise limited). Default: the
    /// quant16 source's own.
    #[arg(long, allow_negative_numbers = true, value_parser = parse_scale)]
    pub scale: Option<f64>,
    /// Allow --offset/--scale that differ from a quant16 source's: its already-quantized values
    /// are decoded and quantized a second time, which adds error.
    #[arg(long)]
    pub requantize: bool,
}

/// `--offset`: a number, or `auto` (from the source's metadata).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Offset {
    Value(f64),
    Auto,
}

fn parse_offset(text: &str) -> Result<Offset, String> {
    if text == "auto" {
        return Ok(Offset::Auto);
    }
    parse_finite(text).map(Offset::Value)
}

fn parse_finite(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("'{text}' is not a finite number"))
}

fn parse_scale(text: &str) -> Result<f64, String> {
    parse_finite(text)?;
    text.parse::<f64>()
        .ok()
        .filter(|v| *v > 0.0)
        .ok_or_else(|| format!("'{text}' is not positive: the scale is a quantization step"))
}

/// Arguments of `decompress`.
#[derive(Args, Debug)]
pub struct DecompressArgs {
    /// Input chunk file.
    pub input: PathBuf,
    /// Output .npy file.
    pub output: PathBuf,
    /// Codec the chunk was written with.
    #[arg(long, value_enum)]
    pub codec: ChunkCodec,
    /// Element type, numpy style: uint16, u2, <u2, float32, ...
    #[arg(long, default_value = "uint16")]
    pub dtype: String,
    /// Shape, e.g. `512,512`.
    #[arg(long, value_delimiter = ',', required = true)]
    pub shape: Vec<u64>,
    #[command(flatten)]
    pub quant: QuantArgs,
    #[command(flatten)]
    pub out_flags: FileOutputArgs,
}

/// What a command writing one file does when something is in its way.
#[derive(Args, Debug, Clone, Copy)]
pub struct FileOutputArgs {
    /// Replace the output file if it exists (only once the new one is complete).
    #[arg(long)]
    pub force: bool,
    /// Discard the temporary a killed run left (`.OUTPUT.partial-PID`, incomplete), and write
    /// the file again.
    #[arg(long)]
    pub restart: bool,
    /// For stores only: a partly written file is not continued, so this is refused (use
    /// --restart).
    #[arg(long, hide = true)]
    pub resume: bool,
}

/// The quant16 parameters of `compress`/`decompress`, as the codec's JSON configuration names
/// them; a chunk file records neither, so they are flags with the codec's own defaults.
#[derive(Args, Debug, Clone, Copy)]
pub struct QuantArgs {
    /// quant16: camera offset subtracted before the square root.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true, value_parser = parse_finite)]
    pub offset: f64,
    /// quant16: quantization step in square-root units (1 = photon-noise limited).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true, value_parser = parse_scale)]
    pub scale: f64,
}

/// `--frames START:STOP[:STEP]`: a numpy slice of a stack's frames, checked for syntax at the
/// command line and resolved against the stack's length by [`FrameRange::resolve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameRange {
    /// First frame; negative counts from the end; `None` = 0.
    pub start: Option<i64>,
    /// One past the last frame; negative counts from the end; `None` = the length.
    pub stop: Option<i64>,
    /// Take every STEP-th frame (no reversed steps: frames stay in acquisition order).
    pub step: NonZeroU64,
}

impl FrameRange {
    /// Parses `A:B`, `A:B:STEP`, `A:`, `:B`, `::STEP` (numbers may be negative).
    ///
    /// # Errors
    /// What is wrong with the text, for clap to print after the flag.
    pub fn parse(text: &str) -> Result<Self, String> {
        const FORM: &str = "frames are START:STOP or START:STOP:STEP, numpy-style (e.g. 0:100, \
                            -50:, ::10)";
        let number = |s: &str| -> Result<Option<i64>, String> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            s.parse::<i64>()
                .map(Some)
                .map_err(|_| format!("'{s}' is not an integer; {FORM}"))
        };
        let fields: Vec<&str> = text.split(':').collect();
        let (start, stop, step) = match fields.as_slice() {
            [a, b] => (number(a)?, number(b)?, None),
            [a, b, c] => (number(a)?, number(b)?, number(c)?),
            _ => return Err(format!("'{text}' is not a slice; {FORM}")),
        };
        let step = match step {
            None => NonZeroU64::MIN,
            Some(s) if s > 0 => NonZeroU64::new(s.unsigned_abs()).unwrap_or(NonZeroU64::MIN),
            Some(s) => {
                return Err(format!(
                    "step {s} is not positive: frames are taken in order (STEP at least 1)"
                ))
            }
        };
        Ok(Self { start, stop, step })
    }

    /// The frames this takes of a stack of `len` frames (the series crate's selection), as
    /// numpy's slicing gives them: a
    /// negative number counts from the end, and a start or stop past either end is clipped.
    ///
    /// # Errors
    /// A range that takes no frame (what it gives on `len` frames).
    pub fn resolve(&self, len: u64) -> Result<FrameSelection, String> {
        let n = i128::from(len);
        let at = |v: Option<i64>, default: i128| -> i128 {
            match v {
                None => default,
                Some(v) if v < 0 => (n + i128::from(v)).max(0),
                Some(v) => i128::from(v).min(n),
            }
        };
        let (start, stop) = (at(self.start, 0), at(self.stop, n));
        let step = i128::from(self.step.get());
        let count = if stop > start {
            (stop - start + step - 1) / step
        } else {
            0
        };
        if count == 0 {
            return Err(format!(
                "--frames {self} takes no frame of the {len} there are (it gives {start}:{stop})"
            ));
        }
        // start < stop <= len and count <= len: each fits in u64.
        Ok(FrameSelection {
            start: u64::try_from(start).unwrap_or(0),
            step: self.step.get(),
            len: u64::try_from(count).unwrap_or(0),
        })
    }
}

impl std::fmt::Display for FrameRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        write!(f, "{}:{}", show(self.start), show(self.stop))?;
        if self.step.get() != 1 {
            write!(f, ":{}", self.step)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(text: &str, len: u64) -> Result<(u64, u64, u64), String> {
        let r = FrameRange::parse(text)?.resolve(len)?;
        Ok((r.start, r.step, r.len))
    }

    #[test]
    fn frame_ranges_follow_numpy_slicing() {
        // (text, len) -> (start, step, count), each as numpy's range(len)[text] gives.
        assert_eq!(frames("0:10", 100), Ok((0, 1, 10)));
        assert_eq!(frames(":", 7), Ok((0, 1, 7)));
        assert_eq!(frames("5:", 7), Ok((5, 1, 2)));
        assert_eq!(frames(":-1", 7), Ok((0, 1, 6)));
        assert_eq!(frames("-3:", 7), Ok((4, 1, 3)));
        assert_eq!(frames("::3", 10), Ok((0, 3, 4)));
        assert_eq!(frames("1:8:3", 10), Ok((1, 3, 3)));
        assert_eq!(frames("-100:5", 10), Ok((0, 1, 5)));
        assert_eq!(frames("2:1000", 10), Ok((2, 1, 8)));
        assert_eq!(frames("::", 4), Ok((0, 1, 4)));
    }

    #[test]
    fn bad_frame_ranges_are_refused() {
        for bad in ["5", "a:b", "1:2:3:4", "::0", "::-1", "0:1.5", ""] {
            assert!(FrameRange::parse(bad).is_err(), "{bad}");
        }
        for (text, len) in [
            ("5:5", 10),
            ("8:2", 10),
            ("20:", 10),
            (":", 0),
            ("-1:-2", 10),
        ] {
            let error = FrameRange::parse(text).unwrap().resolve(len).unwrap_err();
            assert!(error.contains("takes no frame"), "{text}: {error}");
        }
        assert_eq!(FrameRange::parse("1:8:3").unwrap().to_string(), "1:8:3");
        assert_eq!(FrameRange::parse("-5:").unwrap().to_string(), "-5:");
    }
}
