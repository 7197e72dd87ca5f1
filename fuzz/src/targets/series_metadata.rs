//! The series reader's parsers on any bytes: `metadata.json`, `events.json`, the dimensions
//! read from metadata, and frame file names.
//!
//! Input: `kind: u8`, then the text. `kind % 3`: 0 = metadata (then its dimensions), 1 =
//! events, 2 = a file name (`frame%05d.pzf`). Checks: no panic; an accepted file name has the
//! number it prints back to; accepted dimensions multiply without overflow (or say so).

use pymecompress_pyme::series::parse;

/// One input: see the module's documentation for its layout and what is checked.
pub fn run(data: &[u8]) {
    let Some((&kind, text)) = data.split_first() else {
        return;
    };
    match kind % 3 {
        0 => {
            if let Ok(metadata) = parse::metadata_json(text) {
                if let Ok(dims) = parse::dimensions(&metadata) {
                    assert!(dims.dim_order.starts_with("XY"));
                    let _ = dims.frame_count();
                }
            }
        }
        1 => {
            if let Ok(events) = parse::events_json(text) {
                assert!(events.len() <= text.len());
            }
        }
        _ => {
            let name = String::from_utf8_lossy(text);
            // A name with a directory part is judged by its last component.
            if let (Ok(Some(n)), false) = (parse::frame_number(&name), name.contains('/')) {
                assert_eq!(name, format!("frame{n:05}.pzf"));
            }
        }
    }
}
