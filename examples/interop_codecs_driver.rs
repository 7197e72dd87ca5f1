//! The Rust side of the live interop check against the reference pymecompress
//! (`tests/interop/run.sh`): one process runs a whole batch of codec jobs.
//!
//! Usage: `cargo run --example interop_codecs_driver -- DIR`
//!
//! `DIR/jobs.json` is `{"input": "in.bin", "jobs": [JOB, ...]}`; every job reads its input as
//! a byte range `[offset, length]` of `DIR/in.bin`:
//!
//! | `op`                 | extra fields                     | output                         |
//! |----------------------|----------------------------------|--------------------------------|
//! | `stream_encode`      |                                  | raw stream (no trailer)        |
//! | `stream_decode`      | `n`                              | `n` bytes                      |
//! | `huffman_compress`   |                                  | framed chunk                   |
//! | `huffman_decompress` | `decoded_len`                    | `decoded_len` bytes            |
//! | `quantize`           | `offset`, `scale` (input: LE u16) | one symbol per value           |
//! | `quant16_compress`   | `offset`, `scale` (input: LE u16) | framed chunk                   |
//! | `quant16_decompress` | `n_values`, `offset`, `scale`    | `n_values` LE u16              |
//!
//! Outputs are concatenated into `DIR/out.bin`; `DIR/results.json` lists, per job in order,
//! `{"id", "ok", "out": [offset, length] | null, "error": string | null, "micros"}`.
//! A failing job is reported, never fatal: the process exits 0 unless the batch itself
//! cannot be read or written.

use std::path::PathBuf;
use std::time::Instant;

use pymecompress_codecs::{huffman, quant16, stream, Error, QuantParams};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Batch {
    input: String,
    jobs: Vec<Job>,
}

#[derive(Deserialize)]
struct Job {
    id: String,
    op: String,
    /// `[offset, length]` in the input blob.
    input: [usize; 2],
    #[serde(default)]
    n: usize,
    #[serde(default)]
    decoded_len: usize,
    #[serde(default)]
    n_values: usize,
    #[serde(default)]
    offset: f64,
    #[serde(default = "one_f")]
    scale: f64,
}

fn one_f() -> f64 {
    1.0
}

#[derive(Serialize)]
struct JobResult<'a> {
    id: &'a str,
    ok: bool,
    out: Option<[usize; 2]>,
    error: Option<String>,
    micros: u128,
}

fn u16s(bytes: &[u8]) -> Result<Vec<u16>, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err(format!("u16 input has odd length {}", bytes.len()));
    }
    Ok(bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect())
}

fn u16_bytes(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn err(e: Error) -> String {
    format!("{e} ({e:?})")
}

fn run(job: &Job, data: &[u8]) -> Result<Vec<u8>, String> {
    let params = || QuantParams::new(job.offset, job.scale).map_err(err);
    match job.op.as_str() {
        "stream_encode" => stream::encode(data).map_err(err),
        "stream_decode" => stream::decode(data, job.n).map_err(err),
        "huffman_compress" => huffman::encode(data).map_err(err),
        "huffman_decompress" => huffman::decode(data, job.decoded_len).map_err(err),
        "quantize" => {
            let params = params()?;
            Ok(u16s(data)?.iter().map(|&v| params.quantize(v)).collect())
        }
        "quant16_compress" => quant16::encode(&u16s(data)?, &params()?).map_err(err),
        "quant16_decompress" => quant16::decode(data, job.n_values, &params()?)
            .map(|v| u16_bytes(&v))
            .map_err(err),
        other => Err(format!("unknown op {other:?}")),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args_os()
            .nth(1)
            .ok_or("usage: interop DIR (DIR/jobs.json)")?,
    );
    let batch: Batch = serde_json::from_slice(&std::fs::read(dir.join("jobs.json"))?)?;
    let input = std::fs::read(dir.join(&batch.input))?;
    let mut out = Vec::new();
    let mut results = Vec::with_capacity(batch.jobs.len());
    let started = Instant::now();
    for job in &batch.jobs {
        let [off, len] = job.input;
        let t = Instant::now();
        let res = match off.checked_add(len).and_then(|end| input.get(off..end)) {
            Some(data) => {
                // a panic is a finding too: report it against the job and carry on
                std::panic::catch_unwind(|| run(job, data))
                    .unwrap_or_else(|_| Err("panicked".to_string()))
            }
            None => Err(format!("input range {off}+{len} outside the blob")),
        };
        let micros = t.elapsed().as_micros();
        results.push(match res {
            Ok(bytes) => {
                let at = out.len();
                out.extend_from_slice(&bytes);
                JobResult {
                    id: &job.id,
                    ok: true,
                    out: Some([at, bytes.len()]),
                    error: None,
                    micros,
                }
            }
            Err(e) => JobResult {
                id: &job.id,
                ok: false,
                out: None,
                error: Some(e),
                micros,
            },
        });
    }
    std::fs::write(dir.join("out.bin"), &out)?;
    std::fs::write(dir.join("results.json"), serde_json::to_vec(&results)?)?;
    eprintln!(
        "interop (rust): {} jobs in {:.2} s",
        results.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
