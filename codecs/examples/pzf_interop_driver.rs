//! Our side of the live PZF cross-check (`tests/interop/pzf.sh`): reads and writes PZF files
//! named on the command line, with `.npy` files for the arrays.
//!
//! ```text
//! pzf_interop_driver decode IN.pzf OUT.npy
//!     writes the frame's array (shape (Width, Height, Depth), in its DimOrder), prints the
//!     header as JSON under PYME's names, or prints "error: ..." and exits 1
//! pzf_interop_driver encode IN.npy OUT.pzf COMPRESSION QUANTIZATION OFFSET SCALE SEQ FRAME TS [CHUNKS]
//!     writes the array as dumps would (DimOrder as dumps records it for the array)
//! pzf_interop_driver batch FILE
//!     runs one of the commands above per line of FILE (words separated by spaces) and prints
//!     one line per command: "ok <header json>" or "error: ..."
//! ```

use pymecompress_codecs::pzf::{
    self, Compression, DimOrder, PzfData, PzfSlice, PzfWriteOptions, Quantization,
};
use pymecompress_test_support::npy;
use std::path::Path;
use std::process::ExitCode;

type Result<T> = std::result::Result<T, String>;

fn write_npy(path: &str, data: &PzfData, shape: [usize; 3], order: DimOrder) -> Result<()> {
    let (descr, bytes): (&str, Vec<u8>) = match data {
        PzfData::U8(v) => ("|u1", v.clone()),
        PzfData::U16(v) => ("<u2", v.iter().flat_map(|x| x.to_le_bytes()).collect()),
        PzfData::F32(v) => ("<f4", v.iter().flat_map(|x| x.to_le_bytes()).collect()),
    };
    npy::write_in_order(Path::new(path), descr, &shape, &bytes, order == DimOrder::F)
}

fn decode(input: &str, output: &str) -> Result<String> {
    let bytes = std::fs::read(input).map_err(|e| format!("{input}: {e}"))?;
    let frame = pzf::decode(&bytes).map_err(|e| e.to_string())?;
    write_npy(output, &frame.data, frame.shape(), frame.order())?;
    serde_json::to_string(&frame.header).map_err(|e| e.to_string())
}

fn parse<T: std::str::FromStr>(what: &str, s: Option<&&str>) -> Result<T> {
    let s = s.ok_or_else(|| format!("missing {what}"))?;
    s.parse().map_err(|_| format!("{what}: cannot parse {s}"))
}

fn encode(args: &[&str]) -> Result<String> {
    let [input, output, ..] = args else {
        return Err("encode IN.npy OUT.pzf ...".into());
    };
    let npy = npy::read(Path::new(input))?;
    let shape = match npy.shape[..] {
        [w, h] => [w, h, 1],
        [w, h, d] => [w, h, d],
        _ => {
            return Err(format!(
                "{input}: {}-d arrays are not frames",
                npy.shape.len()
            ))
        }
    };
    let compression: u8 = parse("compression", args.get(2))?;
    let quantization: u8 = parse("quantization", args.get(3))?;
    let options = PzfWriteOptions {
        compression: Compression::try_from(compression).map_err(|e| e.to_string())?,
        quantization: Quantization::try_from(quantization).map_err(|e| e.to_string())?,
        quant_offset: parse("offset", args.get(4))?,
        quant_scale: parse("scale", args.get(5))?,
        sequence_id: parse("sequence id", args.get(6))?,
        frame_num: parse("frame number", args.get(7))?,
        frame_timestamp: parse("timestamp", args.get(8))?,
        chunks: args.get(9).map_or(Ok(2), |c| parse("chunks", Some(c)))?,
    };
    let u16s: Vec<u16>;
    let f32s: Vec<f32>;
    let data = match npy.descr.as_str() {
        "|u1" => PzfSlice::U8(&npy.memory_bytes),
        "<u2" => {
            u16s = npy
                .memory_bytes
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .collect();
            PzfSlice::U16(&u16s)
        }
        "<f4" => {
            f32s = npy
                .memory_bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            PzfSlice::F32(&f32s)
        }
        other => return Err(format!("{input}: dtype {other} is not u1, u2 or f4")),
    };
    // The npy's memory is in its own order; dumps codes that memory and records F for every
    // array numpy calls F-contiguous.
    let memory = if npy.fortran_order {
        DimOrder::F
    } else {
        DimOrder::C
    };
    let order = DimOrder::as_dumps_records(shape, memory);
    let bytes = pzf::encode(data, shape, order, &options).map_err(|e| e.to_string())?;
    std::fs::write(output, &bytes).map_err(|e| format!("{output}: {e}"))?;
    Ok(format!("{} bytes", bytes.len()))
}

fn run(words: &[&str]) -> Result<String> {
    match words {
        ["decode", input, output] => decode(input, output),
        ["encode", rest @ ..] => encode(rest),
        _ => Err(format!("unknown command {words:?}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    if let ["batch", file] = words[..] {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{file}: {e}");
                return ExitCode::FAILURE;
            }
        };
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let words: Vec<&str> = line.split_whitespace().collect();
            match run(&words) {
                Ok(s) => println!("ok {s}"),
                Err(e) => println!("error: {e}"),
            }
        }
        return ExitCode::SUCCESS;
    }
    match run(&words) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
