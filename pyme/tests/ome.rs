//! OME images of PYME sources (`pymecompress_pyme::ome`): frames stored as PYME indexes them
//! read back through zarrs as (y, x) — the transpose of PYME's `loads` — whether the payloads
//! were moved (Zarr v2 `"order": "F"`, Zarr v3 `transpose`) or encoded; pyramid levels as 2×2
//! means rounded half to even; PYME's SizeZ/DimOrder splitting frames into (t, z).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pymecompress_pyme::ome::write::write_image;
use pymecompress_pyme::to_zarr::{PassThrough, WriteHooks, WriteStats};
use pymecompress_pyme::{
    open_source, FrameSelection, FrameSource, NgffVersion, OmeError, OmeImage, ScaleFlags,
};
use pymecompress_test_support::{fixtures, npy, pyme_series, temp_dir};
use serde_json::{json, Value};
use zarrs::array::{Array, ArrayMetadata};
use zarrs::storage::store::MemoryStore;
use zarrs_pymecompress as _; // registers the codecs

fn open(dirs: &[PathBuf]) -> Box<dyn FrameSource> {
    open_source(&dirs[0], &dirs[1..])
        .unwrap()
        .expect("a PYME source")
}

/// PYME's `loads` of every frame of a fixture series: (frames, x, y) as u16.
fn expected(fixture: &str) -> (Vec<usize>, Vec<u16>) {
    let npy = npy::read(
        &fixtures::path("pyme_series/data")
            .join(fixture)
            .join("expected.npy"),
    )
    .unwrap();
    let values = npy
        .c_bytes
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    (npy.shape.clone(), values)
}

/// `stack` (frames, x, y) as (frames, y, x): what every viewer shows.
fn transposed(shape: &[usize], stack: &[u16]) -> Vec<u16> {
    let (n, w, h) = (shape[0], shape[1], shape[2]);
    let mut out = vec![0; stack.len()];
    for f in 0..n {
        for x in 0..w {
            for y in 0..h {
                out[(f * h + y) * w + x] = stack[(f * w + x) * h + y];
            }
        }
    }
    out
}

