//! `Series::open_live` and `Series::refresh` on a series written to disk while it is followed,
//! with PYME's own frames (the complete two-server fixture, written by PYME's spooler).

use std::path::{Path, PathBuf};

use pymecompress_pyme::series::{Series, SeriesError};
use pymecompress_test_support::pyme_series;

fn fixture() -> Vec<PathBuf> {
    pyme_series::dirs("complete", "scan_000.pcs")
}

fn copy(name: &str, server: usize, live: &[PathBuf]) {
    std::fs::copy(fixture()[server].join(name), live[server].join(name)).unwrap();
}

fn server_of(name: &str) -> usize {
    (0..2).find(|&s| fixture()[s].join(name).is_file()).unwrap()
}

fn frame(n: u32) -> String {
    format!("frame{n:05}.pzf")
}

fn live(tmp: &Path) -> Vec<PathBuf> {
    (0..2)
        .map(|i| tmp.join(format!("server{i}/scan_000.pcs")))
        .collect()
}

#[test]
fn a_series_is_followed_from_before_its_metadata_to_events_json() {
    let tmp = tempfile::tempdir().unwrap();
    let live = live(tmp.path());
    // Nothing there yet, not even the directories.
    assert!(Series::open_live(&live[0], &live[1..]).unwrap().is_none());
    for d in &live {
        std::fs::create_dir_all(d).unwrap();
    }
    copy("metadata.json", 0, &live);
    let mut series = Series::open_live(&live[0], &live[1..]).unwrap().unwrap();
    assert_eq!(series.frame_count(), 0);
    assert!(!series.is_finished());

    for n in 0..60 {
        copy(&frame(n), server_of(&frame(n)), &live);
    }
    // First seen: not taken yet (a file may still be growing).
    let found = series.refresh().unwrap();
    assert_eq!((found.new_frames, found.changed), (0, true));
    assert_eq!(series.frame_count(), 0);
    // Seen again at the same length: taken.
    let found = series.refresh().unwrap();
    assert_eq!((found.new_frames, found.changed), (60, true));
    // Nothing new: no change.
    let found = series.refresh().unwrap();
    assert_eq!((found.new_frames, found.changed), (0, false));

    // A file half written is not taken while it grows.
    let name = frame(60);
    let bytes = std::fs::read(fixture()[server_of(&name)].join(&name)).unwrap();
    let path = live[server_of(&name)].join(&name);
    std::fs::write(&path, &bytes[..10]).unwrap();
    series.refresh().unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
    let found = series.refresh().unwrap();
    assert_eq!((found.new_frames, found.changed), (0, true));
    std::fs::write(&path, &bytes).unwrap();
    series.refresh().unwrap();
    assert_eq!(series.refresh().unwrap().new_frames, 1);

    // The rest, then the end: events.json makes every listed frame taken at once.
    for n in 61..120 {
        copy(&frame(n), server_of(&frame(n)), &live);
    }
    for s in 0..2 {
        for name in ["final_metadata.json", "events.json"] {
            if fixture()[s].join(name).is_file() {
                copy(name, s, &live);
            }
        }
    }
    let found = series.refresh().unwrap();
    assert_eq!(found.new_frames, 59);
    assert!(series.is_complete());
    assert_eq!(series.events().unwrap().len(), 5);
    assert!(series.final_metadata().is_some());

    // The same as opening the finished series.
    let opened = Series::open(&live[0], &live[1..]).unwrap();
    assert_eq!(
        opened.frame_numbers().collect::<Vec<_>>(),
        series.frame_numbers().collect::<Vec<_>>()
    );
    for n in [0, 59, 60, 119] {
        assert_eq!(
            opened.read_frame(n).unwrap(),
            series.read_frame(n).unwrap(),
            "frame {n}"
        );
    }
}

#[test]
fn a_bad_frame_file_is_an_error_once_settled() {
    let tmp = tempfile::tempdir().unwrap();
    let live = live(tmp.path());
    for d in &live {
        std::fs::create_dir_all(d).unwrap();
    }
    copy("metadata.json", 0, &live);
    let mut series = Series::open_live(&live[0], &live[1..]).unwrap().unwrap();
    std::fs::write(live[0].join("frame00000.pzf"), b"not a PZF frame at all").unwrap();
    series.refresh().unwrap();
    assert!(matches!(series.refresh(), Err(SeriesError::Header { .. })));
}
