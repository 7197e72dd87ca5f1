//! Byte counts as a person reads them, the same in every command that prints one.

/// `1234567` as `1.18 MiB (1234567 B)`.
pub fn human_bytes(bytes: u64) -> String {
    let short = short_bytes(bytes);
    if bytes < 1024 {
        short
    } else {
        format!("{short} ({bytes} B)")
    }
}

/// `1234567` as `1.18 MiB`.
pub fn short_bytes(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.2} {}", units[unit])
    }
}
