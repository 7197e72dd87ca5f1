//! What the error tests share: an error's chain as one text, and the check that no error of a
//! chain prints its source's text again.

/// An error and its sources, joined as a chain printer would.
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

/// Each text of the chain once: no error prints its source's text too.
pub fn assert_no_repeats(err: &(dyn std::error::Error + 'static)) {
    let mut parent = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        assert!(!parent.contains(&text), "{parent:?} repeats {text:?}");
        parent = text;
        source = s.source();
    }
}
