//! One module per subcommand, and the few steps they share, each in one named module. No
//! subcommand imports from another.

// Subcommands on zarr stores.
mod convert;
mod export;
mod info;
mod verify;
// Subcommands on PYME sources (.pzf, series, .h5, series over HTTP), written against
// `FrameSource`.
mod source_convert;
mod source_export;
mod source_info;
mod source_verify;
// Subcommands on single chunk files, and the demo.
mod chunk_file;
mod demo;

// Shared steps: the one door to PYME sources; what both converts decide (the output codec and
// its JSON) and do around their chunk loops (claim, resume, finish); the store convert's
// chunk loops.
mod convert_chunks;
mod convert_plan;
mod pyme_input;
mod store_write;

use std::process::ExitCode;

use crate::cli::Command;
use crate::failure::Result;

pub fn run(command: Command) -> Result<ExitCode> {
    // A PYME source (a `.pzf` file, a series) is not a zarr store: it is opened as a
    // `FrameSource` and takes the `source_*` commands, written once against that trait.
    match command {
        Command::Info { store, json, node } => match pyme_input::open(&store, &node)? {
            Some(source) => source_info::run(source.as_ref(), json),
            None => info::run(&store, json),
        },
        Command::Verify {
            store,
            node,
            json,
            allow_incomplete,
        } => match pyme_input::open(&store, &node)? {
            Some(source) => source_verify::run(source.as_ref(), json, allow_incomplete),
            None if allow_incomplete => Err(crate::failure::Failure::usage(
                "--allow-incomplete is for a PYME series; a zarr store records its own \
                 completeness",
            )),
            None => verify::run(&store, json),
        },
        Command::Export {
            array,
            out,
            region,
            frames,
            level,
            out_flags,
            node,
            allow_incomplete,
        } => match pyme_input::open(&array, &node)? {
            Some(source) => {
                if let Some(level) = level {
                    return Err(crate::failure::Failure::usage(format!(
                        "--level {level} is for an OME-Zarr image; a PYME source has no \
                         pyramid (convert it with --ome --levels N first)"
                    )));
                }
                if region.is_some() {
                    return Err(crate::failure::Failure::usage(
                        "--region is for a zarr store; for a PYME series take frames with \
                         --frames A:B[:STEP] (or convert to zarr first)",
                    ));
                }
                let selection = pyme_input::selection(source.as_ref(), frames)?;
                source_export::run(
                    source.as_ref(),
                    &out,
                    selection,
                    &out_flags,
                    allow_incomplete,
                )
            }
            None => export::run(&array, &out, region.as_deref(), frames, level, &out_flags),
        },
        Command::Convert(args) if args.follow.follow => source_convert::follow::run(&args),
        Command::Convert(args) => match pyme_input::open(&args.input, &args.node)? {
            Some(source) => {
                let selection = pyme_input::selection(source.as_ref(), args.frames)?;
                source_convert::run(source.as_ref(), &args, selection)
            }
            None if args.ome.ome => Err(crate::failure::Failure::usage(
                "--ome is for a PYME source (.pzf file, series, .h5); a zarr store's arrays are \
                 converted as they are",
            )),
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