/// Level `k + 1` from level `k` (frames, y, x): numpy's `np.round(block.mean())` per 2×2.
fn halved(frames: usize, rows: usize, cols: usize, level: &[u16]) -> Vec<u16> {
    let (r2, c2) = (rows / 2, cols / 2);
    let mut out = Vec::with_capacity(frames * r2 * c2);
    for f in 0..frames {
        for y in 0..r2 {
            for x in 0..c2 {
                let at = |dy: usize, dx: usize| {
                    f64::from(level[(f * rows + 2 * y + dy) * cols + 2 * x + dx])
                };
                let mean = (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4.0;
                out.push(mean.round_ties_even() as u16);
            }
        }
    }
    out
}

/// The level arrays of `image` in memory: level 0 laid out as PYME's bytes when `transposed`.
fn level_arrays(
    image: &OmeImage,
    format: u8,
    level0_codec: &Value,
    transposed: bool,
) -> Vec<Array<MemoryStore>> {
    let store = Arc::new(MemoryStore::new());
    (0..image.levels)
        .map(|level| {
            let shape = image.level_shape(level);
            let mut chunks = shape.clone();
            chunks[..image.frame_axes()].fill(1);
            let transposed = transposed && level == 0;
            let huffman = json!({"id": "pymecompress-huffman"});
            let codec = if level == 0 { level0_codec } else { &huffman };
            let metadata = if format == 2 {
                ArrayMetadata::V2(
                    serde_json::from_value(json!({
                        "zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": "<u2",
                        "compressor": codec, "fill_value": 0,
                        "order": if transposed { "F" } else { "C" }, "filters": null,
                    }))
                    .unwrap(),
                )
            } else {
                let n = shape.len();
                let mut order: Vec<usize> = (0..n).collect();
                order.swap(n - 2, n - 1);
                let mut codecs = vec![json!({"name": "numcodecs.pymecompress-quant16",
                    "configuration": codec})];
                if level > 0 {
                    codecs = vec![
                        json!({"name": "bytes", "configuration": {"endian": "little"}}),
                        json!({"name": "numcodecs.pymecompress-huffman", "configuration": {}}),
                    ];
                }
                if transposed {
                    codecs.insert(
                        0,
                        json!({"name": "transpose", "configuration": {"order": order}}),
                    );
                }
                ArrayMetadata::V3(
                    serde_json::from_value(json!({
                        "zarr_format": 3, "node_type": "array", "shape": shape,
                        "data_type": "uint16", "fill_value": 0, "codecs": codecs,
                        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
                        "chunk_key_encoding": {"name": "default"},
                    }))
                    .unwrap(),
                )
            };
            Array::new_with_metadata(store.clone(), &format!("/{level}"), metadata).unwrap()
        })
        .collect()
}

fn write(
    source: &dyn FrameSource,
    image: &OmeImage,
    levels: &[Array<MemoryStore>],
    pass: Option<PassThrough>,
) -> WriteStats {
    let layout = source.layout().unwrap();
    write_image(
        source,
        &layout,
        &FrameSelection::all(source.len()),
        image,
        levels,
        pass,
        &WriteHooks {
            row_done: &|_| false,
            frames_done: &|_| {},
        },
    )
    .unwrap()
}

fn read(array: &Array<MemoryStore>) -> Vec<u16> {
    array.retrieve_array_subset(&array.subset_all()).unwrap()
}

fn plan(source: &dyn FrameSource, levels: u32) -> OmeImage {
    let layout = source.layout().unwrap();
    let all = FrameSelection::all(source.len());
    OmeImage::plan(source, &layout, &all, levels, ScaleFlags::default()).unwrap()
}

#[test]
fn moved_huffman_payloads_read_as_y_x_through_order_f() {
    let source = open(&pyme_series::dirs("complete", "scan_000.pcs"));
    let image = plan(source.as_ref(), 3);
    assert_eq!(image.dimension_names(), ["t", "y", "x"]);
    let levels = level_arrays(&image, 2, &json!({"id": "pymecompress-huffman"}), true);
    let stats = write(source.as_ref(), &image, &levels, Some(PassThrough::Huffman));
    assert_eq!(
        stats.moved, 120,
        "every payload moved, none decoded and encoded"
    );
    assert_eq!(
        stats.encoded_chunks, 240,
        "levels 1 and 2: one chunk per frame each"
    );
    let (shape, stack) = expected("complete");
    let mut want = transposed(&shape, &stack);
    assert_ne!(want, stack, "the fixture's frames are not symmetric");
    let (mut rows, mut cols) = (32, 32);
    for (level, array) in levels.iter().enumerate() {
        assert_eq!(array.shape(), [120, rows as u64, cols as u64]);
        assert_eq!(read(array), want, "level {level}");
        want = halved(120, rows, cols, &want);
        (rows, cols) = (rows / 2, cols / 2);
    }
}

#[test]
fn moved_quant16_payloads_read_as_y_x_through_the_transpose_codec() {
    let source = open(&pyme_series::dirs("quantized", "scan_002.pcs"));
    let quant = source.layout().unwrap().quant.expect("quantized");
    let image = plan(source.as_ref(), 2);
    let config = json!({"offset": quant.offset, "scale": quant.scale});
    let levels = level_arrays(&image, 3, &config, true);
    let stats = write(
        source.as_ref(),
        &image,
        &levels,
        Some(PassThrough::Quant16(quant.params)),
    );
    assert_eq!(stats.moved, 4);
    let (shape, stack) = expected("quantized");
    let want = transposed(&shape, &stack);
    assert_eq!(read(&levels[0]), want);
    assert_eq!(read(&levels[1]), halved(4, 32, 32, &want));
}

#[test]
fn without_pass_through_frames_are_encoded_in_c_order_and_read_the_same() {
    let source = open(&pyme_series::dirs("complete", "scan_000.pcs"));
    let image = plan(source.as_ref(), 1);
    let levels = level_arrays(&image, 2, &json!({"id": "pymecompress-huffman"}), false);
    let stats = write(source.as_ref(), &image, &levels, None);
    assert_eq!((stats.moved, stats.encoded_chunks), (0, 120));
    let (shape, stack) = expected("complete");
    assert_eq!(read(&levels[0]), transposed(&shape, &stack));
}

/// A copy of the complete two-server series whose metadata.json has `changes`.
fn with_metadata(tmp: &Path, changes: &Value) -> Vec<PathBuf> {
    let mut copies = Vec::new();
    for (i, dir) in pyme_series::dirs("complete", "scan_000.pcs")
        .iter()
        .enumerate()
    {
        let copy = tmp.join(format!("server{i}")).join("scan_000.pcs");
        std::fs::create_dir_all(&copy).unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let to = copy.join(entry.file_name());
            if entry.file_name() == "metadata.json" {
                let mut m: Value =
                    serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap();
                for (k, v) in changes.as_object().unwrap() {
                    m[k] = v.clone();
                }
                std::fs::write(&to, serde_json::to_vec(&m).unwrap()).unwrap();
            } else {
                std::fs::copy(entry.path(), to).unwrap();
            }
        }
        copies.push(copy);
    }
    copies
}

