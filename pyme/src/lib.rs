//! PYME's (python-microscopy's) image data outside PYME.
//!
//! Every source of PYME frames implements one trait, [`FrameSource`]: a `.pzf` file
//! ([`PzfFile`]) and a cluster series ([`series::Series`], a `NAME.pcs` directory and its
//! copies on other data servers). [`open_source`] recognises either from a path. On top of the
//! trait, and never per source:
//! - [`gaps`]: the gap and completeness policy (refuse, or fill and list);
//! - [`attributes`]: PYME's metadata and events as zarr attributes;
//! - [`to_zarr`]: writing frames into a zarr array, moving stored payloads into
//!   pymecompress chunks without decoding them where they already are one.
//!
//! Format rules (PZF, the stream, the chunk trailer) stay in `pymecompress-codecs`.
//!
//! ```no_run
//! use std::path::{Path, PathBuf};
//! use pymecompress_pyme::{open_source, FrameSource};
//!
//! let nodes = [PathBuf::from("server1/scan_000.pcs")];
//! let source = open_source(Path::new("server0/scan_000.pcs"), &nodes)?.expect("a series");
//! let layout = source.layout()?;
//! let mut frame = vec![0u8; layout.frame_bytes()];
//! source.read_frame_into(0, &mut frame)?;
//! println!("{} frames, missing {:?}", source.len(), source.missing());
//! # Ok::<(), pymecompress_pyme::SourceError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod attributes;
mod error;
pub mod frames;
pub mod gaps;
mod h5;
pub mod http;
mod layout;
pub mod ome;
mod open;
mod pzf_file;
mod selection;
pub mod series;
mod source;
pub mod to_zarr;

// Linked so that every array this crate writes or reads resolves the pymecompress codecs.
use zarrs_pymecompress as _;

pub use error::SourceError;
pub use h5::{H5Error, H5File, H5Layout};
pub use layout::{FrameLayout, FrameQuant, PixelType};
pub use ome::{find_images, FoundImage, NgffVersion, OmeError, OmeImage, ScaleFlags};
pub use open::open_source;
pub use pzf_file::PzfFile;
pub use selection::FrameSelection;
pub use series::Event;
pub use source::{array_shape, FrameSource, Payload, SourceKind};
