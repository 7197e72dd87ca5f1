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
        /// Store directory (or a group or array inside one).
        store: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Decode every chunk; report each bad chunk by key. Exits 1 if any is bad.
    Verify {
        /// Store directory (or a group or array inside one).
        store: PathBuf,
    },
    /// Write an array (or a region of it) as .npy or raw little-endian .bin.
    Export {
        /// The array's directory: STORE/ARRAY, or a store holding a single array.
        array: PathBuf,
        /// Output file; `.npy` gets numpy's format, anything else raw bytes.
        out: PathBuf,
        /// Region to take, numpy-style per axis: `0:10,5:20` (`:` or nothing = whole axis).
        #[arg(long)]
        region: Option<String>,
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
    /// Input store.
    pub input: PathBuf,
    /// Output store (must not exist yet).
    pub output: PathBuf,
    /// Codec of the output arrays.
    #[arg(long, value_enum)]
    pub codec: ConvertCodec,
    #[command(flatten)]
    pub quant: QuantArgs,
    /// zstd: compression level.
    #[arg(long, default_value_t = 3)]
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
}

/// The quant16 parameters, as the codec's JSON configuration names them.
#[derive(Args, Debug, Clone, Copy)]
pub struct QuantArgs {
    /// quant16: camera offset subtracted before the square root.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub offset: f64,
    /// quant16: quantization step in square-root units (1 = photon-noise limited).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub scale: f64,
}
