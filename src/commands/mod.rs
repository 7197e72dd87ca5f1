//! One module per subcommand.

mod chunk_file;
mod convert;
mod demo;
mod export;
mod info;
mod verify;

use std::process::ExitCode;

use crate::cli::Command;
use crate::failure::Result;

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Info { store, json } => info::run(&store, json),
        Command::Verify { store } => verify::run(&store),
        Command::Export { array, out, region } => export::run(&array, &out, region.as_deref()),
        Command::Convert {
            input,
            output,
            codec,
            offset,
            scale,
            level,
            zarr_format,
            chunks,
            shards,
        } => convert::run(&convert::Options {
            input,
            output,
            codec,
            offset,
            scale,
            level,
            zarr_format,
            chunks,
            shards,
        }),
        Command::Compress {
            input,
            output,
            codec,
            offset,
            scale,
        } => chunk_file::compress(&input, &output, codec, offset, scale),
        Command::Decompress {
            input,
            output,
            codec,
            dtype,
            shape,
            offset,
            scale,
        } => chunk_file::decompress(&chunk_file::DecompressOptions {
            input,
            output,
            codec,
            dtype,
            shape,
            offset,
            scale,
        }),
        Command::Demo {
            frames,
            size,
            out,
            seed,
        } => demo::run(frames, &size, out.as_deref(), seed),
    }
}
