//! Opening a series over HTTP: each server's listing of the series' directory, its JSON files
//! and a frame index built from the listings (each frame file's name gives its number, the
//! listing its size), merged by the series module's own code as it merges directories on disk.
//!
//! Only the lowest-numbered frame's header is fetched on opening (the series' layout and
//! compression, for `info`), and the header of a frame file listed without a size. Every other
//! frame file is fetched once, when it is read, and its header checked then
//! ([`Series::check_read_header`]): fetching each file's header on opening cost a second
//! crossing of the network per frame (PYME's data server has no Range requests).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use pymecompress_codecs::pzf::{PzfError, PzfHeader};
use serde_json::Value;

use super::client::{Client, Failure};
use super::{HttpError, Options};
use crate::series::index::{self, FrameEntry};
use crate::series::metadata::{self, Copies, SeriesJson};
use crate::series::{check_copy, FrameFiles, Listing, Series, SeriesError};

/// The most a directory listing may be: PYME lists `{"frame00000.pzf": [0, 1097], ...}`,
/// some 30 bytes a frame, so this is over two million frames.
const MAX_LISTING_BYTES: u64 = 64 << 20;
/// The most a JSON file of the series may be (PYME's are kilobytes).
const MAX_JSON_BYTES: u64 = 16 << 20;
/// The most a frame file may be: a 16384 x 16384 x 2 bytes frame stored raw is 512 MiB.
const MAX_FRAME_BYTES: u64 = 1 << 30;
/// The most read of a frame file to find its header (its DataOffset may lie past byte 64).
const MAX_HEADER_BYTES: u64 = 1 << 20;

/// Frame files fetched from their data servers.
#[derive(Debug)]
struct HttpFiles {
    client: Arc<Client>,
}

impl FrameFiles for HttpFiles {
    /// PYME's data server answers a directory listing from a cache kept for 1 s
    /// (`_dirCacheTimeout` in `PYME/cluster/HTTPDataServer.py`).
    fn listing_lag(&self) -> std::time::Duration {
        std::time::Duration::from_millis(1200)
    }

    fn concurrent_reads(&self, places: usize) -> usize {
        self.client.options().per_server.max(1) * places.max(1)
    }

    fn read(&self, entry: &FrameEntry) -> Result<Vec<u8>, SeriesError> {
        let url = entry.path.to_string_lossy();
        // The listed size bounds the body (a file grown since opening is refused before it is
        // read) but is not its length: PYME's listing may overstate it (`FrameEntry::len`). A
        // body shorter than its Content-Length is the client's error; a file cut short or
        // replaced is the PZF reader's and the header check's.
        self.client.get(&url, entry.len).map_err(|e| {
            let mut e = listed(e);
            if let SeriesError::Http(e) = &mut e {
                if e.what.contains("above the bound") {
                    e.what = format!(
                        "{}: the server listed it at {} bytes when the series was opened",
                        e.what, entry.len
                    );
                }
            }
            e
        })
    }

    fn relist(&self, dirs: &[PathBuf]) -> Result<Listing, SeriesError> {
        let places: Vec<String> = dirs
            .iter()
            .map(|d| d.to_string_lossy().into_owned())
            .collect();
        let mut listings = Vec::with_capacity(places.len());
        let mut frames = Vec::new();
        for place in &places {
            let entries = match list_sized(&self.client, place) {
                Ok(entries) => entries,
                // The series' directory on a server that has no frame of it yet.
                Err(SeriesError::Http(e)) if e.status == Some(404) => Vec::new(),
                Err(e) => return Err(e),
            };
            for (name, size) in entries.iter().filter(|(n, _)| !n.ends_with('/')) {
                let url = format!("{place}/{name}");
                if let Some(number) = index::frame_number_of(Path::new(&url))? {
                    // A size not listed (PYME always lists one for a frame file) is taken as
                    // settled once listed twice; its header is fetched when indexed.
                    frames.push((number, PathBuf::from(url), *size));
                }
            }
            listings.push(entries.into_iter().map(|(name, _)| name).collect());
        }
        let json = json_files(&self.client, &places, &listings);
        Ok(Listing { frames, json })
    }

