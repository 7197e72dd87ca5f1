//! One module per subcommand.

mod chunk_file;
mod convert;
mod convert_chunks;
mod convert_plan;
mod demo;
mod export;
mod info;
mod pzf_input;
mod series_convert;
mod series_export;
mod store_write;
mod verify;

use std::process::ExitCode;

use crate::cli::Command;
use crate::failure::Result;

pub fn run(command: Command) -> Result<ExitCode> {
    // A `.pzf` file or a PYME series is not a zarr store: those inputs take their own path
    // (`pzf_input`, `series_export`, `series_convert`) before any store is opened.
    match command {
        Command::Info { store, json, node } => match pzf_input::classify(&store, &node)? {
            Some(input) => pzf_input::info(&input, json),
            None => info::run(&store, json),
        },
        Command::Verify { store, node, json } => match pzf_input::classify(&store, &node)? {
            Some(input) => pzf_input::verify(&input),
            None => verify::run(&store, json),
        },
        Command::Export {
            array,
            out,
            region,
            out_flags,
            node,
            allow_incomplete,
        } => match pzf_input::classify(&array, &node)? {
            Some(input) => series_export::run(
                &input,
                &out,
                region.as_deref(),
                &out_flags,
                allow_incomplete,
            ),
            None => export::run(&array, &out, region.as_deref(), &out_flags),
        },
        Command::Convert(args) => match pzf_input::classify(&args.input, &args.node)? {
            Some(input) => series_convert::run(&input, &args),
            None => convert::run(&args),
        },
        Command::Compress {
            input,
            output,
            codec,
            quant,
            out_flags,
        } => chunk_file::compress(&input, &output, codec, quant, &out_flags),
        Command::Decompress(args) => chunk_file::decompress(&args),
        Command::Demo {
            frames,
            size,
            out,
            seed,
            force,
            restart,
        } => demo::run(frames, &size, out.as_deref(), seed, force, restart),
    }
}
