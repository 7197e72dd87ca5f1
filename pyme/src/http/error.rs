//! [`HttpError`]: a file of a PYME data server that could not be fetched. Always compiled,
//! so that the error enums keep one shape with or without the `http` feature.

/// A PYME data server's file (or listing) that could not be fetched or is not what the server
/// should send: the URL names the server and the file, `what` what went wrong.
#[derive(Debug, thiserror::Error)]
#[error("{url}: {what}")]
pub struct HttpError {
    /// The URL asked for: the server and the file (a listing ends in `/`).
    pub url: String,
    /// What went wrong, e.g. `404 Not Found, though the server's listing has it`.
    pub what: String,
    /// The HTTP status the server answered, when it answered one other than 200.
    pub status: Option<u16>,
    /// The client's or parser's error, when there is one.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl HttpError {
    /// An error without an underlying one.
    pub(crate) fn new(url: &str, what: impl Into<String>) -> Self {
        Self {
            url: url.to_string(),
            what: what.into(),
            status: None,
            source: None,
        }
    }

    /// An error caused by `source`.
    #[cfg(feature = "http")]
    pub(crate) fn caused(
        url: &str,
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            url: url.to_string(),
            what: what.into(),
            status: None,
            source: Some(source.into()),
        }
    }

    /// The error for an answer with `status`.
    #[cfg(feature = "http")]
    pub(crate) fn status(url: &str, status: u16, what: impl Into<String>) -> Self {
        Self {
            status: Some(status),
            ..Self::new(url, what)
        }
    }
}