#[test]
fn size_z_splits_the_frames_into_t_and_z_in_dim_order() {
    let tmp = temp_dir("ome-size-z");
    let changes = json!({"SizeZ": 4, "SizeT": -1, "DimOrder": "XYZTC",
                         "voxelsize.z": 0.25, "Camera.CycleTime": 0.05});
    let source = open(&with_metadata(&tmp, &changes));
    let image = plan(source.as_ref(), 1);
    assert_eq!(image.dimension_names(), ["t", "z", "y", "x"]);
    assert_eq!(image.level_shape(0), [30, 4, 32, 32]);
    assert_eq!(image.level_scale(0), [0.05, 0.25, 0.1, 0.1]);
    assert!(image.notes.is_empty(), "{:?}", image.notes);
    // XYZTC: z fastest. Frame 6 is z 2 of t 1.
    assert_eq!(image.frame_index(6), [1, 2]);
    let levels = level_arrays(&image, 2, &json!({"id": "pymecompress-huffman"}), true);
    write(source.as_ref(), &image, &levels, Some(PassThrough::Huffman));
    let (shape, stack) = expected("complete");
    // (t, z, y, x) in C order is frame t*4 + z: the frames in acquisition order.
    assert_eq!(read(&levels[0]), transposed(&shape, &stack));

    // XYTZC: t fastest, so frame 6 is t 6 of z 0; the stored order differs.
    let changes = json!({"SizeZ": 4, "SizeT": 30, "DimOrder": "XYTZC"});
    let source = open(&with_metadata(&temp_dir("ome-size-z-t-first"), &changes));
    let image = plan(source.as_ref(), 1);
    assert_eq!(image.frame_index(6), [6, 0]);
    assert_eq!(image.frame_index(31), [1, 1]);

    // A count that does not factor: t alone, and the user is told why.
    let changes = json!({"SizeZ": 7, "SizeT": -1, "DimOrder": "XYZTC"});
    let source = open(&with_metadata(&temp_dir("ome-size-z-odd"), &changes));
    let image = plan(source.as_ref(), 1);
    assert_eq!(image.dimension_names(), ["t", "y", "x"]);
    assert!(
        image.notes.iter().any(|n| n.contains("SizeZ 7")),
        "{:?}",
        image.notes
    );
}

