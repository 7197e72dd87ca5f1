//! PYME's `.h5` reader on any bytes: the whole input is the file. Opens it and reads what a
//! command would (layout, missing frames, metadata, every payload and frame up to 64).
//!
//! Checks: no panic, and none caught either: the reader's calls run under `catch_unwind`
//! (`H5Error::Panicked`), which would hide a bug in the HDF5 crate from the fuzzer, so a
//! caught panic fails here. Every error is `SourceError::H5` naming the file.

use pymecompress_pyme::{FrameSource, H5Error, H5File, SourceError};

fn check(result: Result<(), SourceError>) {
    match result {
        Ok(()) => {}
        Err(SourceError::H5 { path, source, .. }) => {
            assert_eq!(path.to_str(), Some("fuzz.h5"));
            if let H5Error::Panicked(message) = source {
                panic!("the HDF5 reader panicked: {message}");
            }
        }
        // Frame reads may also fail as PZF or size errors of the decoded frame.
        Err(_) => {}
    }
}

/// One input: see the module's documentation for its layout and what is checked.
pub fn run(data: &[u8]) {
    let file = match H5File::from_bytes("fuzz.h5", data.to_vec()) {
        Ok(file) => file,
        Err(e) => {
            assert!(matches!(e, SourceError::H5 { .. }), "{e:?}");
            return check(Err(e));
        }
    };
    let _ = file.missing();
    let _ = file.metadata().len();
    let layout = file.layout();
    for i in 0..file.len().min(64) {
        check(file.payload(i).map(|_| ()));
        check(match &layout {
            Ok(layout) => {
                let mut frame = vec![0u8; layout.frame_bytes()];
                file.read_frame_into(i, &mut frame).map(|_| ())
            }
            Err(_) => file.read_frame(i).map(|_| ()),
        });
    }
}
