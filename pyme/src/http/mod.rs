//! A PYME cluster series read from its data servers over HTTP, as PYME's own clients read it
//! (`PYME/IO/clusterIO.py`): `http://HOST:PORT/PATH/NAME.pcs` and the same series' directory
//! on each other server (`nodes`).
//!
//! Each server lists a directory as JSON (`GET .../NAME.pcs/` answers
//! `{"frame00000.pzf": [type, size], "sub/": [type, n]}`; a trailing `/` marks a directory,
//! the type bits are not trusted) and serves a file at `GET .../NAME.pcs/FILE`. The listings
//! are merged, and the JSON files and frames checked, by the same code as a series on disk
//! ([`crate::series`]); the result is a [`Series`] whose frame files are fetched on demand.
//! Opening reads the listings, the JSON files and the lowest-numbered frame's header; each
//! other frame file is fetched once, when read, several at once per server, each on a
//! connection of its own (see the client's module for why).
//!
//! Every request is bounded: timeouts, a few retries with backoff on connection errors and 5xx
//! answers ([`Options`]), and a size bound on every body whatever its Content-Length says. A
//! failure is an [`HttpError`] naming the URL (server and file): as a [`SourceError::Http`]
//! from [`crate::open_source`] and [`crate::FrameSource`]'s methods, as
//! [`crate::series::SeriesError::Http`] from [`Series`]'s own.
//!
//! Needs the `http` cargo feature (on by default); without it a URL is refused with an
//! [`HttpError`] saying so.
//!
//! ```no_run
//! use pymecompress_pyme::{http, FrameSource};
//!
//! let series = http::open_series(
//!     "http://10.0.0.1:15348/2024_1_1/scan_000.pcs",
//!     &["http://10.0.0.2:15348/2024_1_1/scan_000.pcs".to_string()],
//!     &http::Options::default(),
//! )?;
//! println!("{} frames, missing {:?}", series.present_count(), FrameSource::missing(&series));
//! # Ok::<(), pymecompress_pyme::SourceError>(())
//! ```

#[cfg(feature = "http")]
mod client;
mod error;
#[cfg(feature = "http")]
mod series;

use std::path::{Path, PathBuf};

pub use error::HttpError;

use crate::series::Series;
use crate::SourceError;

#[cfg(feature = "http")]
pub use client::Options;

/// Timeouts, retries and parallelism of the HTTP client (the `http` feature is off: no
/// request is made).
#[cfg(not(feature = "http"))]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {}

#[cfg(not(feature = "http"))]
impl Options {
    /// The defaults.
    #[must_use]
    pub fn from_env() -> Self {
        Self {}
    }
}

/// True for a path that is an `http://` or `https://` URL (as the command line passes one).
#[must_use]
pub fn is_url(path: &Path) -> bool {
    path.to_str().is_some_and(|s| scheme_len(s).is_some())
}

fn scheme_len(s: &str) -> Option<usize> {
    ["http://", "https://"].iter().find_map(|scheme| {
        s.get(..scheme.len())
            .filter(|head| head.eq_ignore_ascii_case(scheme))
            .map(|_| scheme.len())
    })
}

/// Opens the series at `url` (its directory on one data server) and its directories `nodes`
/// on the other servers.
///
/// # Errors
/// - [`SourceError::Http`] for a URL that is not `http://HOST[:PORT]/PATH`, and for any file
///   or listing that cannot be fetched or is not what a PYME data server sends (a 404 for a
///   listed file, a listing that is not JSON, a short body, no answer), naming the URL.
/// - [`SourceError::Series`] for what the series holds, as for a series on disk (no
///   metadata.json, a bad frame file, copies that differ, a node holding no part of it).
pub fn open_series(url: &str, nodes: &[String], options: &Options) -> Result<Series, SourceError> {
    let mut places = Vec::with_capacity(nodes.len() + 1);
    for place in std::iter::once(url).chain(nodes.iter().map(String::as_str)) {
        places.push(check_url(place)?);
    }
    #[cfg(feature = "http")]
    {
        series::open(&places, options.clone())
            .map_err(|e| crate::series::source_error(Path::new(url), e))
    }
    #[cfg(not(feature = "http"))]
    {
        let _ = options;
        Err(SourceError::Http(HttpError::new(
            url,
            "this build reads no series over HTTP (pymecompress-pyme's cargo feature `http` is \
             off)",
        )))
    }
}

/// Opens a series that may still be being acquired, at `url` and `nodes` (see
/// [`Series::open_live`]): `Ok(None)` while no server holds its `metadata.json`; a server
/// without the series' directory yet holds nothing. Follow it with [`Series::refresh`].
///
/// # Errors
/// As [`open_series`], except that a server without the directory is not one.
pub fn open_series_live(
    url: &str,
    nodes: &[String],
    options: &Options,
) -> Result<Option<Series>, SourceError> {
    let mut places = Vec::with_capacity(nodes.len() + 1);
    for place in std::iter::once(url).chain(nodes.iter().map(String::as_str)) {
        places.push(check_url(place)?);
    }
    #[cfg(feature = "http")]
    {
        series::open_live(&places, options.clone())
            .map_err(|e| crate::series::source_error(Path::new(url), e))
    }
    #[cfg(not(feature = "http"))]
    {
        let _ = options;
        Err(SourceError::Http(HttpError::new(
            url,
            "this build reads no series over HTTP (pymecompress-pyme's cargo feature `http` is \
             off)",
        )))
    }
}

/// [`open_series`] for paths as the command line gives them, with [`Options::from_env`].
pub(crate) fn open_path(path: &Path, nodes: &[PathBuf]) -> Result<Series, SourceError> {
    let url = path.to_string_lossy();
    let nodes: Vec<String> = nodes
        .iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    open_series(&url, &nodes, &Options::from_env())
}

/// `url` without a trailing `/`, if it is `http://HOST[:PORT]/PATH` as this client asks it.
fn check_url(url: &str) -> Result<String, SourceError> {
    let bad = |what: &str| Err(SourceError::Http(HttpError::new(url, what)));
    let Some(scheme) = scheme_len(url) else {
        return bad(
            "not an http:// URL (a series over HTTP takes the URL of its directory on each \
             data server, --node included)",
        );
    };
    if url[..scheme].eq_ignore_ascii_case("https://") {
        return bad("https is not supported: PYME's data servers speak plain HTTP (http://)");
    }
    let rest = url[scheme..].trim_end_matches('/');
    let Some((host, path)) = rest.split_once('/') else {
        return bad("no path: give the series' directory, http://HOST:PORT/PATH/NAME.pcs");
    };
    if host.is_empty() || path.is_empty() {
        return bad("expected http://HOST:PORT/PATH/NAME.pcs");
    }
    if url.contains(['?', '#']) || url.chars().any(char::is_whitespace) {
        return bad("a series URL has no query, fragment or spaces");
    }
    Ok(format!("http://{rest}"))
}
