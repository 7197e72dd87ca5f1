//! Progress bars on stderr. indicatif draws nothing when stderr is not a terminal, so scripts
//! and tests see only the results.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar counting `len` items (chunks, frames).
pub fn items(len: u64, message: &'static str) -> ProgressBar {
    styled(
        len,
        message,
        "{msg:>13} [{bar:40.cyan/blue}] {pos}/{len} eta {eta}",
    )
}

/// A bar counting `len` bytes.
pub fn bytes(len: u64, message: &'static str) -> ProgressBar {
    styled(
        len,
        message,
        "{msg:>13} [{bar:40.cyan/blue}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
    )
}

fn styled(len: u64, message: &'static str, template: &str) -> ProgressBar {
    let style = ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    ProgressBar::new(len)
        .with_style(style)
        .with_message(message)
}
