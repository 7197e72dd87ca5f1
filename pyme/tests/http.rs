//! A series over HTTP against a tiny in-test data server on 127.0.0.1 (a `TcpListener`
//! thread speaking just enough HTTP/1.1, keep-alive included): the fixture series served as
//! PYME's data servers serve it reads as on disk, and each network fault ends in a
//! `SourceError::Http` naming the server and file, within a bounded time. Opening fetches
//! one frame file (the lowest-numbered, for the series' layout); every other frame's header is
//! checked when the frame is read, with the errors opening gives on disk.
#![cfg(feature = "http")]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pymecompress_pyme::http::{self, Options};
use pymecompress_pyme::series::{Series, SeriesError};
use pymecompress_pyme::{open_source, FrameSource, SourceError};
use pymecompress_test_support::fixtures;

/// What the server answers for one path.
#[derive(Clone)]
enum Answer {
    Body(Vec<u8>),
    Status(u16),
    /// A Content-Length larger than the bytes sent, then the connection closed.
    Short {
        claimed: usize,
        body: Vec<u8>,
    },
    /// A Content-Length and nothing more, the connection held open.
    Stall {
        claimed: usize,
    },
    /// 503 for the first `n` asks, then the body.
    Busy {
        n: usize,
        body: Vec<u8>,
    },
}

/// What the server and its connection threads share.
#[derive(Default)]
struct State {
    answers: Mutex<BTreeMap<String, Answer>>,
    asked: Mutex<BTreeMap<String, usize>>,
    stopped: AtomicBool,
    /// Connections accepted (a client's `Connection: close` ends one after its answer).
    connections: AtomicUsize,
    /// Requests being answered now, and the most at once.
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    /// A wait before each answer, in milliseconds, so that parallel requests overlap.
    delay_ms: AtomicU64,
}

/// A data server on 127.0.0.1: path -> answer; stopped (refusing connections, dropping open
/// ones) on `stop` or drop.
struct Server {
    url: String,
    state: Arc<State>,
}

impl Server {
    fn start(answers: BTreeMap<String, Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State {
            answers: Mutex::new(answers),
            ..State::default()
        });
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            // Bounded: the test process ends, or `stopped` is set, within a test's time.
            while !shared.stopped.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        shared.connections.fetch_add(1, Ordering::SeqCst);
                        let state = Arc::clone(&shared);
                        std::thread::spawn(move || serve(stream, &state));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self { url, state }
    }

    /// A series directory `dir` served at `/scan_000.pcs/`, with PYME's listing.
    fn of_dir(dir: &Path) -> Self {
        let mut answers = BTreeMap::new();
        let mut listing = serde_json::Map::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).unwrap();
            listing.insert(name.clone(), serde_json::json!([0, bytes.len()]));
            answers.insert(format!("/scan_000.pcs/{name}"), Answer::Body(bytes));
        }
        // Directories are known by their trailing "/" alone, whatever the type bits say.
        listing.insert("LOGS/".into(), serde_json::json!([0, 0]));
        listing.insert("frame00999.pzf/".into(), serde_json::json!([0, 7]));
        let listing = serde_json::to_vec(&listing).unwrap();
        answers.insert("/scan_000.pcs/".into(), Answer::Body(listing));
        Self::start(answers)
    }

    fn series(&self) -> String {
        format!("{}/scan_000.pcs", self.url)
    }

    fn set(&self, path: &str, answer: Answer) {
        self.state
            .answers
            .lock()
            .unwrap()
            .insert(path.into(), answer);
    }

    fn asked(&self, path: &str) -> usize {
        let asked = self.state.asked.lock().unwrap();
        asked.get(path).copied().unwrap_or(0)
    }

    fn stop(&self) {
        self.state.stopped.store(true, Ordering::SeqCst);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(stream: TcpStream, state: &State) {
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    let mut request = String::new();
    while !state.stopped.load(Ordering::SeqCst) {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) => return,
            Ok(_) => request.push_str(&line),
            Err(_) => continue, // the read timeout: look at `stopped` again
        }
        if line != "\r\n" {
            continue;
        }
        let path = request.split(' ').nth(1).unwrap_or("").to_string();
        // As PYME's server (http.server) does: the answer is the connection's last.
        let close = request
            .lines()
            .any(|l| l.eq_ignore_ascii_case("connection: close"));
        request.clear();
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.most_in_flight.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(state.delay_ms.load(Ordering::SeqCst)));
        let keep = answer(&mut stream, state, path);
        state.in_flight.fetch_sub(1, Ordering::SeqCst);
        if !keep || close {
            return;
        }
    }
}

