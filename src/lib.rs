//! The `pymecompress` package is the command-line tool (`src/main.rs`); the libraries are
//! `pymecompress-codecs`, `zarrs-pymecompress` and `pymecompress-pyme`. This library target
//! exports nothing: it exists so that `cargo test` compiles and runs the README's examples.
#![cfg_attr(doctest, doc = include_str!("../README.md"))]
#![forbid(unsafe_code)]