    fn index_new(
        &self,
        new: Vec<(u32, PathBuf, Option<u64>)>,
        frames: &mut BTreeMap<u32, FrameEntry>,
    ) -> Result<(), SeriesError> {
        // Grouped by place, so that each server gets its own bounded set of requests.
        let mut places: Vec<String> = Vec::new();
        let mut files: Vec<Vec<FrameFile>> = Vec::new();
        for (number, path, size) in new {
            let url = path.to_string_lossy().into_owned();
            let Some((place, _)) = url.rsplit_once('/') else {
                continue;
            };
            let i = match places.iter().position(|p| p == place) {
                Some(i) => i,
                None => {
                    places.push(place.to_string());
                    files.push(Vec::new());
                    places.len() - 1
                }
            };
            files[i].push(FrameFile { url, number, size });
        }
        index_files(&self.client, &files, frames)
    }
}

/// The series' JSON files from the places whose listings (sorted names) hold them.
fn json_files(
    client: &Client,
    places: &[String],
    listings: &[Vec<String>],
) -> Result<SeriesJson, SeriesError> {
    let dirs: Vec<PathBuf> = places.iter().map(PathBuf::from).collect();
    metadata::series_json(&dirs, |name| {
        let mut copies = Copies::new();
        for (place, names) in places.iter().zip(listings) {
            if names.binary_search_by(|n| n.as_str().cmp(name)).is_ok() {
                let url = format!("{place}/{name}");
                let text = client.get(&url, MAX_JSON_BYTES).map_err(listed)?;
                copies.push((PathBuf::from(url), text));
            }
        }
        Ok(copies)
    })
}

/// Opens a series that may still be being acquired (see [`Series::open_live`]): `Ok(None)`
/// while no server holds its `metadata.json`; a server without the series' directory yet
/// holds nothing.
pub(super) fn open_live(
    places: &[String],
    options: Options,
) -> Result<Option<Series>, SeriesError> {
    let client = Arc::new(Client::new(options));
    let dirs: Vec<PathBuf> = places.iter().map(PathBuf::from).collect();
    Series::open_live_with(dirs, Arc::new(HttpFiles { client }))
}

/// Opens the series whose directory is `places[0]` (URLs without a trailing `/`), with its
/// copies on the other servers `places[1..]`.
pub(super) fn open(places: &[String], options: Options) -> Result<Series, SeriesError> {
    let client = Arc::new(Client::new(options));
    let mut listings = Vec::with_capacity(places.len());
    let mut files = Vec::with_capacity(places.len());
    for (i, place) in places.iter().enumerate() {
        let entries = list_sized(&client, place)?;
        let names: Vec<String> = entries.iter().map(|(name, _)| name.clone()).collect();
        if i > 0 {
            check_copy(Path::new(place), names.clone())?;
        }
        files.push(frame_files(place, entries)?);
        listings.push(names);
    }
    let dirs: Vec<PathBuf> = places.iter().map(PathBuf::from).collect();
    let json = json_files(&client, places, &listings)?;
    let mut frames = BTreeMap::new();
    index_files(&client, &files, &mut frames)?;
    Series::from_parts(dirs, json, frames, Arc::new(HttpFiles { client }))
}

/// The frame files of a place's listing, in its (sorted) order.
///
/// # Errors
/// [`SeriesError::UnexpectedFrameFile`] for a `.pzf` file not named `frame%05d.pzf`.
fn frame_files(
    place: &str,
    entries: Vec<(String, Option<u64>)>,
) -> Result<Vec<FrameFile>, SeriesError> {
    let mut files = Vec::new();
    for (name, size) in entries.into_iter().filter(|(n, _)| !n.ends_with('/')) {
        let url = format!("{place}/{name}");
        if let Some(number) = index::frame_number_of(Path::new(&url))? {
            files.push(FrameFile { url, number, size });
        }
    }
    Ok(files)
}

