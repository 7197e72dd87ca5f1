//! A series URL with and without the `http` cargo feature: with it, `open_source` asks the
//! server (here nothing listens: refused, naming the listing); without it, the URL is refused
//! saying which feature is off. Either way a typed `SourceError::Http` naming the URL.

use std::path::Path;

use pymecompress_pyme::{open_source, SourceError};

#[test]
fn a_series_url_is_a_typed_http_error_with_or_without_the_feature() {
    // Port 1 on loopback: nothing listens there (a privileged port no test server takes).
    let url = "http://127.0.0.1:1/data/scan_000.pcs";
    let e = match open_source(Path::new(url), &[]) {
        Err(SourceError::Http(e)) => e,
        other => panic!("expected SourceError::Http, got {other:?}"),
    };
    if cfg!(feature = "http") {
        assert_eq!(e.url, format!("{url}/"));
        assert!(e.what.contains("refuses connections"), "{e}");
    } else {
        assert_eq!(e.url, url);
        assert!(e.what.contains("feature `http`"), "{e}");
    }
}
