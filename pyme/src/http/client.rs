//! The blocking HTTP client a series over HTTP reads through: one `ureq` agent, a connection
//! per request, at most [`Options::per_server`] requests in flight per data server, timeouts on
//! every phase, and a bounded retry with backoff on connection errors and 5xx answers. No body
//! is read past a caller's bound, whatever its Content-Length says.
//!
//! Why a connection per request (`Connection: close`): PYME's data server writes a file's
//! last, partial TCP segment after its full ones, and Nagle's algorithm holds that segment
//! until the client acknowledges the data before it, which a client delays by up to 40 ms.
//! On kept-alive connections a third of the frames of a 512x512 series waited those 40 ms
//! (Python's own client too); a server closing its connection sends everything at once. A
//! connection costs a round trip: on loopback, 500 frames took 0.75 s this way, 2.4 s kept
//! alive (docs/performance.md, `http_series_read`).

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use super::HttpError;

/// Timeouts, retries and parallelism of the HTTP client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Establishing a connection.
    pub connect_timeout: Duration,
    /// Each read from the connection (the answer's headers, each part of a body): a server
    /// that stops answering fails after this long.
    pub read_timeout: Duration,
    /// One whole request, body included.
    pub request_timeout: Duration,
    /// Attempts per request (at least 1): connection errors and 5xx answers are retried.
    pub tries: u32,
    /// The wait before the second attempt; doubled before each further one.
    pub backoff: Duration,
    /// Requests in flight at once to one data server (at least 1).
    pub per_server: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(300),
            tries: 3,
            backoff: Duration::from_millis(250),
            per_server: 4,
        }
    }
}

impl Options {
    /// The defaults, with `PYMECOMPRESS_HTTP_TIMEOUT` (seconds, e.g. `2.5`), when set to a
    /// positive number, as the connect and read timeouts.
    #[must_use]
    pub fn from_env() -> Self {
        let mut options = Self::default();
        let seconds = std::env::var("PYMECOMPRESS_HTTP_TIMEOUT")
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0 && *s < 86_400.0);
        if let Some(seconds) = seconds {
            options.connect_timeout = Duration::from_secs_f64(seconds);
            options.read_timeout = Duration::from_secs_f64(seconds);
        }
        options
    }
}

/// How one attempt failed: worth another try (the connection, the server's 5xx) or not.
pub(crate) enum Failure {
    Retry(HttpError),
    Final(HttpError),
}

/// The client: an agent whose idle connections are kept for reuse, and a count of requests in
/// flight per server.
#[derive(Debug)]
pub(crate) struct Client {
    agent: ureq::Agent,
    options: Options,
    in_flight: Mutex<HashMap<String, usize>>,
    freed: Condvar,
}

/// A request slot on one server, given back on drop.
struct Slot<'a> {
    client: &'a Client,
    server: String,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut in_flight = self
            .client
            .in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = in_flight.get_mut(&self.server) {
            *n = n.saturating_sub(1);
        }
        self.client.freed.notify_all();
    }
}

impl Client {
    pub(crate) fn new(options: Options) -> Self {
        let per_server = options.per_server.max(1);
        let config = ureq::Agent::config_builder()
            // Statuses are classified here: 404 is final, 5xx retried.
            .http_status_as_error(false)
            // PYME answers a directory without its "/" with a 301; the URLs asked for here
            // already end in one, and any other redirect is not a data server's.
            .max_redirects(0)
            // A loopback or LAN data server; never through a proxy from the environment.
            .proxy(None)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_per_read(Some(options.read_timeout))
            .timeout_per_call(Some(options.request_timeout))
            // Connections are not kept (see the module's comment): no pool.
            .max_idle_connections(0)
            .build();
        Self {
            agent: config.into(),
            options: Options {
                per_server,
                tries: options.tries.max(1),
                ..options
            },
            in_flight: Mutex::new(HashMap::new()),
            freed: Condvar::new(),
        }
    }

    pub(crate) fn options(&self) -> &Options {
        &self.options
    }