/// The names in the server's listing of `place`, sorted, each with the size it is listed with
/// (`[type, size]`) where that is a number (not PYME's -1 for a file being written); a
/// directory's name ends in `/` (PYME's type bits are not trusted), and is never fetched.
fn list_sized(client: &Client, place: &str) -> Result<Vec<(String, Option<u64>)>, SeriesError> {
    let url = format!("{place}/");
    let body = client.get(&url, MAX_LISTING_BYTES).map_err(|mut e| {
        if e.status == Some(404) {
            e.what = "404 Not Found: the server has no such directory".into();
        }
        SeriesError::Http(e)
    })?;
    let listing = |what: String| SeriesError::Http(HttpError::new(&url, what));
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        SeriesError::Http(HttpError::caused(
            &url,
            "the listing is not JSON (is this a PYME data server?)",
            e,
        ))
    })?;
    let Value::Object(entries) = value else {
        return Err(listing(
            "the listing is not a JSON object of entries".into(),
        ));
    };
    let mut names = Vec::new();
    for (name, info) in entries {
        // A file name is fetched as `place/name`: nothing in it may lead elsewhere.
        let file = name.strip_suffix('/').unwrap_or(&name);
        if file.is_empty() || file.contains(['/', '\\', '?', '#']) || file == ".." {
            return Err(listing(format!(
                "the listing names {name:?}, not a file name"
            )));
        }
        let size = info.get(1).and_then(Value::as_u64);
        names.push((name, size));
    }
    names.sort();
    Ok(names)
}

/// A listed file the server then does not serve is said as such.
fn listed(mut e: HttpError) -> SeriesError {
    if e.status == Some(404) {
        e.what = "404 Not Found, though the server's listing has it".into();
    }
    SeriesError::Http(e)
}

/// One frame file to index: its URL, the number its name gives, its size as listed.
struct FrameFile {
    url: String,
    number: u32,
    size: Option<u64>,
}

/// Indexes the frame files `files` (one list per place) into `frames` by the numbers their
/// names give, merging as on disk. Headers are fetched, in parallel ([`Options::per_server`] at
/// once per server), only where needed: the new lowest-numbered frame's when it is below every
/// frame of `frames` (the series' layout), and that of each file listed without a size (its
/// length is then the Content-Length). Every other file's header is checked when it is read.
///
/// # Errors
/// A listed size above [`MAX_FRAME_BYTES`]; a header that cannot be fetched or is not valid;
/// [`index::add_frame`]'s errors.
fn index_files(
    client: &Client,
    files: &[Vec<FrameFile>],
    frames: &mut BTreeMap<u32, FrameEntry>,
) -> Result<(), SeriesError> {
    for file in files.iter().flatten() {
        if let Some(size) = file.size.filter(|&size| size > MAX_FRAME_BYTES) {
            return Err(SeriesError::Http(HttpError::new(
                &file.url,
                format!(
                    "the server's listing gives it {size} bytes, above the bound of \
                     {MAX_FRAME_BYTES} bytes for a frame file"
                ),
            )));
        }
    }
    let lowest_new = files.iter().flatten().map(|f| f.number).min();
    let first = lowest_new.filter(|&n| frames.keys().next().is_none_or(|&known| n < known));
    // The first copy (in the order of places) of the new first frame, and every unsized file.
    let mut first_taken = false;
    let wanted: Vec<Vec<usize>> = files
        .iter()
        .map(|place_files| {
            let mut wanted = Vec::new();
            for (i, file) in place_files.iter().enumerate() {
                let is_first = !first_taken && Some(file.number) == first;
                first_taken |= is_first;
                if is_first || file.size.is_none() {
                    wanted.push(i);
                }
            }
            wanted
        })
        .collect();
    let mut heads = fetch_all_heads(client, files, &wanted)?;
    for (place, place_files) in files.iter().enumerate() {
        for (i, file) in place_files.iter().enumerate() {
            let (header, len) = match heads[place].remove(&i) {
                Some((header, len)) => (Some(header), len),
                // Not wanted, so listed with a size.
                None => (None, file.size.unwrap_or(0)),
            };
            let entry = FrameEntry {
                path: PathBuf::from(&file.url),
                header,
                len,
            };
            index::add_frame(frames, file.number, entry, |a, b| same_bytes(client, a, b))?;
        }
    }
    Ok(())
}

/// A place's fetched headers and lengths, by the index of their file in the place's list.
type Fetched = HashMap<usize, (PzfHeader, u64)>;

