//! Times as runbooks write them: `6:00`, `06:00`, `6:00 AM`, `12:30 PM`, `18:30`, `6h30`,
//! ranges `6:00 - 6:30` (open-ended `12:00+`), offsets `+24h`, and durations `10 min`.

use warroom_model::ClockTime;

/// Why a time did not parse, worded for the import report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadTime(pub String);

fn bad(text: &str, why: &str) -> BadTime {
    BadTime(format!("`{text}` is not a time: {why}"))
}

const EXPECTED: &str = "expected HH:MM (24 h) such as 06:30 or 18:30, or 6:30 AM";

/// Splits a trailing AM/PM marker (also `SA`/`CH`, Vietnamese morning/afternoon) off `s`.
fn meridiem(s: &str) -> (&str, Option<bool>) {
    let t = s.trim_end();
    let lower = t.to_lowercase();
    for (suffix, pm) in [("a.m.", false), ("p.m.", true), ("am", false), ("pm", true), ("sa", false), ("ch", true)] {
        if lower.ends_with(suffix) && t.len() >= suffix.len() {
            let head = &t[..t.len() - suffix.len()];
            if head.ends_with(|c: char| c.is_ascii_digit() || c.is_whitespace() || c == 'h') {
                return (head.trim_end(), Some(pm));
            }
        }
    }
    (t, None)
}

/// Parses one time of day.
pub fn parse_time(text: &str) -> Result<ClockTime, BadTime> {
    let raw = text.trim();
    let (body, pm) = meridiem(raw);
    let body = body.trim();
    if body.is_empty() {
        return Err(bad(raw, EXPECTED));
    }
    let (h, m) = match body.find([':', 'h', 'H', '.']) {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !(m.is_empty() || (digits(m) && m.len() == 2)) {
        return Err(bad(raw, EXPECTED));
    }
    // A bare number is only a time with AM/PM ("6 PM") or an `h` ("6h"); otherwise it is a count.
    if m.is_empty() && pm.is_none() && !body.ends_with(['h', 'H']) {
        return Err(bad(raw, EXPECTED));
    }
    let mut hour: u32 = h.parse().map_err(|_| bad(raw, EXPECTED))?;
    let minute: u32 = if m.is_empty() { 0 } else { m.parse().map_err(|_| bad(raw, EXPECTED))? };
    if let Some(pm) = pm {
        if hour == 0 || hour > 12 {
            return Err(bad(raw, "with AM/PM the hour must be 1–12"));
        }
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    ClockTime::new(hour, minute).ok_or_else(|| bad(raw, "hours run 00–23 and minutes 00–59"))
}

/// A range `start - end`; `open` when the end is written `12:00+`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// Where it starts.
    pub start: ClockTime,
    /// Where it ends; earlier than `start` when it runs past midnight.
    pub end: ClockTime,
    /// Written `12:00+`: it may run past its end.
    pub open: bool,
}

/// Parses `6:00 - 6:30`, `6:00 AM – 12:00 PM`, `23:30 → 00:15`, `11:00 - 12:00+`, `8:00 đến 9:00`.
pub fn parse_range(text: &str) -> Result<Range, BadTime> {
    let t = text.trim();
    let seps = [" - ", " – ", " — ", "–", "—", "→", "->", " to ", " đến ", " den ", "-"];
    let (a, b) = seps
        .iter()
        .find_map(|sep| t.split_once(sep))
        .ok_or_else(|| BadTime(format!("`{t}` is not a time range: expected START - END such as 6:00 - 6:30")))?;
    let b = b.trim();
    let (b, open) = match b.strip_suffix('+') {
        Some(rest) => (rest, true),
        None => (b, false),
    };
    let end = parse_time(b)?;
    // `6:00 - 12:00 PM` shares the end's marker when the start has none and is before noon.
    let start = match (meridiem(a).1, meridiem(b).1) {
        // `10 - 11 PM` is 22:00 - 23:00, `6:00 - 12:00 PM` is 06:00 - 12:00.
        (None, Some(pm)) => {
            let same = parse_time(&format!("{a} {}", if pm { "PM" } else { "AM" }));
            match same {
                Ok(t) if t <= end => t,
                _ => parse_time(&format!("{a} AM")).or_else(|_| parse_time(a))?,
            }
        }
        _ => parse_time(a)?,
    };
    Ok(Range { start, end, open })
}

/// Finds a time inside free text (`trước 11:00 AM`): the first token that reads as one.
pub fn find_time(text: &str) -> Option<ClockTime> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(pos, c)) in chars.iter().enumerate() {
        let starts = c.is_ascii_digit() && (i == 0 || !chars[i - 1].1.is_ascii_digit());
        if !starts {
            continue;
        }
        let rest = &text[pos..];
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ':' || c == 'h')).unwrap_or(rest.len());
        let token = &rest[..end];
        if !token.contains([':', 'h']) {
            continue;
        }
        // Take an AM/PM that follows, then fall back to the bare token.
        let with_marker: String = rest.chars().take(token.chars().count() + 5).collect();
        let marker = with_marker[token.len()..].trim_start().to_lowercase();
        let candidate = if ["am", "pm", "a.m", "p.m"].iter().any(|m| marker.starts_with(m)) {
            format!("{token} {}", &marker[..2])
        } else {
            token.to_owned()
        };
        if let Ok(t) = parse_time(&candidate).or_else(|_| parse_time(token)) {
            return Some(t);
        }
    }
    None
}