    /// Waits for a free slot on `url`'s server.
    fn slot(&self, url: &str) -> Slot<'_> {
        let server = server_of(url).to_string();
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let n = in_flight.entry(server.clone()).or_insert(0);
            if *n < self.options.per_server {
                *n += 1;
                break;
            }
            // Every holder's request ends within the request timeout; the timed wait only
            // guards against a missed wake-up.
            in_flight = self
                .freed
                .wait_timeout(in_flight, Duration::from_millis(500))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        Slot {
            client: self,
            server,
        }
    }

    /// The whole body of `url`, at most `limit` bytes.
    ///
    /// # Errors
    /// [`HttpError`] naming `url`: not found, a status other than 200, a Content-Length or
    /// body above `limit`, a body shorter than its Content-Length, no answer.
    pub(crate) fn get(&self, url: &str, limit: u64) -> Result<Vec<u8>, HttpError> {
        self.get_with(url, |reader, len| {
            if let Some(len) = len.filter(|&len| len > limit) {
                return Err(Failure::Final(HttpError::new(
                    url,
                    format!("its Content-Length {len} is above the bound of {limit} bytes"),
                )));
            }
            // Grown as bytes arrive, never sized by the Content-Length alone.
            let mut body = Vec::with_capacity(len.unwrap_or(0).min(1 << 20) as usize);
            read_body(url, reader.take(limit + 1), &mut body, len)?;
            if body.len() as u64 > limit {
                return Err(Failure::Final(HttpError::new(
                    url,
                    format!("its body is above the bound of {limit} bytes"),
                )));
            }
            Ok(body)
        })
    }

    /// Runs one request for `url`, retried as [`Options`] say; `read` takes the body of a 200
    /// answer and its Content-Length.
    pub(crate) fn get_with<T>(
        &self,
        url: &str,
        mut read: impl FnMut(&mut dyn Read, Option<u64>) -> Result<T, Failure>,
    ) -> Result<T, HttpError> {
        let _slot = self.slot(url);
        let mut wait = self.options.backoff;
        let mut tries = 0;
        loop {
            tries += 1;
            let failure = match self.attempt(url, &mut read) {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            match failure {
                Failure::Retry(_) if tries < self.options.tries => {
                    std::thread::sleep(wait);
                    wait = wait.saturating_mul(2);
                }
                Failure::Retry(mut e) => {
                    e.what = format!("{} ({tries} tries)", e.what);
                    return Err(e);
                }
                Failure::Final(e) => return Err(e),
            }
        }
    }

    fn attempt<T>(
        &self,
        url: &str,
        read: &mut impl FnMut(&mut dyn Read, Option<u64>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        // The server closes the connection after the answer, flushing its last segment.
        let request = self.agent.get(url).header("Connection", "close");
        let mut response = match request.call() {
            Ok(response) => response,
            Err(e) => return Err(call_failure(url, e)),
        };
        let status = response.status().as_u16();
        match status {
            200 => {}
            404 => {
                return Err(Failure::Final(HttpError::status(url, 404, "404 Not Found")));
            }
            500..=599 => {
                return Err(Failure::Retry(HttpError::status(
                    url,
                    status,
                    format!("the server answered {status}"),
                )));
            }
            _ => {
                return Err(Failure::Final(HttpError::status(
                    url,
                    status,
                    format!("the server answered {status}, not 200"),
                )));
            }
        }
        let len = response.body().content_length();
        let mut reader = response.body_mut().as_reader();
        read(&mut reader, len)
    }
}

/// Reads `reader` to its end into `body`; a body that ends early or breaks off is worth a
/// retry (the connection), said in bytes.
fn read_body(
    url: &str,
    mut reader: impl Read,
    body: &mut Vec<u8>,
    len: Option<u64>,
) -> Result<(), Failure> {
    let of = len.map(|n| format!(" of {n}")).unwrap_or_default();
    if let Err(e) = reader.read_to_end(body) {
        let what = format!("the body broke off after {}{of} bytes", body.len());
        return Err(Failure::Retry(HttpError::caused(url, what, e)));
    }
    match len {
        Some(n) if (body.len() as u64) < n => Err(Failure::Retry(HttpError::new(
            url,
            format!("the body ended after {} of {n} bytes", body.len()),
        ))),
        _ => Ok(()),
    }
}

/// A request that got no answer: the connection, a timeout, a broken answer are retried; a
/// URL the client cannot ask is not.
fn call_failure(url: &str, e: ureq::Error) -> Failure {
    let what = match &e {
        ureq::Error::BadUri(_) | ureq::Error::HostNotFound | ureq::Error::Http(_) => {
            return Failure::Final(HttpError::caused(url, "cannot be asked", e));
        }
        ureq::Error::Timeout(_) => "no answer in time",
        ureq::Error::Protocol(_) => "the answer is not HTTP",
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "the server refuses connections (is it running?)"
        }
        _ => "no answer",
    };
    Failure::Retry(HttpError::caused(url, what, e))
}

/// `scheme://host:port` of a URL, the unit requests are bounded by.
pub(crate) fn server_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}
