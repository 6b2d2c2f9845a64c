//! Turns the bytes of a runbook file into text. Refuses binary data and invalid UTF-8 saying
//! where; strips a BOM; decodes UTF-16 by its BOM; and repairs UTF-8 that was once decoded in a
//! legacy 8-bit encoding (Mac Roman, Windows-1252, Latin-1) and encoded again, as happens to
//! runbooks after a trip through e-mail or a wiki export ("T·ªîNG QUAN" for "TỔNG QUAN").

use encoding_rs::{Encoding, MACINTOSH, UTF_16BE, UTF_16LE, WINDOWS_1252};
use std::fmt;

/// A legacy encoding that text was wrongly decoded with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mojibake {
    /// Mac OS Roman (the classic Mac's).
    MacRoman,
    /// Windows-1252 (Western European Windows).
    Windows1252,
    /// ISO 8859-1.
    Latin1,
}

impl fmt::Display for Mojibake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MacRoman => "Mac Roman",
            Self::Windows1252 => "Windows-1252",
            Self::Latin1 => "Latin-1",
        })
    }
}

impl Mojibake {
    const ALL: [Self; 3] = [Self::MacRoman, Self::Windows1252, Self::Latin1];

    /// The bytes `text` came from if it was decoded with this encoding; `None` if some character
    /// cannot come from it.
    fn bytes_of(self, text: &str) -> Option<Vec<u8>> {
        match self {
            Self::MacRoman => encode_exact(MACINTOSH, text),
            Self::Windows1252 => encode_exact(WINDOWS_1252, text),
            Self::Latin1 => text.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect(),
        }
    }
}

fn encode_exact(enc: &'static Encoding, text: &str) -> Option<Vec<u8>> {
    let (bytes, _, unmappable) = enc.encode(text);
    (!unmappable).then(|| bytes.into_owned())
}

/// Why the bytes are not text warroom can read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// Nothing but white space.
    #[error("the file is empty")]
    Empty,
    /// A NUL byte: a binary file, not text.
    #[error("not a text file: binary data (a NUL byte) at line {line}, byte {offset}")]
    Binary {
        /// The line it is on, from 1.
        line: usize,
        /// Its position in the file, in bytes from 0 (after a UTF-8 BOM).
        offset: usize,
    },
    /// A byte that cannot start a UTF-8 character: a file saved in another encoding.
    #[error(
        "not UTF-8 text: byte 0x{byte:02X} at line {line}, column {column} cannot start a character; save the file as UTF-8"
    )]
    InvalidUtf8 {
        /// The line it is on, from 1.
        line: usize,
        /// The character position in that line, from 1.
        column: usize,
        /// The byte itself.
        byte: u8,
    },
}

/// Text ready to parse, and what was done to get it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, in UTF-8, without a BOM; repaired lines already repaired.
    pub text: String,
    /// Encodings that were undone, with the number of lines each repaired.
    pub repairs: Vec<(Mojibake, usize)>,
    /// `UTF-16LE` or `UTF-16BE` when the file was UTF-16.
    pub source_encoding: Option<&'static str>,
}

impl Decoded {
    /// One sentence for the import report, if anything was repaired.
    pub fn repair_note(&self) -> Option<String> {
        if self.repairs.is_empty() {
            return None;
        }
        let parts: Vec<String> =
            self.repairs.iter().map(|(enc, lines)| format!("{lines} line(s) read once as {enc}")).collect();
        Some(format!("repaired double-encoded UTF-8 ({}) before parsing", parts.join(", ")))
    }
}

