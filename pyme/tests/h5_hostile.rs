//! Hostile `.h5` files, each damaged in one known way: every one is refused with
//! [`SourceError::H5`] naming the file and the object, without a panic and without allocating
//! what the damaged number claims.

mod h5_common;

use h5_common::h5_bytes;
use pymecompress_pyme::{FrameSource, H5Error, H5File, SourceError};
use pymecompress_test_support::alloc_count::{measure, CountingAllocator};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Opens `bytes` as `name`, expecting a refusal of `object`; returns what was wrong.
fn refused(name: &str, bytes: Vec<u8>, object: &str) -> H5Error {
    let len = bytes.len() as i64;
    let (result, usage) = measure(|| H5File::from_bytes(name, bytes));
    // Well below anything a claimed count would cost (the file itself is already in memory).
    assert!(
        usage.peak < 8 * len + (16 << 20),
        "{name}: peak {} bytes",
        usage.peak
    );
    let err = result.map(|_| ()).expect_err(name);
    assert!(err.to_string().contains(name), "{err}");
    let SourceError::H5 {
        object: found,
        source,
        ..
    } = err
    else {
        panic!("{name}: {err:?}");
    };
    assert!(
        found.contains(object),
        "{name}: object {found}, expected {object}: {source:?}"
    );
    source
}

/// Every place `from` occurs in `bytes`.
fn find_all(bytes: &[u8], from: &[u8]) -> Vec<usize> {
    bytes
        .windows(from.len())
        .enumerate()
        .filter(|(_, w)| *w == from)
        .map(|(i, _)| i)
        .collect()
}

fn replace_all(bytes: &mut [u8], from: &[u8], to: &[u8]) -> usize {
    let at = find_all(bytes, from);
    for &i in &at {
        bytes[i..i + to.len()].copy_from_slice(to);
    }
    at.len()
}

#[test]
fn a_truncated_file_is_refused_at_every_length() {
    for name in ["pzf_huffman_u16", "hdf_uint16_l2", "export_uint16"] {
        let whole = h5_bytes(name);
        let mut refused_count = 0;
        for cut in (0..whole.len()).step_by(whole.len() / 97 + 1) {
            let file = format!("{name}_cut{cut}.h5");
            match H5File::from_bytes(&file, whole[..cut].to_vec()) {
                Err(SourceError::H5 { path, .. }) => {
                    assert_eq!(path.to_str(), Some(file.as_str()));
                    refused_count += 1;
                }
                Err(e) => panic!("{file}: {e:?}"),
                // A cut past everything the reader needs (PyTables leaves free space at the
                // end): every frame must still read.
                Ok(f) => {
                    for i in 0..f.len() {
                        let _ = f.read_frame(i);
                    }
                }
            }
        }
        assert!(
            refused_count > 50,
            "{name}: only {refused_count} cuts refused"
        );
    }
}

#[test]
fn a_damaged_pzf_row_is_refused_naming_the_row_and_frame() {
    let mut bytes = h5_bytes("pzf_huffman_u16");
    // Each row is a whole PZF file: "BD", Version 3. Break the first stored one's magic.
    let rows = find_all(&bytes, b"BD\x03");
    assert_eq!(rows.len(), 10);
    bytes[rows[0]] = b'X';
    let source = refused("damaged_row.h5", bytes, "/PZFImageData row");
    assert!(matches!(source, H5Error::Pzf(_)), "{source:?}");
}

#[test]
fn an_index_entry_past_the_rows_is_refused() {
    let source = refused(
        "index_past_rows.h5",
        h5_bytes("hostile_index_past_rows"),
        "/PZFImageIndex",
    );
    let H5Error::Invalid(what) = source else {
        panic!("{source:?}");
    };
    assert!(
        what.contains("entry 4") && what.contains("row 99"),
        "{what}"
    );
}

#[test]
fn row_counts_in_the_billions_are_refused_before_reading() {
    let mut bytes = h5_bytes("pzf_huffman_u16");
    // The dataspaces of /PZFImageData and /PZFImageIndex: 10 rows, unlimited.
    let mut from = 10u64.to_le_bytes().to_vec();
    from.extend(u64::MAX.to_le_bytes());
    let mut to = 3_000_000_000u64.to_le_bytes().to_vec();
    to.extend(u64::MAX.to_le_bytes());
    assert_eq!(replace_all(&mut bytes, &from, &to), 2);
    let source = refused("billions.h5", bytes, "/PZFImageData");
    let H5Error::Invalid(what) = source else {
        panic!("{source:?}");
    };
    assert!(what.contains("3000000000 rows"), "{what}");
}

