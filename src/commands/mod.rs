//! One module per subcommand.

mod chunk_file;
mod convert;
mod convert_chunks;
mod convert_plan;
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
        Command::Verify { store, json } => verify::run(&store, json),
        Command::Export {
            array,
            out,
            region,
            force,
        } => export::run(&array, &out, region.as_deref(), force),
        Command::Convert(args) => convert::run(&args),
        Command::Compress {
            input,
            output,
            codec,
            quant,
            force,
        } => chunk_file::compress(&input, &output, codec, quant, force),
        Command::Decompress(args) => chunk_file::decompress(&args),
        Command::Demo {
            frames,
            size,
            out,
            seed,
            force,
        } => demo::run(frames, &size, out.as_deref(), seed, force),
    }
}