/// Decodes a runbook file's bytes; see the module doc.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let (text, source_encoding) = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (UTF_16LE.decode_without_bom_handling(rest).0, Some("UTF-16LE"))
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (UTF_16BE.decode_without_bom_handling(rest).0, Some("UTF-16BE"))
    } else {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if let Some(offset) = bytes.iter().position(|&b| b == 0) {
            return Err(DecodeError::Binary { line: line_of(bytes, offset), offset });
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => (std::borrow::Cow::Borrowed(s), None),
            Err(e) => {
                let at = e.valid_up_to();
                let line_start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                let column = String::from_utf8_lossy(&bytes[line_start..at]).chars().count() + 1;
                return Err(DecodeError::InvalidUtf8 { line: line_of(bytes, at), column, byte: bytes[at] });
            }
        }
    };
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    let (fixed, repairs) = repaired(&text);
    let text = fixed.unwrap_or_else(|| text.into_owned());
    Ok(Decoded { text, repairs, source_encoding })
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Repairs each line that is UTF-8 decoded once in a legacy encoding; lines edited after the
/// damage (or never damaged) stay as they are. Repeats for text damaged more than once.
pub fn repair(text: &str) -> (String, Vec<(Mojibake, usize)>) {
    let (fixed, counts) = repaired(text);
    (fixed.unwrap_or_else(|| text.to_owned()), counts)
}

/// The repaired text, `None` when no line needed it, and the lines each encoding repaired.
fn repaired(text: &str) -> (Option<String>, Vec<(Mojibake, usize)>) {
    let mut counts: Vec<(Mojibake, usize)> = Vec::new();
    // Written only from the first repaired line on: most files have none, and a copy of every
    // line of a big file is memory the process must first fault in.
    let mut out: Option<String> = None;
    let mut done = 0;
    let mut next = 0;
    for line in text.split('\n') {
        let start = next;
        next += line.len() + 1;
        let mut fixed: Option<String> = None;
        // Three rounds undo text that was damaged up to three times.
        for _ in 0..3 {
            let Some((again, enc)) = repair_line(fixed.as_deref().unwrap_or(line)) else {
                break;
            };
            fixed = Some(again);
            match counts.iter_mut().find(|(e, _)| *e == enc) {
                Some((_, n)) => *n += 1,
                None => counts.push((enc, 1)),
            }
        }
        if let Some(fixed) = fixed {
            let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(&text[done..start]);
            out.push_str(&fixed);
            done = start + line.len();
        }
    }
    counts.sort();
    let out = out.map(|mut out| {
        out.push_str(&text[done..]);
        out
    });
    (out, counts)
}

/// Whether every character could come from one of the legacy encodings: a cheap superset
/// test that lets real Vietnamese (ế, ạ, ờ are in none of them) skip the full check.
fn legacy_repertoire(line: &str) -> bool {
    line.chars().all(|c| {
        let u = u32::from(c);
        u < 0x0250
            || (0x02C6..=0x02DD).contains(&u)
            || (0x0390..=0x03C9).contains(&u)
            || (0x2010..=0x2265).contains(&u)
            || u == 0x25CA
            || u == 0xF8FF
            || u == 0xFB01
            || u == 0xFB02
    })
}

fn repair_line(line: &str) -> Option<(String, Mojibake)> {
    if line.is_ascii() || !legacy_repertoire(line) {
        return None;
    }
    Mojibake::ALL.into_iter().find_map(|enc| {
        let bytes = enc.bytes_of(line)?;
        let fixed = String::from_utf8(bytes).ok()?;
        // Undoing mojibake always joins several characters into one.
        (fixed.chars().count() < line.chars().count() && plausible(&fixed)).then_some((fixed, enc))
    })
}

