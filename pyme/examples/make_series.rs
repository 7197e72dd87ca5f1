//! Writes a synthetic PYME series for timing: `make_series DIR FRAMES SIDE` makes
//! `DIR/metadata.json`, `DIR/frame%05d.pzf` (Huffman, uint16 Poisson(100)-like noise on a
//! camera offset of 100, SIDE x SIDE) and `DIR/events.json`, as PYME's spooler lays them out.

use std::path::Path;

use pymecompress_codecs::pzf::{self, Compression, DimOrder, PzfSlice, PzfWriteOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, frames, side] = &args[..] else {
        return Err("usage: make_series DIR FRAMES SIDE".into());
    };
    let (dir, frames, side): (&Path, u32, usize) = (Path::new(dir), frames.parse()?, side.parse()?);
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("metadata.json"),
        r#"{"Camera.ADOffset": 100.0, "SizeC": 1, "SizeT": -1, "SizeZ": 1}"#,
    )?;
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut pixels = vec![0u16; side * side];
    for n in 0..frames {
        for p in &mut pixels {
            // xorshift: a sum of 4 uniform bytes' high bits approximates shot noise around 100.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise: u16 = (0..4).map(|k| ((state >> (k * 8)) & 0x1f) as u16).sum();
            *p = 100 + 40 + noise;
        }
        let options = PzfWriteOptions {
            compression: Compression::Huffman,
            frame_num: n,
            ..Default::default()
        };
        let file = pzf::encode(
            PzfSlice::U16(&pixels),
            [side, side, 1],
            DimOrder::C,
            &options,
        )?;
        std::fs::write(dir.join(format!("frame{n:05}.pzf")), file)?;
    }
    std::fs::write(dir.join("events.json"), r#"[["StartAq", "0", 0.0]]"#)?;
    Ok(())
}
