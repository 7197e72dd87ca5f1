//! PYME's tile key schema: a Python format string such as
//! `{level:d}/{z:03d}/{x:03d}/{y:03d}_{suff}{ext}`, which `PYME/IO/zarr_compat.py` fills with
//! `str.format(level=, z=, x=, y=, suff=, ext=)` to name a tile file.
//!
//! Only the subset PYME's schemas use is implemented: `{name}`, `{name:d}` and `{name:0Nd}`
//! (zero-padded to at least N digits), `{{` and `}}`, for the names `level`, `z`, `x`, `y`
//! (integers) and `suff`, `ext` (the suffix and extension strings, substituted once here). Any
//! other field or format spec is refused with the reason, where PYME would either raise inside
//! `format` (and then not map the key) or write names we cannot predict.

use super::TileStoreError;

/// The integer fields of a chunk key `level/z/x/y`, in that order.
const INT_FIELDS: [&str; 4] = ["level", "z", "x", "y"];

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Literal(String),
    /// Index into `level, z, x, y`, and the minimum width (zero-padded; 0 for none).
    Int {
        field: usize,
        width: usize,
    },
}

/// A parsed schema with the suffix and extension substituted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeySchema {
    tokens: Vec<Token>,
}

impl KeySchema {
    /// Parses `schema`, substituting `suffix` for `{suff}` and `extension` for `{ext}`.
    ///
    /// # Errors
    /// [`TileStoreError::UnsupportedKeySchema`] naming the schema and what is not supported:
    /// an unknown field, a format spec other than none, `d` or `0Nd`, a conversion (`!r`),
    /// an unmatched brace, or a path component `.`, `..` or empty (which would leave the
    /// store's directory or name no file).
    pub(crate) fn parse(
        schema: &str,
        suffix: &str,
        extension: &str,
    ) -> Result<Self, TileStoreError> {
        let unsupported = |reason: String| TileStoreError::UnsupportedKeySchema {
            schema: schema.to_string(),
            reason,
        };
        let mut tokens = Vec::new();
        let mut literal = String::new();
        let mut chars = schema.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => return Err(unsupported("single '}' outside a field".into())),
                '{' => {
                    let mut field = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some('{') => return Err(unsupported("'{' inside a field".into())),
                            Some(c) => field.push(c),
                            None => return Err(unsupported("unterminated field".into())),
                        }
                    }
                    let (name, spec) = field.split_once(':').unwrap_or((&field, ""));
                    match name {
                        "suff" | "ext" if spec.is_empty() => {
                            literal.push_str(if name == "suff" { suffix } else { extension });
                        }
                        "suff" | "ext" => {
                            return Err(unsupported(format!(
                                "format spec `{spec}` on the string field `{name}`"
                            )))
                        }
                        _ => {
                            let Some(index) = INT_FIELDS.iter().position(|f| *f == name) else {
                                return Err(unsupported(format!(
                                    "field `{name}`; known: level, z, x, y, suff, ext"
                                )));
                            };
                            let width = int_width(spec).ok_or_else(|| {
                                unsupported(format!(
                                    "format spec `{spec}` of `{name}`; supported: none, d, 0Nd"
                                ))
                            })?;
                            if !literal.is_empty() {
                                tokens.push(Token::Literal(std::mem::take(&mut literal)));
                            }
                            tokens.push(Token::Int {
                                field: index,
                                width,
                            });
                        }
                    }
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        let parsed = Self { tokens };
        parsed.check_components().map_err(unsupported)?;
        Ok(parsed)
    }

    /// Refuses path components that are entirely literal and `.`, `..` or empty: integer
    /// fields always give digits, so only those could leave the store or name no file.
    fn check_components(&self) -> Result<(), String> {
        // Render with a placeholder digit for every field and look at the components.
        let rendered = self.format([0; 4]);
        for component in rendered.split('/') {
            if component.is_empty() || component == "." || component == ".." {
                return Err(format!(
                    "path component `{component}` (empty, `.` or `..`) in `{rendered}`"
                ));
            }
        }
        Ok(())
    }

    /// The file key for chunk `[level, z, x, y]`, as `str.format` gives it.
    pub(crate) fn format(&self, indices: [u64; 4]) -> String {
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(text) => out.push_str(text),
                Token::Int { field, width } => {
                    out.push_str(&format!("{:0width$}", indices[*field], width = *width));
                }
            }
        }
        out
    }

    /// The chunk indices `[level, z, x, y]` a file key stands for, if it is one this schema
    /// writes; fields absent from the schema are 0 (PYME writes every tile at z = 0).
    pub(crate) fn parse_key(&self, key: &str) -> Option<[u64; 4]> {
        let mut found = [None; 4];
        if !self.match_from(0, key, &mut found) {
            return None;
        }
        let indices = found.map(|v| v.unwrap_or(0));
        // Only keys the schema would write itself (no extra leading zeros).
        (self.format(indices) == key).then_some(indices)
    }

    /// Backtracking match of `tokens[at..]` against `rest`; a field met twice must agree.
    fn match_from(&self, at: usize, rest: &str, found: &mut [Option<u64>; 4]) -> bool {
        let Some(token) = self.tokens.get(at) else {
            return rest.is_empty();
        };
        match token {
            Token::Literal(text) => rest
                .strip_prefix(text.as_str())
                .is_some_and(|rest| self.match_from(at + 1, rest, found)),
            Token::Int { field, width } => {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                // Longest first; a u64 has at most 20 digits.
                for len in (1..=digits.min(20)).rev() {
                    let Ok(value) = rest[..len].parse::<u64>() else {
                        continue;
                    };
                    // Only the digits `format` writes for this value (no extra zeros).
                    if format!("{value:0width$}", width = *width) != rest[..len] {
                        continue;
                    }
                    if found[*field].is_some_and(|v| v != value) {
                        continue;
                    }
                    let before = found[*field];
                    found[*field] = Some(value);
                    if self.match_from(at + 1, &rest[len..], found) {
                        return true;
                    }
                    found[*field] = before;
                }
                false
            }
        }
    }
}

