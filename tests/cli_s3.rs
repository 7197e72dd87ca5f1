//! Stores given by URL, without a server: malformed URLs, read-only `http://` outputs, and an
//! S3 endpoint that is down each end in a clear error naming the URL (exit 2 for the command
//! line, 1 for the network), never a hang or a panic. The checks against a real S3 server
//! (moto) and a real HTTP server are in tests/interop/s3.sh.
#![cfg(feature = "object-store")]

mod cli_common;

use std::process::{Command, Output};

use cli_common::*;

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Runs the binary against an S3 endpoint on `port`, with made-up credentials.
fn run_s3(port: u16, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pymecompress"))
        .args(args)
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .env("AWS_ALLOW_HTTP", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("run pymecompress")
}

fn a_store() -> std::path::PathBuf {
    store_dir(&store_entry("q16_o0_s1_edge@zarr2"))
}

#[test]
fn a_malformed_store_url_is_an_argument_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.npy");
    for url in [
        "s3:///x.zarr",
        "s3://b/a/../x.zarr",
        "s3://key:secret@b/x.zarr",
    ] {
        let err = usage_fails(&run(["export", url, path_str(&out)]));
        assert!(err.contains(url), "{url}: {err}");
    }
    assert!(!out.exists());
}

#[test]
fn an_http_store_or_a_bare_bucket_is_refused_as_output() {
    let dir = tempfile::tempdir().unwrap();
    let store = a_store();
    for url in ["http://127.0.0.1:9/x.zarr", "s3://bucket"] {
        let err = usage_fails(&run_s3(
            closed_port(),
            &["convert", path_str(&store), url, "--codec", "huffman"],
        ));
        assert!(err.contains(url) && err.contains("read-only"), "{err}");
    }
    assert_eq!(dir_names(dir.path()), Vec::<String>::new());
}

#[test]
fn an_endpoint_that_is_down_ends_every_command_with_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port();
    let url = "s3://bucket/x.zarr";
    let out = dir.path().join("x.npy");
    let local_out = dir.path().join("y.zarr");
    let local_in = a_store();
    let runs = [
        vec!["info", url],
        vec!["verify", url],
        vec!["export", url, path_str(&out)],
        vec!["convert", url, path_str(&local_out)],
        vec!["convert", path_str(&local_in), url, "--codec", "huffman"],
    ];
    for args in runs {
        let err = fails(&run_s3(port, &args));
        assert!(err.contains(url), "{args:?}: {err}");
    }
    assert_eq!(dir_names(dir.path()), Vec::<String>::new(), "left behind");
}