/// Text a person wrote: no control characters, no combining mark with nothing under it.
fn plausible(text: &str) -> bool {
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if (c.is_control() && c != '\t' && c != '\r')
            || (unicode_normalization::char::is_combining_mark(c)
                && prev.is_none_or(|p| p.is_whitespace() || p.is_control()))
        {
            return false;
        }
        prev = Some(c);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn damage(text: &str, enc: &'static Encoding) -> String {
        enc.decode_without_bom_handling(text.as_bytes()).0.into_owned()
    }

    #[test]
    fn repairs_mac_roman_mojibake() {
        let damaged = damage("## TỔNG QUAN — Khung giờ", MACINTOSH);
        assert_eq!(damaged, "## T·ªîNG QUAN ‚Äî Khung gi·ªù");
        let d = decode(damaged.as_bytes()).unwrap();
        assert_eq!(d.text, "## TỔNG QUAN — Khung giờ");
        assert_eq!(d.repairs, vec![(Mojibake::MacRoman, 1)]);
        assert!(d.repair_note().unwrap().contains("Mac Roman"));
    }

    #[test]
    fn repairs_windows_1252_and_latin1() {
        let damaged = damage("Liên hệ khẩn cấp", WINDOWS_1252);
        assert_eq!(repair(&damaged).0, "Liên hệ khẩn cấp");
        let latin1: String = "Đà Nẵng".bytes().map(char::from).collect();
        let (fixed, how) = repair(&latin1);
        assert_eq!(fixed, "Đà Nẵng");
        assert_eq!(how.len(), 1);
    }

    #[test]
    fn every_legacy_character_passes_the_quick_filter() {
        for enc in [MACINTOSH, WINDOWS_1252] {
            let all: Vec<u8> = (0x80..=0xFF).collect();
            let text = enc.decode_without_bom_handling(&all).0.into_owned();
            assert!(legacy_repertoire(&text), "{}: {text}", enc.name());
        }
        assert!(!legacy_repertoire("Chuẩn bị"));
    }

    #[test]
    fn leaves_good_text_alone() {
        for s in ["Café crème", "TỔNG QUAN", "plain ascii", "naïve © 2026", "Ã© on purpose?"] {
            let (fixed, how) = repair(s);
            if s == "Ã© on purpose?" {
                // Indistinguishable from damage; documenting that it is repaired.
                assert_eq!(fixed, "é on purpose?");
            } else {
                assert_eq!((fixed.as_str(), how.len()), (s, 0), "{s}");
            }
        }
    }

    #[test]
    fn repairs_only_the_damaged_lines_of_a_file_and_keeps_the_rest_byte_for_byte() {
        let lines = ["# Runbook", "", "Đà Nẵng", "| 06:00 | Dừng dịch vụ |", "Giờ", "last, no newline"];
        let damaged: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i == 2 || i == 4 { damage(l, MACINTOSH) } else { (*l).to_owned() })
            .collect();
        let (fixed, how) = repair(&damaged.join("\n"));
        assert_eq!(fixed, lines.join("\n"));
        assert_eq!(how, vec![(Mojibake::MacRoman, 2)]);
        let untouched = lines.join("\r\n");
        assert_eq!(repair(&untouched), (untouched.clone(), vec![]));
    }

    #[test]
    fn repairs_twice_damaged_text() {
        let twice = damage(&damage("Giờ", MACINTOSH), WINDOWS_1252);
        assert_eq!(repair(&twice).0, "Giờ");
    }

    #[test]
    fn refuses_binary_and_invalid_utf8_with_position() {
        assert_eq!(decode(b"").unwrap_err(), DecodeError::Empty);
        assert_eq!(decode(b"  \n\n").unwrap_err(), DecodeError::Empty);
        assert_eq!(decode(b"# a\nb\x00c").unwrap_err(), DecodeError::Binary { line: 2, offset: 5 });
        assert_eq!(decode(b"# T\nab\xE9c\n").unwrap_err(), DecodeError::InvalidUtf8 { line: 2, column: 3, byte: 0xE9 });
    }

    #[test]
    fn decodes_utf16_and_strips_bom() {
        let mut b = vec![0xFF, 0xFE];
        for u in "# Giờ".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode(&b).unwrap();
        assert_eq!((d.text.as_str(), d.source_encoding), ("# Giờ", Some("UTF-16LE")));
        assert_eq!(decode("\u{FEFF}# x".as_bytes()).unwrap().text, "# x");
    }
}
