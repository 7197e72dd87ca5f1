//! The crate's integration tests as one test binary: each file here is the module of its
//! name (`cargo test -p zarrs-pymecompress --test suite -- fast_read::` runs one file's).
//! One binary compiles and links zarrs's generic code once; as a binary each (13 of them),
//! they took 179 s of a cold 2-core build. `registration.rs` stays a binary of its own: it
//! shows that linking the crate alone registers the codecs, which another module here
//! naming the crate would hide.

/// What the error tests share (`corrupt_chunk`, `pyme_pzf`, `typed_errors`).
mod common;

#[path = "corrupt_chunk.rs"]
mod corrupt_chunk;
#[path = "data_types.rs"]
mod data_types;
#[path = "fast_read.rs"]
mod fast_read;
#[path = "fixture_stores.rs"]
mod fixture_stores;
#[path = "pyme_pzf.rs"]
mod pyme_pzf;
#[path = "pyme_tile_store.rs"]
mod pyme_tile_store;
#[path = "send_sync.rs"]
mod send_sync;
#[path = "size_ratio.rs"]
mod size_ratio;
#[path = "typed_errors.rs"]
mod typed_errors;
#[path = "v2_to_v3.rs"]
mod v2_to_v3;
#[path = "zarr_v2_write.rs"]
mod zarr_v2_write;
#[path = "zarr_v3.rs"]
mod zarr_v3;
