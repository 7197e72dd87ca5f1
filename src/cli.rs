//! Command-line syntax.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Look into, check, export, convert and create pymecompress (python-microscopy) zarr data.
#[derive(Parser, Debug)]
#[command(name = "pymecompress", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Describe every array in a store: shape, dtype, chunks, codecs, sizes, ratio.
    Info {
        /// Store directory (or a group or array inside one), a `.pzf` file, or a PYME series
        /// directory (`NAME.pcs`).
        store: PathBuf,
        /// A copy of the series on another data server (repeatable): for a PYME cluster series
        /// (`NAME.pcs` directory) given as STORE.
        #[arg(long = "node", value_name = "DIR")]
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
        /// directory (`NAME.pcs`).
        store: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// A copy of the series on another data server (repeatable): for a PYME cluster series
        /// (`NAME.pcs` directory) given as STORE.
        #[arg(long = "node", value_name = "DIR")]
        node: Vec<PathBuf>,
    },
    /// Write an array (or a region of it) as .npy or raw little-endian .bin.
    Export {
        /// The array's directory: STORE/ARRAY, or a store holding a single array; or a `.pzf`
        /// file, or a PYME series directory (`NAME.pcs`), exported as a stack of frames.
        array: PathBuf,
        /// Output file; `.npy` gets numpy's format, anything else raw bytes.
        out: PathBuf,
        /// Region to take, numpy-style per axis: `0:10,5:20`, `-10:`, `:-1`, `5` (`:` or
        /// nothing = whole axis; a single index keeps its axis, of length 1; no steps).
        #[arg(long, allow_hyphen_values = true)]
        region: Option<String>,
        #[command(flatten)]
        out_flags: FileOutputArgs,
        /// A copy of the series on another data server (repeatable): for a PYME cluster series
        /// (`NAME.pcs` directory) given as ARRAY.
        #[arg(long = "node", value_name = "DIR")]
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
    /// Input store, `.pzf` file, or PYME series directory (`NAME.pcs`).
    pub input: PathBuf,
    /// Output store (refused if it exists, unless --force).
    pub output: PathBuf,
    /// Codec of the output arrays.
    #[arg(long, value_enum)]
    pub codec: ConvertCodec,
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
    /// A copy of the series on another data server (repeatable): for a PYME cluster series
    /// (`NAME.pcs` directory) given as INPUT.
    #[arg(long = "node", value_name = "DIR")]
    pub node: Vec<PathBuf>,
    /// Series: convert even if frames are missing or events.json is absent; missing frames
    /// become absent chunks (the fill value), listed in the attribute `pyme_missing_frames`.
    #[arg(long)]
    pub allow_incomplete: bool,
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