/// Answers one request for `path`; false when the connection is to be closed.
fn answer(stream: &mut TcpStream, state: &State, path: String) -> bool {
    let n = {
        let mut asked = state.asked.lock().unwrap();
        let n = asked.entry(path.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let answer = state.answers.lock().unwrap().get(&path).cloned();
    let head = |status: &str, len: usize| {
        format!("HTTP/1.1 {status}\r\nContent-Length: {len}\r\n\r\n").into_bytes()
    };
    let (bytes, keep) = match answer {
        None => (head("404 Not Found", 0), true),
        Some(Answer::Body(body)) => ([head("200 OK", body.len()), body].concat(), true),
        Some(Answer::Busy { n: busy, body }) if n > busy => {
            ([head("200 OK", body.len()), body].concat(), true)
        }
        Some(Answer::Busy { .. }) => (head("503 Service Unavailable", 0), true),
        Some(Answer::Status(code)) => (head(&format!("{code} Whatever"), 0), true),
        Some(Answer::Short { claimed, body }) => ([head("200 OK", claimed), body].concat(), false),
        Some(Answer::Stall { claimed }) => {
            let _ = stream.write_all(&head("200 OK", claimed));
            while !state.stopped.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
            return false;
        }
    };
    stream.write_all(&bytes).is_ok() && keep
}

fn complete() -> PathBuf {
    fixtures::path("pyme_series/data/complete")
}

/// Short timeouts and backoff, so that each fault ends in well under a second or two.
fn quick() -> Options {
    Options {
        connect_timeout: Duration::from_millis(500),
        read_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_secs(5),
        tries: 3,
        backoff: Duration::from_millis(10),
        per_server: 3,
    }
}

fn two_servers() -> (Server, Server) {
    (
        Server::of_dir(&complete().join("server0/scan_000.pcs")),
        Server::of_dir(&complete().join("server1/scan_000.pcs")),
    )
}

fn open(s0: &Server, s1: &Server) -> Result<Series, SourceError> {
    http::open_series(&s0.series(), &[s1.series()], &quick())
}

/// The HTTP error of a result, checked to name `url`.
fn http_error<T>(result: Result<T, SourceError>, url: &str) -> http::HttpError {
    match result {
        Err(SourceError::Http(e)) => {
            assert_eq!(e.url, url, "{e}");
            e
        }
        Err(other) => panic!("expected an HTTP error for {url}, got {other}"),
        Ok(_) => panic!("expected an HTTP error for {url}, got a success"),
    }
}

#[test]
fn a_series_over_http_reads_as_on_disk() {
    let (s0, s1) = two_servers();
    let remote = open(&s0, &s1).unwrap();
    let local = Series::open(
        complete().join("server0/scan_000.pcs"),
        &[complete().join("server1/scan_000.pcs")],
    )
    .unwrap();
    assert_eq!(remote.frame_count(), 120);
    assert!(remote.is_complete());
    assert_eq!(remote.metadata(), local.metadata());
    assert_eq!(remote.events(), local.events());
    assert_eq!(remote.final_metadata(), local.final_metadata());
    assert_eq!(
        FrameSource::locations(&remote),
        vec![s0.series(), s1.series()]
    );
    assert_eq!(remote.stored_bytes(), local.stored_bytes());
    for n in [0u64, 49, 50, 99, 119] {
        let a = FrameSource::read_frame(&remote, n).unwrap().unwrap();
        let b = FrameSource::read_frame(&local, n).unwrap().unwrap();
        assert_eq!(a.data, b.data, "frame {n}");
        assert_eq!(
            remote.payload(n).unwrap().unwrap().bytes,
            local.frame_bytes(n as u32).unwrap()
        );
    }
    // A frame never read is never fetched.
    assert_eq!(s1.asked("/scan_000.pcs/frame00060.pzf"), 0);
}

/// The frame files `server` was asked for, with how many times.
fn frames_asked(server: &Server) -> BTreeMap<String, usize> {
    let asked = server.state.asked.lock().unwrap();
    asked
        .iter()
        .filter(|(path, _)| path.contains("/frame"))
        .map(|(path, &n)| (path.clone(), n))
        .collect()
}

#[test]
fn opening_fetches_one_frame_file_and_reading_fetches_each_frame_once() {
    let (s0, s1) = two_servers();
    let series = open(&s0, &s1).unwrap();
    let first = "/scan_000.pcs/frame00000.pzf".to_string();
    assert_eq!(frames_asked(&s0), BTreeMap::from([(first.clone(), 1)]));
    assert_eq!(frames_asked(&s1), BTreeMap::new());
    // The lowest frame's header is read; the others' are not yet, and not pretended.
    assert_eq!(series.frame_header(0).map(|h| h.frame_num), Some(0));
    assert!(series.frame_header(1).is_none() && series.frame_header(60).is_none());
    assert_eq!(series.frame(60).map(|e| e.header), Some(None));
    assert!(series.check_uniform().is_ok());

    for n in 0..120 {
        assert!(FrameSource::payload(&series, n).unwrap().is_some(), "{n}");
    }
    let (on0, on1) = (frames_asked(&s0), frames_asked(&s1));
    assert_eq!((on0.len(), on1.len()), (70, 50));
    for (path, n) in on0.iter().chain(&on1) {
        let expected = if *path == first { 2 } else { 1 };
        assert_eq!(*n, expected, "{path}");
    }
}

/// `name` on `server` now serves `bytes`, and its listing gives it `size` (`[type, size]`).
fn serve_as(server: &Server, name: &str, bytes: Vec<u8>, size: serde_json::Value) {
    let listing_path = "/scan_000.pcs/";
    let Some(Answer::Body(listing)) = server
        .state
        .answers
        .lock()
        .unwrap()
        .get(listing_path)
        .cloned()
    else {
        panic!("no listing")
    };
    let mut listing: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&listing).unwrap();
    listing.insert(name.into(), serde_json::json!([0, size]));
    server.set(
        listing_path,
        Answer::Body(serde_json::to_vec(&listing).unwrap()),
    );
    server.set(&format!("/scan_000.pcs/{name}"), Answer::Body(bytes));
}

/// A frame file of the complete fixture.
fn fixture_frame(n: u32) -> Vec<u8> {
    let name = format!("frame{n:05}.pzf");
    ["server0", "server1"]
        .iter()
        .map(|s| complete().join(s).join("scan_000.pcs").join(&name))
        .find(|p| p.exists())
        .map(|p| std::fs::read(p).unwrap())
        .unwrap()
}

/// A PZF file PYME wrote, its header's FrameNum (bytes 16..20, little-endian) made `n`.
fn renumbered(fixture: &str, n: u32) -> Vec<u8> {
    let mut bytes = std::fs::read(fixtures::path(fixture)).unwrap();
    bytes[16..20].copy_from_slice(&n.to_le_bytes());
    bytes
}

/// The series error inside a source error.
fn series_error<T: std::fmt::Debug>(result: Result<T, SourceError>) -> SeriesError {
    match result {
        Err(SourceError::Series { source, .. }) => source,
        other => panic!("expected a series error, got {other:?}"),
    }
}

#[test]
fn a_frame_whose_header_is_another_frame_is_found_when_read() {
    let (s0, s1) = two_servers();
    let five = fixture_frame(5);
    let len = five.len();
    serve_as(&s0, "frame00007.pzf", five, len.into());
    let series = open(&s0, &s1).unwrap();
    let url = format!("{}/frame00007.pzf", s0.series());
    assert!(FrameSource::payload(&series, 6).unwrap().is_some());
    for e in [
        series_error(FrameSource::payload(&series, 7)),
        series_error(FrameSource::read_frame(&series, 7)),
    ] {
        match &e {
            SeriesError::FrameNumberMismatch {
                path,
                name_number: 7,
                header_number: 5,
            } => assert_eq!(path, Path::new(&url)),
            other => panic!("expected a FrameNum mismatch for frame 7, got {other}"),
        }
        assert!(e.to_string().contains("frame00007.pzf"), "{e}");
    }
    assert!(matches!(
        Series::read_frame(&series, 7),
        Err(SeriesError::FrameNumberMismatch { .. })
    ));
}

#[test]
fn the_lowest_frame_is_checked_on_opening() {
    let (s0, s1) = two_servers();
    let five = fixture_frame(5);
    let len = five.len();
    serve_as(&s0, "frame00000.pzf", five, len.into());
    match series_error(open(&s0, &s1).map(drop)) {
        SeriesError::FrameNumberMismatch {
            name_number: 0,
            header_number: 5,
            ..
        } => {}
        other => panic!("expected a FrameNum mismatch for frame 0, got {other}"),
    }
}

#[test]
fn a_frame_of_another_layout_is_found_when_read_naming_the_field() {
    let quantized = "pyme_series/data/quantized/server0/scan_002.pcs/frame00003.pzf";
    for (fixture, field) in [
        ("pzf/u16_huff_17x3.pzf", "shape"),
        ("pzf/u8_huff_C_2d.pzf", "data type"),
        (quantized, "quantization"),
    ] {
        let (s0, s1) = two_servers();
        let bytes = renumbered(fixture, 3);
        let len = bytes.len();
        serve_as(&s0, "frame00003.pzf", bytes, len.into());
        let series = open(&s0, &s1).unwrap();
        // Only the first frame's header is known on opening.
        assert!(FrameSource::layout(&series).is_ok(), "{fixture}");
        let url = format!("{}/frame00003.pzf", s0.series());
        let read = series_error(FrameSource::read_frame(&series, 3));
        let moved = series_error(FrameSource::payload(&series, 3));
        for e in [read, moved] {
            match &e {
                SeriesError::FramesDiffer {
                    frame: 3,
                    first_frame: 0,
                    path,
                    field: found_field,
                    expected,
                    found,
                } => {
                    assert_eq!(path, Path::new(&url), "{fixture}");
                    assert_eq!(*found_field, field, "{fixture}: {e}");
                    assert_ne!(expected, found, "{fixture}: {e}");
                }
                other => panic!("{fixture}: expected frames differing, got {other}"),
            }
        }
        // The frames around it still read.
        assert!(FrameSource::read_frame(&series, 4).unwrap().is_some());
    }
}

#[test]
fn a_frame_listed_without_a_size_is_indexed_from_its_header() {
    let (s0, s1) = two_servers();
    // PYME lists -1 for a file it is still writing (its aggregates).
    serve_as(&s0, "frame00010.pzf", fixture_frame(10), (-1).into());
    let series = open(&s0, &s1).unwrap();
    assert_eq!(s0.asked("/scan_000.pcs/frame00010.pzf"), 1);
    assert_eq!(series.frame_header(10).map(|h| h.frame_num), Some(10));
    assert_eq!(
        series.frame(10).map(|e| e.len),
        Some(fixture_frame(10).len() as u64)
    );
    assert!(FrameSource::read_frame(&series, 10).unwrap().is_some());

    // Its header is checked on opening, as every header was.
    serve_as(&s0, "frame00010.pzf", fixture_frame(5), (-1).into());
    assert!(matches!(
        series_error(open(&s0, &s1).map(drop)),
        SeriesError::FrameNumberMismatch {
            name_number: 10,
            header_number: 5,
            ..
        }
    ));
}

#[test]
fn a_listed_size_above_the_bound_is_refused_on_opening() {
    let (s0, s1) = two_servers();
    serve_as(
        &s0,
        "frame00010.pzf",
        fixture_frame(10),
        (1u64 << 40).into(),
    );
    let url = format!("{}/frame00010.pzf", s0.series());
    let e = http_error(open(&s0, &s1), &url);
    assert!(e.what.contains("above the bound"), "{e}");
    assert_eq!(s0.asked("/scan_000.pcs/frame00010.pzf"), 0);
}

#[test]
fn requests_overlap_up_to_the_bound_per_server_each_on_a_connection_of_its_own() {
    let (s0, s1) = two_servers();
    s0.state.delay_ms.store(20, Ordering::SeqCst);
    let series = open(&s0, &s1).unwrap();
    std::thread::scope(|scope| {
        for part in 0..6u64 {
            let series = &series;
            scope.spawn(move || {
                for n in (part * 20)..(part * 20 + 20) {
                    assert!(FrameSource::payload(series, n).unwrap().is_some());
                }
            });
        }
    });
    // quick() allows 3 at once per server; 70 frames and frame 0's header came from s0.
    let most = s0.state.most_in_flight.load(Ordering::SeqCst);
    assert!((2..=3).contains(&most), "{most} requests at once");
    // Kept-alive connections let PYME's server hold a frame's last segment 40 ms for the
    // client's delayed acknowledgement (pyme/src/http/client.rs): one connection a request.
    let requests: usize = s0.state.asked.lock().unwrap().values().sum();
    assert!(requests >= 72, "{requests} requests");
    let connections = s0.state.connections.load(Ordering::SeqCst);
    assert_eq!(connections, requests, "connections for {requests} requests");
}

#[test]
fn open_source_takes_a_url_and_its_nodes() {
    let (s0, s1) = two_servers();
    let source = open_source(Path::new(&s0.series()), &[PathBuf::from(s1.series())])
        .unwrap()
        .unwrap();
    assert_eq!(source.name(), s0.series());
    assert_eq!(source.present_count(), 120);
    assert!(source.missing().is_empty());
}

#[test]
fn a_listed_frame_the_server_does_not_serve_is_a_404_naming_it() {
    let (s0, s1) = two_servers();
    s1.set("/scan_000.pcs/frame00077.pzf", Answer::Status(404));
    let url = format!("{}/frame00077.pzf", s1.series());
    // Found when read: opening fetches no frame file but the first.
    let series = open(&s0, &s1).unwrap();
    assert!(FrameSource::read_frame(&series, 76).unwrap().is_some());
    let e = http_error(FrameSource::read_frame(&series, 77), &url);
    assert_eq!(e.status, Some(404));
    assert!(e.what.contains("listing has it"), "{e}");
    // The first frame's, on opening.
    s0.set("/scan_000.pcs/frame00000.pzf", Answer::Status(404));
    let url = format!("{}/frame00000.pzf", s0.series());
    let e = http_error(open(&s0, &s1), &url);
    assert!(e.what.contains("listing has it"), "{e}");
}

#[test]
fn a_listing_that_is_not_json_is_refused() {
    let (s0, s1) = two_servers();
    s1.set(
        "/scan_000.pcs/",
        Answer::Body(b"<html>hello</html>".to_vec()),
    );
    let e = http_error(open(&s0, &s1), &format!("{}/", s1.series()));
    assert!(e.what.contains("not JSON"), "{e}");
    s1.set("/scan_000.pcs/", Answer::Body(b"[1, 2]".to_vec()));
    let e = http_error(open(&s0, &s1), &format!("{}/", s1.series()));
    assert!(e.what.contains("not a JSON object"), "{e}");
}

#[test]
fn a_body_shorter_than_its_content_length_fails_after_the_retries() {
    let (s0, s1) = two_servers();
    let path = "/scan_000.pcs/metadata.json";
    let body = std::fs::read(complete().join("server0/scan_000.pcs/metadata.json")).unwrap();
    s0.set(
        path,
        Answer::Short {
            claimed: body.len() + 100,
            body: body.clone(),
        },
    );
    let e = http_error(open(&s0, &s1), &format!("{}{path}", s0.url));
    assert!(
        e.what.contains(&format!("of {} bytes", body.len() + 100)),
        "{e}"
    );
    assert!(e.what.contains("(3 tries)"), "{e}");
    assert_eq!(s0.asked(path), 3);
}

#[test]
fn a_server_that_stops_answering_times_out() {
    let (s0, s1) = two_servers();
    s1.set(
        "/scan_000.pcs/frame00050.pzf",
        Answer::Stall { claimed: 1107 },
    );
    let series = open(&s0, &s1).unwrap();
    let started = Instant::now();
    let e = http_error(
        FrameSource::payload(&series, 50),
        &format!("{}/frame00050.pzf", s1.series()),
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        e.what.contains("broke off") || e.what.contains("in time"),
        "{e}"
    );
}

#[test]
fn a_huge_content_length_is_refused_before_reading() {
    let (s0, s1) = two_servers();
    s0.set(
        "/scan_000.pcs/",
        Answer::Short {
            claimed: 1 << 40,
            body: b"{}".to_vec(),
        },
    );
    let e = http_error(open(&s0, &s1), &format!("{}/", s0.series()));
    assert!(e.what.contains("above the bound"), "{e}");
    assert_eq!(s0.asked("/scan_000.pcs/"), 1, "a bound is not retried");
}

#[test]
fn a_busy_server_is_retried_then_read() {
    let (s0, s1) = two_servers();
    let path = "/scan_000.pcs/events.json";
    let body = std::fs::read(complete().join("server0/scan_000.pcs/events.json")).unwrap();
    s0.set(path, Answer::Busy { n: 2, body });
    let series = open(&s0, &s1).unwrap();
    assert!(series.is_finished());
    assert_eq!(s0.asked(path), 3);
}

#[test]
fn a_server_gone_mid_read_fails_naming_it() {
    let (s0, s1) = two_servers();
    let series = open(&s0, &s1).unwrap();
    assert!(FrameSource::read_frame(&series, 60).unwrap().is_some());
    s1.stop();
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    let e = http_error(
        FrameSource::read_frame(&series, 60),
        &format!("{}/frame00060.pzf", s1.series()),
    );
    assert!(e.what.contains("3 tries"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The other server's frames still read.
    assert!(FrameSource::read_frame(&series, 10).unwrap().is_some());
}

#[test]
fn a_frame_that_changed_size_since_opening_is_refused() {
    let (s0, s1) = two_servers();
    let series = open(&s0, &s1).unwrap();
    let url = format!("{}/frame00003.pzf", s0.series());
    // Longer than listed: refused before it is read.
    let mut longer = fixture_frame(3);
    longer.extend_from_slice(&[0; 10]);
    s0.set("/scan_000.pcs/frame00003.pzf", Answer::Body(longer));
    let e = http_error(FrameSource::payload(&series, 3), &url);
    assert!(e.what.contains("above the bound"), "{e}");
    assert!(e.what.contains("when the series was opened"), "{e}");
    // Shorter: the listing may overstate a size (below), so the PZF reader finds it.
    s0.set("/scan_000.pcs/frame00003.pzf", Answer::Body(vec![0; 10]));
    match series_error(FrameSource::payload(&series, 3)) {
        SeriesError::Header { path, .. } => assert_eq!(path, Path::new(&url)),
        other => panic!("expected a header error for frame 3, got {other}"),
    }
    let mut cut = fixture_frame(3);
    cut.truncate(cut.len() - 10);
    s0.set("/scan_000.pcs/frame00003.pzf", Answer::Body(cut));
    match series_error(FrameSource::read_frame(&series, 3)) {
        SeriesError::Decode { path, .. } => assert_eq!(path, Path::new(&url)),
        other => panic!("expected a decoding error for frame 3, got {other}"),
    }
}

#[test]
fn sizes_a_listing_overstates_read_and_merge() {
    // PYME's data server lists a frame file written as its directory cache is refilled at
    // twice its size (its size on disk plus the bytes written; PYME/IO/clusterListing.py
    // `update_cache`), e.g. the first frame a server gets of a series.
    let (s0, s1) = two_servers();
    let fifty = fixture_frame(50);
    let twice = 2 * fifty.len();
    serve_as(&s1, "frame00050.pzf", fifty.clone(), twice.into());
    let three = fixture_frame(3);
    let twice3 = 2 * three.len();
    serve_as(&s0, "frame00003.pzf", three, twice3.into());
    // And the same bytes on the other server, listed at their size: one frame.
    serve_as(&s0, "frame00050.pzf", fifty.clone(), fifty.len().into());
    let series = open(&s0, &s1).unwrap();
    assert_eq!(series.frame_count(), 120);
    let local = Series::open(
        complete().join("server0/scan_000.pcs"),
        &[complete().join("server1/scan_000.pcs")],
    )
    .unwrap();
    for n in [3u64, 50] {
        assert_eq!(
            FrameSource::payload(&series, n).unwrap().unwrap().bytes,
            local.frame_bytes(n as u32).unwrap(),
            "{n}"
        );
    }
}

#[test]
fn a_frame_on_two_servers_with_different_bytes_is_a_duplicate() {
    let (s0, s1) = two_servers();
    let other = std::fs::read(complete().join("server1/scan_000.pcs/frame00050.pzf")).unwrap();
    let mut changed = other.clone();
    *changed.last_mut().unwrap() ^= 1;
    s0.set("/scan_000.pcs/frame00050.pzf", Answer::Body(changed));
    let mut listing: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&ureq_free_get(&format!("{}/", s0.series()))).unwrap();
    listing.insert("frame00050.pzf".into(), serde_json::json!([0, other.len()]));
    s0.set(
        "/scan_000.pcs/",
        Answer::Body(serde_json::to_vec(&listing).unwrap()),
    );
    match open(&s0, &s1) {
        Err(SourceError::Series {
            source: SeriesError::DuplicateFrame { frame: 50, .. },
            ..
        }) => {}
        other => panic!("expected a duplicate frame 50, got {other:?}"),
    }
}

#[test]
fn urls_the_client_does_not_ask_are_refused() {
    let none = Options::default();
    for (url, says) in [
        ("https://127.0.0.1:1/a.pcs", "plain HTTP"),
        ("http://127.0.0.1:1/", "no path"),
        ("http://127.0.0.1:1/a.pcs?x=1", "no query"),
    ] {
        let e = http_error(http::open_series(url, &[], &none), url);
        assert!(e.what.contains(says), "{url}: {e}");
    }
    let e = http_error(
        http::open_series("http://127.0.0.1:1/a.pcs", &["/data/a.pcs".into()], &none),
        "/data/a.pcs",
    );
    assert!(e.what.contains("not an http:// URL"), "{e}");
}

#[test]
fn nothing_listening_is_a_connection_error_after_the_retries() {
    let server = Server::start(BTreeMap::new());
    let url = server.series();
    server.stop();
    std::thread::sleep(Duration::from_millis(50));
    let e = http_error(http::open_series(&url, &[], &quick()), &format!("{url}/"));
    assert!(e.what.contains("(3 tries)"), "{e}");
}

/// One GET with the standard library alone (to read back what the test server lists).
fn ureq_free_get(url: &str) -> Vec<u8> {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut len = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.trim().parse().unwrap();
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; len];
    std::io::Read::read_exact(&mut reader, &mut body).unwrap();
    body
}

/// `server`'s listing of the series now holds `names` alone (each with its size), as while the
/// series is being written.
fn list_only(server: &Server, names: &[String]) {
    let mut listing = serde_json::Map::new();
    for name in names {
        let answers = server.state.answers.lock().unwrap();
        let Some(Answer::Body(body)) = answers.get(&format!("/scan_000.pcs/{name}")) else {
            panic!("{name} is not served")
        };
        listing.insert(name.clone(), serde_json::json!([0, body.len()]));
    }
    server.set(
        "/scan_000.pcs/",
        Answer::Body(serde_json::to_vec(&listing).unwrap()),
    );
}

#[test]
fn following_over_http_fetches_the_lowest_frame_alone() {
    let (s0, s1) = two_servers();
    let frames = |range: std::ops::Range<u32>| range.map(|n| format!("frame{n:05}.pzf"));
    list_only(&s0, &["metadata.json".to_string()]);
    list_only(&s1, &frames(50..100).collect::<Vec<_>>());
    let mut series = http::open_series_live(&s0.series(), &[s1.series()], &quick())
        .unwrap()
        .unwrap();
    // Frames 50..100 are taken on their second listing; frame 50 is the lowest yet.
    series.refresh().unwrap();
    assert_eq!(series.frame_count(), 50);
    assert_eq!(series.frame_header(50).map(|h| h.frame_num), Some(50));
    assert!(series.frame_header(51).is_none());
    let fifty = "/scan_000.pcs/frame00050.pzf".to_string();
    assert_eq!(frames_asked(&s1), BTreeMap::from([(fifty, 1)]));

    // Lower frames arrive: the new lowest one's header is read, no other.
    let mut on0 = vec!["metadata.json".to_string()];
    on0.extend(frames(0..50));
    list_only(&s0, &on0);
    series.refresh().unwrap();
    series.refresh().unwrap();
    assert_eq!(series.frame_count(), 100);
    assert_eq!(series.frame_header(0).map(|h| h.frame_num), Some(0));
    let zero = "/scan_000.pcs/frame00000.pzf".to_string();
    assert_eq!(frames_asked(&s0), BTreeMap::from([(zero, 1)]));
    assert_eq!(frames_asked(&s1).len(), 1);
    assert!(series.check_uniform().is_ok());
    // And a frame read is checked then, as on opening.
    assert!(FrameSource::payload(&series, 77).unwrap().is_some());
}