/// Parses an offset `+24h`, `+30m`, `+1d`, `+1h30`, `T+2h` into minutes.
pub fn parse_offset(text: &str) -> Option<u32> {
    let t = text.trim();
    let t = t.strip_prefix("T").or_else(|| t.strip_prefix("t")).unwrap_or(t);
    let body = t.strip_prefix('+')?.trim();
    parse_duration(body)
}

/// Parses a duration: `10 min`, `10m`, `1h`, `1h30`, `1.5h`, `2 days`, `15 phút`, `2 giờ`.
pub fn parse_duration(text: &str) -> Option<u32> {
    let t = text.trim().trim_start_matches('~').trim().to_lowercase();
    let num_end = t.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(t.len());
    let (num, unit) = t.split_at(num_end);
    let value: f64 = num.replace(',', ".").parse().ok()?;
    let unit = unit.trim();
    let (per, rest) = [
        ("minutes", 1.0),
        ("minute", 1.0),
        ("mins", 1.0),
        ("min", 1.0),
        ("phút", 1.0),
        ("m", 1.0),
        ("'", 1.0),
        ("hours", 60.0),
        ("hour", 60.0),
        ("hrs", 60.0),
        ("hr", 60.0),
        ("giờ", 60.0),
        ("h", 60.0),
        ("days", 1440.0),
        ("day", 1440.0),
        ("ngày", 1440.0),
        ("d", 1440.0),
    ]
    .iter()
    .find_map(|(u, per)| unit.strip_prefix(u).map(|rest| (*per, rest.trim())))?;
    let mut minutes = value * per;
    // `1h30` adds minutes; words after the unit (`24h đầu tiên`) are commentary.
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        if per != 60.0 {
            return None;
        }
        let extra: f64 = rest.trim_end_matches(['m', '\'']).trim().parse().ok()?;
        minutes += extra;
    }
    (minutes >= 0.0 && minutes < f64::from(u32::MAX)).then_some(minutes.round() as u32)
}

/// Splits a trailing `(10 min)` off a title.
pub fn split_duration_suffix(title: &str) -> (String, Option<u32>) {
    let t = title.trim_end();
    if let Some(open) = t.rfind('(')
        && t.ends_with(')')
        && let Some(d) = parse_duration(&t[open + 1..t.len() - 1])
    {
        return (t[..open].trim_end().to_owned(), Some(d));
    }
    (t.to_owned(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        parse_time(s).map(|t| t.to_string()).unwrap_or_else(|e| e.0)
    }

    #[test]
    fn times_in_every_written_form() {
        assert_eq!(t("6:00"), "06:00");
        assert_eq!(t("06:00"), "06:00");
        assert_eq!(t("6:00 AM"), "06:00");
        assert_eq!(t("12:30 PM"), "12:30");
        assert_eq!(t("12:15 AM"), "00:15");
        assert_eq!(t("6:45pm"), "18:45");
        assert_eq!(t("18:30"), "18:30");
        assert_eq!(t("6h30"), "06:30");
        assert_eq!(t("6h"), "06:00");
        assert_eq!(t("7 PM"), "19:00");
        assert_eq!(t("9:15 SA"), "09:15");
    }

    #[test]
    fn bad_times_say_what_was_expected() {
        assert!(t("25:99").contains("hours run 00–23"), "{}", t("25:99"));
        assert!(t("12:60").contains("minutes 00–59"));
        assert!(t("13:00 PM").contains("1–12"));
        assert!(t("soon").contains("expected HH:MM"));
        assert!(t("7").contains("expected HH:MM"));
        assert!(t("").contains("expected"));
    }

    #[test]
    fn ranges() {
        let r = parse_range("6:00 AM - 12:00 PM").unwrap();
        assert_eq!((r.start.to_string(), r.end.to_string(), r.open), ("06:00".into(), "12:00".into(), false));
        let r = parse_range("11:00 - 12:00+").unwrap();
        assert!(r.open);
        let r = parse_range("23:30 – 00:15").unwrap();
        assert_eq!(r.end.to_string(), "00:15");
        let r = parse_range("6:00-6:30").unwrap();
        assert_eq!(r.end.to_string(), "06:30");
        let r = parse_range("10 - 11 PM").unwrap();
        assert_eq!((r.start.to_string(), r.end.to_string()), ("22:00".into(), "23:00".into()));
        assert!(parse_range("6:00").is_err());
    }

    #[test]
    fn times_inside_text() {
        assert_eq!(find_time("Quyết định rollback phải được đưa ra trước 11:00 AM").unwrap().to_string(), "11:00");
        assert_eq!(find_time("Sau 11:00 → chỉ fix forward").unwrap().to_string(), "11:00");
        assert_eq!(find_time("before 2:30 pm today").unwrap().to_string(), "14:30");
        assert_eq!(find_time("no time 2026 here"), None);
    }

    #[test]
    fn offsets_and_durations() {
        assert_eq!(parse_offset("+24h"), Some(1440));
        assert_eq!(parse_offset("+30m"), Some(30));
        assert_eq!(parse_offset("T+1h30"), Some(90));
        assert_eq!(parse_offset("+1d"), Some(1440));
        assert_eq!(parse_offset("24h"), None);
        assert_eq!(parse_duration("10 min"), Some(10));
        assert_eq!(parse_duration("15 phút"), Some(15));
        assert_eq!(parse_duration("1.5h"), Some(90));
        assert_eq!(parse_duration("24h đầu tiên"), Some(1440));
        assert_eq!(parse_duration("Baseline"), None);
        assert_eq!(
            split_duration_suffix("Restore database backup (20 min)"),
            ("Restore database backup".into(), Some(20))
        );
        assert_eq!(
            split_duration_suffix("Restart old system (if applicable)"),
            ("Restart old system (if applicable)".into(), None)
        );
    }
}
