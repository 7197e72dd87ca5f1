//! The one error type of the command-line tool: a message plus where it happened (store,
//! array, chunk, codec), printed as a single line, and the exit status it ends the program with.

use std::fmt;

use zarrs::array::codec::api::CodecError;
use zarrs::array::ArrayError;

/// Where in a store something happened. Every field is optional; set what is known.
#[derive(Clone, Debug, Default)]
pub struct Place {
    /// A file that is not a store: a chunk file or an .npy.
    pub file: Option<String>,
    pub store: Option<String>,
    pub array: Option<String>,
    pub chunk: Option<String>,
    pub codec: Option<String>,
}

impl Place {
    pub fn file(file: impl fmt::Display) -> Self {
        Self {
            file: Some(file.to_string()),
            ..Self::default()
        }
    }

    pub fn store(store: impl fmt::Display) -> Self {
        Self {
            store: Some(store.to_string()),
            ..Self::default()
        }
    }

    pub fn array(&self, array: impl fmt::Display) -> Self {
        Self {
            array: Some(array.to_string()),
            ..self.clone()
        }
    }

    pub fn chunk(&self, chunk: impl fmt::Display) -> Self {
        Self {
            chunk: Some(chunk.to_string()),
            ..self.clone()
        }
    }

    pub fn codec(&self, codec: impl fmt::Display) -> Self {
        Self {
            codec: Some(codec.to_string()),
            ..self.clone()
        }
    }

    /// A failure at this place.
    pub fn fail(&self, message: impl fmt::Display) -> Failure {
        let message = one_line(&message.to_string());
        Failure {
            place: Box::new(self.clone()),
            message,
            usage: false,
        }
    }
}

/// A failed command: printed as `store S, array A, chunk C, codec K: message`.
#[derive(Debug)]
pub struct Failure {
    /// Boxed: failures travel through every `Result` of the tool, and most of them never fail.
    pub place: Box<Place>,
    pub message: String,
    /// The command line itself is wrong (exit status 2, as clap's own argument errors), rather
    /// than the data or the file system (exit status 1).
    pub usage: bool,
}

impl Failure {
    /// A failure not tied to a store (unreadable input file, ...).
    pub fn msg(message: impl fmt::Display) -> Self {
        Place::default().fail(message)
    }

    /// An argument error: bad or missing flags. Names no store, array or codec, since the
    /// fix is in the command line.
    pub fn usage(message: impl fmt::Display) -> Self {
        Self {
            usage: true,
            ..Self::msg(message)
        }
    }

    /// The exit status: 2 for argument errors, 1 for everything else.
    pub const fn exit_status(&self) -> u8 {
        if self.usage {
            2
        } else {
            1
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Place {
            file,
            store,
            array,
            chunk,
            codec,
        } = &*self.place;
        let parts: Vec<String> = [
            file.as_ref().map(|f| format!("file {f}")),
            store.as_ref().map(|s| format!("store {s}")),
            array.as_ref().map(|a| format!("array {a}")),
            chunk.as_ref().map(|c| format!("chunk {c}")),
            codec.as_ref().map(|c| format!("codec {c}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", parts.join(", "), self.message)
        }
    }
}

pub type Result<T, E = Failure> = std::result::Result<T, E>;

/// A PYME source's error names the source and frame; its sources say what is wrong.
impl From<pymecompress_pyme::SourceError> for Failure {
    fn from(error: pymecompress_pyme::SourceError) -> Self {
        Failure::msg(error_chain(&error))
    }
}

/// Attaches a [`Place`] to any error, flattening its source chain into the message.
pub trait At<T> {
    fn at(self, place: &Place) -> Result<T>;
}

impl<T, E: std::error::Error + 'static> At<T> for std::result::Result<T, E> {
    fn at(self, place: &Place) -> Result<T> {
        self.map_err(|e| place.fail(error_chain(&e)))
    }
}

/// An error and its sources as one line, skipping a source whose text its parent already shows.
///
/// A zarrs error whose cause is a codec of ours failing prints only that codec's name (zarrs
/// has no variant for a plugin's typed error: `zarrs_pymecompress` passes it as the source),
/// and the [`Place`] names the codec already: such an error reads as its typed cause, found by
/// type, never by its text.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let start = if error.is::<ArrayError>() || error.is::<CodecError>() {
        typed_cause(error).unwrap_or(error)
    } else {
        error
    };
    let mut text = String::new();
    let mut next = Some(start);
    while let Some(e) = next {
        let e_text = e.to_string();
        if !text.contains(&e_text) {
            text = if text.is_empty() {
                e_text
            } else {
                format!("{text}: {e_text}")
            };
        }
        next = e.source();
    }
    one_line(&text)
}

/// The typed error of a codec of ours behind `error`, if one failed.
fn typed_cause<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a (dyn std::error::Error + 'static)> {
    use pymecompress_codecs::pzf::PzfError;
    use zarrs_pymecompress::{find_source, PymePzfChunkError};
    let core = find_source::<pymecompress_codecs::Error>(error)
        .map(|e| e as &(dyn std::error::Error + 'static));
    core.or_else(|| find_source::<PzfError>(error).map(|e| e as _))
        .or_else(|| find_source::<PymePzfChunkError>(error).map(|e| e as _))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_print_on_one_line_with_their_place() {
        let place = Place::store("a.zarr")
            .array("/images/raw")
            .chunk("images/raw/0.1")
            .codec("pymecompress-quant16");
        assert_eq!(
            place.fail("stream\nends early").to_string(),
            "store a.zarr, array /images/raw, chunk images/raw/0.1, codec pymecompress-quant16: \
             stream ends early"
        );
        assert_eq!(Failure::msg("bad flag").to_string(), "bad flag");
        assert_eq!(Failure::msg("x").exit_status(), 1);
        assert_eq!(Failure::usage("x").exit_status(), 2);
    }

    #[test]
    fn a_codec_error_through_zarrs_reads_as_the_core_error() {
        use std::sync::Arc;
        use zarrs::array::{data_type, ArrayBuilder};
        use zarrs::storage::{store::MemoryStore, StoreKey, WritableStorageTraits};
        let store = Arc::new(MemoryStore::new());
        let array = ArrayBuilder::new(vec![8], vec![8], data_type::uint16(), 0u16)
            .array_to_bytes_codec(Arc::new(zarrs_pymecompress::HuffmanQuant16Codec::default()))
            .build(store.clone(), "/a")
            .unwrap();
        store
            .set(&StoreKey::new("a/c/0").unwrap(), vec![1u8, 2].into())
            .unwrap();
        let err = array.retrieve_chunk::<Vec<u16>>(&[0]).unwrap_err();
        let text = error_chain(&err);
        let core = pymecompress_codecs::Error::ChunkTooShort { len: 2 }.to_string();
        assert!(text.ends_with(&core), "{text}");
        assert!(
            !text.contains("numcodecs."),
            "the codec named in the message: {text}"
        );
    }

    #[test]
    fn error_chains_skip_repeated_text() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "reading chunk")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("disk gone"));
        assert_eq!(error_chain(&e), "reading chunk: disk gone");
    }
}
