//! Store locations given as URLs: `s3://BUCKET/KEY` (an S3-compatible object store, read and
//! written) and `http(s)://HOST[:PORT]/PATH` (a zarr store served over HTTP, read-only). Parsing
//! needs no network and no optional dependency, so a build without the `object-store` feature
//! still tells a URL from a path and says what it cannot do.

use std::path::Path;

/// A store location that is not a local path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreUrl {
    /// `s3://BUCKET/KEY`: `key` without leading or trailing `/` (empty for the bucket root).
    S3 { bucket: String, key: String },
    /// `http(s)://HOST[:PORT]/PATH`: `base` is `scheme://host[:port]`, `path` the key path
    /// below it without leading or trailing `/`.
    Http { base: String, path: String },
}

impl StoreUrl {
    /// Parses `text` as a store URL: `None` if it is not one (a local path); an error for a
    /// URL of ours that is malformed (no bucket, no host, `..` or empty segments).
    ///
    /// # Errors
    /// The text starts with `s3://`, `http://` or `https://` and is not a usable location.
    pub fn parse(text: &str) -> Result<Option<Self>, String> {
        let (scheme, rest) = match text.split_once("://") {
            Some((s, rest))
                if ["s3", "http", "https"].contains(&s.to_ascii_lowercase().as_str()) =>
            {
                (s.to_ascii_lowercase(), rest)
            }
            _ => return Ok(None),
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        if authority.is_empty() {
            let what = if scheme == "s3" { "bucket" } else { "host" };
            return Err(format!("{text}: no {what} after {scheme}://"));
        }
        if authority.contains(['?', '#', '@']) || path.contains(['?', '#']) {
            return Err(format!(
                "{text}: a store URL is {scheme}://{}/KEY, without credentials, query or fragment \
                 (credentials come from the AWS_* variables)",
                if scheme == "s3" {
                    "BUCKET"
                } else {
                    "HOST[:PORT]"
                }
            ));
        }
        let path = path.trim_matches('/');
        if path.split('/').any(|s| s == ".." || s == ".") || path.contains("//") {
            return Err(format!(
                "{text}: `.`, `..` and empty segments are not allowed in a store key"
            ));
        }
        Ok(Some(if scheme == "s3" {
            Self::S3 {
                bucket: authority.to_string(),
                key: path.to_string(),
            }
        } else {
            Self::Http {
                base: format!("{scheme}://{authority}"),
                path: path.to_string(),
            }
        }))
    }

    /// [`Self::parse`] of a command-line path (`None` for a local path, including one that is
    /// not valid UTF-8).
    ///
    /// # Errors
    /// As [`Self::parse`].
    pub fn of_path(path: &Path) -> Result<Option<Self>, String> {
        path.to_str().map_or(Ok(None), Self::parse)
    }

    /// The key path below the bucket or host (no leading or trailing `/`).
    pub fn key(&self) -> &str {
        match self {
            Self::S3 { key, .. } => key,
            Self::Http { path, .. } => path,
        }
    }

    /// The same location with another key path.
    #[must_use]
    pub fn with_key(&self, key: &str) -> Self {
        match self {
            Self::S3 { bucket, .. } => Self::S3 {
                bucket: bucket.clone(),
                key: key.to_string(),
            },
            Self::Http { base, .. } => Self::Http {
                base: base.clone(),
                path: key.to_string(),
            },
        }
    }

    /// Whether the store can be written (S3 yes, HTTP no).
    pub fn writable(&self) -> bool {
        matches!(self, Self::S3 { .. })
    }

    /// Whether the last segment names a PYME series (`NAME.pcs`): such an `http://` URL is a
    /// series on PYME's data servers, not a zarr store.
    pub fn is_pyme_series(&self) -> bool {
        matches!(self, Self::Http { path, .. } if path.rsplit('/').next().is_some_and(|n| n.ends_with(".pcs")))
    }
}

impl std::fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::S3 { bucket, key } if key.is_empty() => write!(f, "s3://{bucket}"),
            Self::S3 { bucket, key } => write!(f, "s3://{bucket}/{key}"),
            Self::Http { base, path } if path.is_empty() => write!(f, "{base}"),
            Self::Http { base, path } => write!(f, "{base}/{path}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(bucket: &str, key: &str) -> StoreUrl {
        StoreUrl::S3 {
            bucket: bucket.into(),
            key: key.into(),
        }
    }

    #[test]
    fn local_paths_are_not_urls() {
        for text in [
            "x.zarr",
            "/data/x.zarr",
            "./s3:/x",
            "file://x",
            "s3:x",
            "ftp://h/x",
        ] {
            assert_eq!(StoreUrl::parse(text), Ok(None), "{text}");
        }
    }

    #[test]
    fn s3_urls_split_into_bucket_and_key() {
        assert_eq!(
            StoreUrl::parse("s3://b/x.zarr"),
            Ok(Some(s3("b", "x.zarr")))
        );
        assert_eq!(
            StoreUrl::parse("S3://b/a/x.zarr/"),
            Ok(Some(s3("b", "a/x.zarr")))
        );
        assert_eq!(StoreUrl::parse("s3://b"), Ok(Some(s3("b", ""))));
        assert_eq!(s3("b", "a/x.zarr").to_string(), "s3://b/a/x.zarr");
        assert!(s3("b", "k").writable());
    }

    #[test]
    fn http_urls_keep_scheme_host_and_port() {
        let url = StoreUrl::parse("http://127.0.0.1:8000/d/x.zarr/images")
            .unwrap()
            .unwrap();
        assert_eq!(
            url,
            StoreUrl::Http {
                base: "http://127.0.0.1:8000".into(),
                path: "d/x.zarr/images".into()
            }
        );
        assert_eq!(url.to_string(), "http://127.0.0.1:8000/d/x.zarr/images");
        assert!(!url.writable() && !url.is_pyme_series());
        let series = StoreUrl::parse("http://h:8080/PYME/s/NAME.pcs")
            .unwrap()
            .unwrap();
        assert!(series.is_pyme_series());
        assert_eq!(url.with_key("d").key(), "d");
    }

    #[test]
    fn malformed_urls_are_errors_naming_the_url() {
        for text in [
            "s3:///x.zarr",
            "http:///x",
            "s3://b/a/../x",
            "s3://b/a//x",
            "s3://key:secret@b/x",
            "http://h/x?y=1",
        ] {
            let err = StoreUrl::parse(text).unwrap_err();
            assert!(err.starts_with(text), "{err}");
        }
    }
}
