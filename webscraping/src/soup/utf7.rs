//! Python's `utf_7` codec (RFC 2152), decoded as CPython 3.11's
//! `PyUnicode_DecodeUTF7Stateful` decodes a whole input.
//!
//! UTF-7 writes ASCII as itself and everything else as UTF-16 in base64
//! between `+` and `-` (`+AOk-` is é). A page rarely declares it, but
//! charset_normalizer names it for a page that starts like a UTF-7
//! signature (`+/v8`), and bs4 then decodes with it.
//!
//! One thing a Rust `String` cannot hold: CPython writes a UTF-16 surrogate
//! that has no partner as it is (`+2D0-` decodes to `'\ud834'`, one
//! character). Here it becomes U+FFFD — also one character, so the count
//! is the same; only that character differs.
//!
//! Errors, as CPython reports them (with `errors="replace"` each is one
//! U+FFFD, and what the shift sequence decoded before it stays):
//! * a byte above 0x7F outside a shift sequence: one byte;
//! * `+` followed by a byte that is neither `-` nor base64: the two bytes;
//! * a shift sequence ending with six or more bits left over, or with
//!   non-zero padding bits: from its `+` to the byte that ended it;
//! * a shift sequence still open at the end in such a state: from its `+`
//!   to the end.

/// Where a lone surrogate stood (see the module docs).
const LONE_SURROGATE: char = '\u{FFFD}';

fn is_base64(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'+' || byte == b'/'
}

fn from_base64(byte: u8) -> u32 {
    u32::from(match byte {
        b'A'..=b'Z' => byte - b'A',
        b'a'..=b'z' => byte - b'a' + 26,
        b'0'..=b'9' => byte - b'0' + 52,
        b'+' => 62,
        _ => 63,
    })
}

/// A byte that stands for itself: any ASCII byte but `+`.
fn decodes_direct(byte: u8) -> bool {
    byte <= 0x7F && byte != b'+'
}

fn push_unit(text: &mut String, unit: u32) {
    text.push(char::from_u32(unit).unwrap_or(LONE_SURROGATE));
}

/// `bytes` decoded as Python's `utf_7` does: with `lossy`, as
/// `errors="replace"`; without, as `errors="strict"` (`None` where Python
/// raises).
pub(super) fn decode(bytes: &[u8], lossy: bool) -> Option<String> {
    let mut text = String::with_capacity(bytes.len());
    let mut at = 0;
    let mut in_shift = false;
    // Where the current shift sequence's `+` is: the start of its errors.
    let mut shift_start = 0;
    let mut bits = 0_u32;
    let mut buffer = 0_u64;
    let mut surrogate = 0_u32;
    while at < bytes.len() {
        let byte = bytes[at];
        // The error this byte makes, as the byte range it spans.
        let error: Option<(usize, usize)> = if in_shift {
            if is_base64(byte) {
                buffer = (buffer << 6) | u64::from(from_base64(byte));
                bits += 6;
                at += 1;
                if bits >= 16 {
                    let unit = ((buffer >> (bits - 16)) & 0xFFFF) as u32;
                    bits -= 16;
                    buffer &= (1 << bits) - 1;
                    if surrogate != 0 {
                        if (0xDC00..0xE000).contains(&unit) {
                            let joined =
                                0x10000 + ((surrogate - 0xD800) << 10) + (unit - 0xDC00);
                            push_unit(&mut text, joined);
                            surrogate = 0;
                            continue;
                        }
                        push_unit(&mut text, surrogate);
                        surrogate = 0;
                    }
                    if (0xD800..0xDC00).contains(&unit) {
                        surrogate = unit;
                    } else {
                        push_unit(&mut text, unit);
                    }
                }
                None
            } else {
                in_shift = false;
                if bits >= 6 || (bits > 0 && buffer != 0) {
                    // A partial character, or padding bits that are not zero.
                    at += 1;
                    Some((shift_start, at))
                } else {
                    if surrogate != 0 && decodes_direct(byte) {
                        push_unit(&mut text, surrogate);
                    }
                    surrogate = 0;
                    // '-' ends the sequence and is absorbed; any other byte
                    // ends it and is read next.
                    if byte == b'-' {
                        at += 1;
                    }
                    None
                }
            }
        } else if byte == b'+' {
            shift_start = at;
            at += 1;
            match bytes.get(at) {
                Some(b'-') => {
                    at += 1;
                    text.push('+');
                    None
                }
                Some(&next) if !is_base64(next) => {
                    at += 1;
                    Some((shift_start, at))
                }
                _ => {
                    in_shift = true;
                    surrogate = 0;
                    bits = 0;
                    buffer = 0;
                    None
                }
            }
        } else if decodes_direct(byte) {
            at += 1;
            text.push(char::from(byte));
            None
        } else {
            at += 1;
            Some((at - 1, at))
        };
        if error.is_some() {
            if !lossy {
                return None;
            }
            text.push('\u{FFFD}');
        }
    }
    // The end, inside a shift sequence left in an inconsistent state: one
    // error from its '+' to the end.
    if in_shift && (surrogate != 0 || bits >= 6 || (bits > 0 && buffer != 0)) {
        if !lossy {
            return None;
        }
        text.push('\u{FFFD}');
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::decode;

    fn strict(bytes: &[u8]) -> Option<String> {
        decode(bytes, false)
    }

    fn replace(bytes: &[u8]) -> String {
        decode(bytes, true).expect("replace never fails")
    }

    /// Each as CPython 3.11 prints `data.decode("utf-7", errors)`.
    #[test]
    fn decodes_as_cpython() {
        assert_eq!(strict(b"caf+AOk-").as_deref(), Some("café"));
        assert_eq!(strict(b"1 +- 1").as_deref(), Some("1 + 1"));
        // A pair of surrogates is one character; one alone is kept (here
        // as U+FFFD, one character as in Python).
        assert_eq!(strict(b"+2D3dQA-").as_deref(), Some("\u{1F540}"));
        assert_eq!(strict(b"+2D0-").as_deref(), Some("\u{FFFD}"));
        // charset_normalizer's UTF-7 signature: a byte-order mark, U+FEFF.
        assert_eq!(strict(b"+/v8-").as_deref(), Some("\u{FEFF}"));
        // Errors: a byte above 0x7F; '+' and a byte that cannot follow it;
        // a partial character when the sequence ends.
        assert_eq!(strict(b"\xe9"), None);
        assert_eq!(replace(b"a\xe9b"), "a\u{FFFD}b");
        assert_eq!(replace(b"+!x"), "\u{FFFD}x");
        assert_eq!(replace(b"+AOkA-x"), "é\u{FFFD}x");
        // Still open at the end: the sequence is an error, what it decoded
        // stays.
        assert_eq!(replace(b"+AOkA"), "é\u{FFFD}");
        assert_eq!(strict(b"+AOk").as_deref(), Some("é"));
    }
}