/// The zero-padded width of an integer format spec: `""` and `"d"` give 0, `"0Nd"` gives N.
fn int_width(spec: &str) -> Option<usize> {
    match spec {
        "" | "d" => Some(0),
        _ => {
            let digits = spec.strip_prefix('0')?.strip_suffix('d')?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Python accepts any width; a path component wider than this is no file name.
            digits.parse::<usize>().ok().filter(|&w| w <= 255)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULT: &str = "{level:d}/{z:03d}/{x:03d}/{y:03d}_{suff}{ext}";

    #[test]
    fn formats_like_python() {
        let s = KeySchema::parse(DEFAULT, "img", ".pzf").unwrap();
        assert_eq!(s.format([0, 0, 1, 2]), "0/000/001/002_img.pzf");
        assert_eq!(s.format([12, 0, 1234, 5]), "12/000/1234/005_img.pzf");
        // PYME's legacy schema names x twice and has no z.
        let legacy = "{level:d}/{x:03d}/{x:03d}_{y:03d}_{suff}{ext}";
        let s = KeySchema::parse(legacy, "img", ".pzf").unwrap();
        assert_eq!(s.format([1, 7, 3, 4]), "1/003/003_004_img.pzf");
        let s = KeySchema::parse("{{a}}/{level}/{x}_{y:05d}", "", "").unwrap();
        assert_eq!(s.format([3, 0, 4, 42]), "{a}/3/4_00042");
    }

    #[test]
    fn file_keys_parse_back_to_chunk_indices() {
        let s = KeySchema::parse(DEFAULT, "img", ".pzf").unwrap();
        assert_eq!(s.parse_key("0/000/001/002_img.pzf"), Some([0, 0, 1, 2]));
        assert_eq!(s.parse_key("3/000/1234/005_img.pzf"), Some([3, 0, 1234, 5]));
        assert_eq!(s.parse_key("0/000/001/002_acc.pzf"), None);
        assert_eq!(s.parse_key("0/000/01/002_img.pzf"), None);
        assert_eq!(s.parse_key("0/.zarray"), None);
        let legacy = "{level:d}/{x:03d}/{x:03d}_{y:03d}_{suff}{ext}";
        let s = KeySchema::parse(legacy, "img", ".pzf").unwrap();
        assert_eq!(s.parse_key("1/003/003_004_img.pzf"), Some([1, 0, 3, 4]));
        assert_eq!(s.parse_key("1/003/002_004_img.pzf"), None);
        // Adjacent fields need backtracking.
        let s = KeySchema::parse("{level}/{x:02d}{y:02d}", "", "").unwrap();
        assert_eq!(s.parse_key("0/0312"), Some([0, 0, 3, 12]));
    }

    #[test]
    fn unsupported_schemas_are_refused_with_the_reason() {
        let cases = [
            ("{level}/{w}", "field `w`"),
            ("{level}/{x:>5}", "format spec `>5`"),
            ("{level}/{x:3d}", "format spec `3d`"),
            ("{level}/{x!r}", "field `x!r`"),
            ("{level}/{suff:d}", "string field `suff`"),
            ("{level}/{x", "unterminated"),
            ("{level}}/{x}", "single '}'"),
            ("../{level}/{x}", "`..`"),
            ("{level}//{x}", "empty"),
            ("/{level}/{x}", "empty"),
            ("{0}/{x}", "field `0`"),
        ];
        for (schema, expected) in cases {
            let err = KeySchema::parse(schema, "img", ".pzf")
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{schema}: {err}");
            assert!(err.contains(schema), "{schema}: {err}");
        }
        let err = KeySchema::parse("{level}/{x}{ext}", "img", "/../x").unwrap_err();
        assert!(err.to_string().contains("`..`"), "{err}");
    }
}