#[test]
fn ngff_blocks_follow_the_version_of_the_zarr_format() {
    let source = open(&pyme_series::dirs("complete", "scan_000.pcs"));
    let image = plan(source.as_ref(), 2);
    assert!(image.notes.iter().any(|n| n.contains("Camera.CycleTime")));
    let v04 = image.group_attributes("scan", NgffVersion::V0_4, Default::default());
    let ms = &v04["multiscales"][0];
    assert_eq!(ms["version"], "0.4");
    assert_eq!(
        ms["axes"][0],
        json!({"name": "t", "type": "time", "unit": "second"})
    );
    assert_eq!(ms["axes"][2]["unit"], "micrometer");
    assert_eq!(ms["datasets"][1]["path"], "1");
    assert_eq!(
        ms["datasets"][1]["coordinateTransformations"][0]["scale"],
        json!([1.0, 0.2, 0.2])
    );
    let v05 = image.group_attributes("scan", NgffVersion::V0_5, Default::default());
    assert_eq!(v05["ome"]["version"], "0.5");
    assert!(v05["ome"]["multiscales"][0].get("version").is_none());

    let layout = source.layout().unwrap();
    let all = FrameSelection::all(120);
    let flags = ScaleFlags {
        pixel_size: None,
        frame_interval: Some(0.5),
    };
    let every_third = FrameSelection {
        start: 0,
        step: 3,
        len: 40,
    };
    let image = OmeImage::plan(source.as_ref(), &layout, &every_third, 1, flags).unwrap();
    assert_eq!(
        image.level_scale(0)[0],
        1.5,
        "every third frame: 3 intervals apart"
    );
    assert!(matches!(
        OmeImage::plan(source.as_ref(), &layout, &all, 7, flags),
        Err(OmeError::TooManyLevels { max: 6, .. })
    ));
    let bad = ScaleFlags {
        pixel_size: Some(-1.0),
        frame_interval: None,
    };
    assert!(OmeImage::plan(source.as_ref(), &layout, &all, 1, bad).is_err());
}

#[test]
fn one_missing_pixel_size_takes_the_other_and_flags_fill_what_the_metadata_lacks() {
    let changes = json!({"voxelsize.y": null});
    let source = open(&with_metadata(&temp_dir("ome-no-y"), &changes));
    let image = plan(source.as_ref(), 1);
    assert_eq!(image.level_scale(0), [1.0, 0.1, 0.1]);
    assert!(
        image.notes.iter().any(|n| n.contains("square pixels")),
        "{:?}",
        image.notes
    );
    let changes = json!({"voxelsize.y": null, "voxelsize.x": null});
    let source = open(&with_metadata(&temp_dir("ome-no-xy"), &changes));
    let layout = source.layout().unwrap();
    let all = FrameSelection::all(source.len());
    let flags = ScaleFlags {
        pixel_size: Some(0.065),
        frame_interval: Some(0.01),
    };
    let image = OmeImage::plan(source.as_ref(), &layout, &all, 1, flags).unwrap();
    assert_eq!(image.level_scale(0), [0.01, 0.065, 0.065]);
    assert!(image.notes.is_empty(), "{:?}", image.notes);
    // The metadata wins over a flag.
    let source = open(&pyme_series::dirs("complete", "scan_000.pcs"));
    let image = OmeImage::plan(source.as_ref(), &layout, &all, 1, flags).unwrap();
    assert_eq!(image.level_scale(0), [0.01, 0.1, 0.1]);
}

#[test]
fn size_c_and_size_z_give_t_c_z_axes_in_ngff_order() {
    // XYCZT: c fastest, then z, then t; NGFF order is (t, c, z).
    let changes = json!({"SizeC": 2, "SizeZ": 3, "SizeT": 20, "DimOrder": "XYCZT"});
    let source = open(&with_metadata(&temp_dir("ome-size-c-z"), &changes));
    let image = plan(source.as_ref(), 1);
    assert_eq!(image.dimension_names(), ["t", "c", "z", "y", "x"]);
    assert_eq!(image.level_shape(0), [20, 2, 3, 32, 32]);
    // Frame 7 = c 1 + 2 × (z 0 + 3 × t 1).
    assert_eq!(image.frame_index(7), [1, 1, 0]);
    assert_eq!(image.frame_index(119), [19, 1, 2]);
    let attributes = image.group_attributes("s", NgffVersion::V0_4, Default::default());
    assert_eq!(
        attributes["multiscales"][0]["axes"][1],
        json!({"name": "c", "type": "channel"})
    );
    // Part of the stack (--frames): t alone, with a note (the series reader itself refuses
    // a DimOrder that does not name C, Z and T).
    let layout = source.layout().unwrap();
    let half = FrameSelection {
        start: 0,
        step: 1,
        len: 60,
    };
    let image = OmeImage::plan(source.as_ref(), &layout, &half, 1, ScaleFlags::default()).unwrap();
    assert_eq!(image.dimension_names(), ["t", "y", "x"]);
    assert!(
        image.notes.iter().any(|n| n.contains("--frames")),
        "{:?}",
        image.notes
    );
}