#[test]
fn frames_claiming_more_pixels_than_the_file_can_hold_are_refused() {
    let mut bytes = h5_bytes("hdf_uint16_l2");
    // /ImageData's dataspace: (5, 16, 12), maximum (unlimited, 16, 12).
    let dims: Vec<u8> = [5u64, 16, 12, u64::MAX, 16, 12]
        .iter()
        .flat_map(|d| d.to_le_bytes())
        .collect();
    let huge: Vec<u8> = [5u64, 1 << 40, 1 << 20, u64::MAX, 1 << 40, 1 << 20]
        .iter()
        .flat_map(|d| d.to_le_bytes())
        .collect();
    assert_eq!(replace_all(&mut bytes, &dims, &huge), 1);
    let source = refused("huge_frames.h5", bytes, "/ImageData");
    assert!(matches!(source, H5Error::Invalid(_)), "{source:?}");
}

#[test]
fn an_attribute_claiming_2_to_the_60_elements_is_refused() {
    let mut bytes = h5_bytes("hostile_array_attribute");
    // Sanity: as written it reads, with the values PyTables stored.
    let file = H5File::from_bytes("array_attribute.h5", bytes.clone()).unwrap();
    assert_eq!(
        file.metadata()["Positions"],
        serde_json::json!([7.0, 7.5, 8.0, 8.5])
    );
    // Its dataspace (rank 1, maximum given): dimension 4, maximum 4, then its float64 values.
    let values: Vec<u8> = [7.0f64, 7.5, 8.0, 8.5]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let at = find_all(&bytes, &values);
    assert_eq!(at.len(), 1);
    let dims = &mut bytes[at[0] - 16..at[0]];
    assert_eq!(dims, [4u64.to_le_bytes(), 4u64.to_le_bytes()].concat());
    dims.copy_from_slice(&[(1u64 << 60).to_le_bytes(), (1u64 << 60).to_le_bytes()].concat());
    // The reader parses each child's header while listing the root: the refusal is of "/",
    // and the reader's own error names the child.
    let source = refused("huge_attribute.h5", bytes, "/");
    let cause = std::error::Error::source(&source).expect("the reader's error");
    assert!(cause.to_string().contains("MetaData"), "{cause}");
}

#[test]
fn a_metadata_group_linked_into_itself_is_refused() {
    let source = refused(
        "group_cycle.h5",
        h5_bytes("hostile_group_cycle"),
        "/MetaData/Camera/loop",
    );
    assert!(
        matches!(source, H5Error::Invalid(ref w) if w.contains("cycle")),
        "{source:?}"
    );
}

#[test]
fn zero_width_frames_in_the_trillions_are_refused() {
    // Found by the h5_open fuzz target (fuzz/regressions/h5_open-zero-width-frames.h5): an
    // export whose /ImageData had width 0 and 10^15 frames; empty frames passed the size check
    // and `missing()` then listed frame numbers beyond u32 until memory ran out.
    let found = std::fs::read(
        pymecompress_test_support::fixtures::dir()
            .join("../fuzz/regressions/h5_open-zero-width-frames.h5"),
    )
    .unwrap();
    refused("fuzz_zero_width.h5", found, "/ImageData");
    let mut bytes = h5_bytes("hdf_uint16_l2");
    let dims: Vec<u8> = [5u64, 16, 12, u64::MAX, 16, 12]
        .iter()
        .flat_map(|d| d.to_le_bytes())
        .collect();
    let empty: Vec<u8> = [1u64 << 40, 0, 12, u64::MAX, 0, 12]
        .iter()
        .flat_map(|d| d.to_le_bytes())
        .collect();
    assert_eq!(replace_all(&mut bytes, &dims, &empty), 1);
    let source = refused("zero_width.h5", bytes, "/ImageData");
    assert!(
        matches!(source, H5Error::Invalid(ref w) if w.contains("0 x 12")),
        "{source:?}"
    );
}

#[test]
fn frame_numbers_far_beyond_the_rows_are_refused() {
    let source = refused(
        "frame_number_huge.h5",
        h5_bytes("hostile_frame_number_huge"),
        "/PZFImageIndex",
    );
    assert!(
        matches!(source, H5Error::Invalid(ref w) if w.contains("reach 2000000000")),
        "{source:?}"
    );
}
