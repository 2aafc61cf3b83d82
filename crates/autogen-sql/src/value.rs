//! Decoding the text of quoted tokens into what they stand for, as PostgreSQL decodes them.

use std::borrow::Cow;
use std::iter::Peekable;
use std::str::Chars;

/// `body` with every doubled `quote` standing for one.
pub(crate) fn undouble(body: &str, quote: char) -> Cow<'_, str> {
    let doubled = [quote, quote].iter().collect::<String>();
    if body.contains(&doubled) {
        Cow::Owned(body.replace(&doubled, &quote.to_string()))
    } else {
        Cow::Borrowed(body)
    }
}

/// The body of an `E'…'` string (between the quotes) with its escapes decoded: `\b \f \n \r
/// \t`, octal `\ooo`, hexadecimal `\xhh`, `\uXXXX`, `\UXXXXXXXX`, any other character after a
/// backslash standing for itself, `''` for `'`. `None` when a Unicode escape is invalid or the
/// bytes do not make UTF-8 text (PostgreSQL rejects both).
pub(crate) fn escape_string(body: &str) -> Option<String> {
    let bytes = body.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut at = 0;
    // A high surrogate waiting for its low half.
    let mut pending: Option<u32> = None;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte == b'\'' {
            // Only doubled inside a terminated string.
            out.push(b'\'');
            at += 2;
            continue;
        }
        if byte != b'\\' {
            if pending.is_some() {
                return None;
            }
            out.push(byte);
            at += 1;
            continue;
        }
        let Some(&escaped) = bytes.get(at + 1) else {
            out.push(b'\\');
            break;
        };
        at += 2;
        let code = match escaped {
            b'u' | b'U' => {
                let digits = if escaped == b'u' { 4 } else { 8 };
                let hex = body.get(at..at + digits)?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                at += digits;
                u32::from_str_radix(hex, 16).ok()?
            }
            _ if pending.is_some() => return None,
            b'b' => {
                out.push(0x08);
                continue;
            }
            b'f' => {
                out.push(0x0C);
                continue;
            }
            b'n' => {
                out.push(b'\n');
                continue;
            }
            b'r' => {
                out.push(b'\r');
                continue;
            }
            b't' => {
                out.push(b'\t');
                continue;
            }
            b'0'..=b'7' => {
                let mut value = u32::from(escaped - b'0');
                let mut digits = 1;
                while digits < 3 && bytes.get(at).is_some_and(|b| (b'0'..=b'7').contains(b)) {
                    value = value * 8 + u32::from(bytes[at] - b'0');
                    at += 1;
                    digits += 1;
                }
                // PostgreSQL keeps the low byte of `\777`.
                out.push((value & 0xFF) as u8);
                continue;
            }
            b'x' if bytes.get(at).is_some_and(u8::is_ascii_hexdigit) => {
                let mut value = 0u32;
                let mut digits = 0;
                while digits < 2 && bytes.get(at).is_some_and(u8::is_ascii_hexdigit) {
                    value = value * 16 + char::from(bytes[at]).to_digit(16)?;
                    at += 1;
                    digits += 1;
                }
                out.push(value as u8);
                continue;
            }
            _ => {
                // Any other character stands for itself (all of its bytes).
                out.push(escaped);
                continue;
            }
        };
        let mut buffer = [0u8; 4];
        match combine(&mut pending, code)? {
            Some(ch) => out.extend_from_slice(ch.encode_utf8(&mut buffer).as_bytes()),
            None => continue,
        }
    }
    if pending.is_some() || out.contains(&0) {
        return None;
    }
    String::from_utf8(out).ok()
}

/// The text of a `U&"…"` identifier or `U&'…'` string token (`quote` says which), with its
/// optional `UESCAPE 'c'` clause: the doubled quotes undoubled and the Unicode escapes
/// (`\XXXX`, `\+XXXXXX`, `\\` for the escape character itself) decoded.
pub(crate) fn unicode_quoted(text: &str, quote: char) -> Option<String> {
    let body_start = 3;
    let mut close = None;
    let mut chars = text[body_start..].char_indices().peekable();
    while let Some((at, ch)) = chars.next() {
        if ch == quote {
            if chars.peek().is_some_and(|&(_, next)| next == quote) {
                chars.next();
            } else {
                close = Some(body_start + at);
                break;
            }
        }
    }
    let close = close?;
    let clause = &text[close + 1..];
    let escape = match clause.find('\'') {
        Some(at) => clause[at + 1..].chars().next()?,
        None => '\\',
    };
    decode_unicode(&undouble(&text[body_start..close], quote), escape)
}

/// `text` with PostgreSQL's Unicode escapes decoded (`escape` then 4 hex digits, or `escape+`
/// then 6; the escape character twice stands for itself).
fn decode_unicode(text: &str, escape: char) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut pending: Option<u32> = None;
    while let Some(ch) = chars.next() {
        if ch != escape {
            if pending.is_some() {
                return None;
            }
            out.push(ch);
            continue;
        }
        let code = match chars.peek() {
            Some(&next) if next == escape && pending.is_none() => {
                chars.next();
                out.push(escape);
                continue;
            }
            Some('+') => {
                chars.next();
                hex_digits(&mut chars, 6)?
            }
            Some(_) => hex_digits(&mut chars, 4)?,
            None => return None,
        };
        if let Some(ch) = combine(&mut pending, code)? {
            out.push(ch);
        }
    }
    pending.is_none().then_some(out)
}

fn hex_digits(chars: &mut Peekable<Chars<'_>>, count: usize) -> Option<u32> {
    let mut value = 0u32;
    for _ in 0..count {
        value = value * 16 + chars.next()?.to_digit(16)?;
    }
    Some(value)
}

/// Joins UTF-16 surrogate pairs as PostgreSQL does: a high surrogate waits in `pending` for
/// its low half (`Ok(None)`); anything else is a character. `None` for an invalid code point
/// (zero, beyond U+10FFFF, an unpaired surrogate).
fn combine(pending: &mut Option<u32>, code: u32) -> Option<Option<char>> {
    let high = (0xD800..=0xDBFF).contains(&code);
    let low = (0xDC00..=0xDFFF).contains(&code);
    match pending.take() {
        Some(first) if low => {
            let combined = 0x10000 + ((first - 0xD800) << 10) + (code - 0xDC00);
            char::from_u32(combined).map(Some)
        }
        Some(_) => None,
        None if high => {
            *pending = Some(code);
            Some(None)
        }
        None if low || code == 0 => None,
        None => char::from_u32(code).map(Some),
    }
}