/// Fetches the headers of the files `wanted[place]` (indices into `files[place]`), each
/// server's with its own workers. By place, the header and length of each wanted file.
///
/// # Errors
/// The first failure in the order of places and names (so that a run names the same file
/// every time where it can).
fn fetch_all_heads(
    client: &Client,
    files: &[Vec<FrameFile>],
    wanted: &[Vec<usize>],
) -> Result<Vec<Fetched>, SeriesError> {
    let stop = AtomicBool::new(false);
    let heads: Vec<Vec<Option<Head>>> = std::thread::scope(|scope| {
        let running: Vec<_> = files
            .iter()
            .zip(wanted)
            .map(|(place_files, wanted)| {
                let next = Arc::new(AtomicUsize::new(0));
                let workers = client.options().per_server.min(wanted.len());
                let handles: Vec<_> = (0..workers)
                    .map(|_| {
                        let next = Arc::clone(&next);
                        let stop = &stop;
                        scope.spawn(move || fetch_heads(client, place_files, wanted, &next, stop))
                    })
                    .collect();
                (wanted.len(), handles)
            })
            .collect();
        running
            .into_iter()
            .map(|(n, handles)| {
                let mut heads: Vec<Option<Head>> = (0..n).map(|_| None).collect();
                for got in handles.into_iter().filter_map(|h| h.join().ok()) {
                    for (k, head) in got {
                        heads[k] = Some(head);
                    }
                }
                heads
            })
            .collect()
    });
    let mut found = Vec::with_capacity(files.len());
    for ((place_files, wanted), place_heads) in files.iter().zip(wanted).zip(heads) {
        let mut place_found = HashMap::with_capacity(wanted.len());
        for (&i, head) in wanted.iter().zip(place_heads) {
            match head {
                Some(Ok(head)) => {
                    place_found.insert(i, head);
                }
                Some(Err(e)) => return Err(e.into_series_error()),
                // Not fetched: another worker failed first (its error comes first), or a
                // worker thread panicked.
                None if stop.load(Ordering::Relaxed) => continue,
                None => {
                    return Err(SeriesError::Http(HttpError::new(
                        &place_files[i].url,
                        "was not fetched (a worker thread failed)",
                    )))
                }
            }
        }
        found.push(place_found);
    }
    Ok(found)
}

/// A frame file's header and length, or why not.
type Head = Result<(PzfHeader, u64), HeadError>;

/// Why a header was not read: the server, or the header itself.
enum HeadError {
    Http(HttpError),
    Header(String, PzfError),
}

impl HeadError {
    fn into_series_error(self) -> SeriesError {
        match self {
            Self::Http(e) => listed(e),
            Self::Header(url, source) => SeriesError::Header {
                path: PathBuf::from(url),
                source,
            },
        }
    }
}

/// One worker: takes the next wanted file of its server (`files[wanted[k]]`) until none is
/// left or another failed; each header by its `k`.
fn fetch_heads(
    client: &Client,
    files: &[FrameFile],
    wanted: &[usize],
    next: &AtomicUsize,
    stop: &AtomicBool,
) -> Vec<(usize, Head)> {
    let mut got = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let k = next.fetch_add(1, Ordering::Relaxed);
        let Some(file) = wanted.get(k).and_then(|&i| files.get(i)) else {
            break;
        };
        let head = fetch_head(client, &file.url);
        if head.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        got.push((k, head));
    }
    got
}

/// The header of the frame file at `url` and the file's length, reading no more of it than
/// the header.
fn fetch_head(client: &Client, url: &str) -> Head {
    let (header, len) = client
        .get_with(url, |reader, len| {
            let Some(len) = len else {
                return Err(Failure::Final(HttpError::new(url, "no Content-Length")));
            };
            if len > MAX_FRAME_BYTES {
                return Err(Failure::Final(HttpError::new(
                    url,
                    format!(
                        "its Content-Length {len} is above the bound of {MAX_FRAME_BYTES} bytes"
                    ),
                )));
            }
            let broke = |e| {
                let what = format!("the body broke off before its {len} bytes (Content-Length)");
                Failure::Retry(HttpError::caused(url, what, e))
            };
            // The rest is left unread: the connection is not kept (see the client).
            let header =
                index::header_from(&mut reader.take(MAX_HEADER_BYTES), len).map_err(broke)?;
            Ok((header, len))
        })
        .map_err(HeadError::Http)?;
    header
        .map(|header| (header, len))
        .map_err(|e| HeadError::Header(url.to_string(), e))
}

/// Whether two frame files hold the same bytes.
fn same_bytes(client: &Client, a: &Path, b: &Path) -> Result<bool, SeriesError> {
    let get = |p: &Path| {
        client
            .get(&p.to_string_lossy(), MAX_FRAME_BYTES)
            .map_err(listed)
    };
    Ok(get(a)? == get(b)?)
}
