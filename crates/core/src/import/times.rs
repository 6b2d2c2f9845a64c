//! Times as runbooks write them: `6:00`, `06:00`, `06:00:00`, `0600`, `6.00`, `6:00 AM`,
//! `12:30 PM`, `18:30`, `6h30`, `18h10`, `noon`, with bold or code marks around them and a zone
//! after them (`02:05 UTC`, `6:10 PT`, `10:00 giờ VN`); ranges `6:00 - 6:30`, `6h10-6h15`,
//! `02:00-04:00 UTC` (open-ended `12:00+`, with a date in front or a note in brackets after);
//! offsets `+24h`; and durations `10 min`.

use warroom_model::ClockTime;

/// Why a time did not parse, worded for the import report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadTime(pub String);

fn bad(text: &str, why: &str) -> BadTime {
    BadTime(format!("`{text}` is not a time: {why}"))
}

const EXPECTED: &str = "expected HH:MM (24 h) such as 06:30 or 18:30, or 6:30 AM";

/// A time zone written next to a time (`UTC`, `PT`, `giờ VN`), and the zone it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneMark {
    /// As written: `PT`.
    pub written: String,
    /// The IANA zone it names: `America/Los_Angeles`.
    pub iana: String,
}

/// Zone abbreviations people write after times, and the IANA zone each stands for.
const ZONES: &[(&str, &str)] = &[
    ("UTC", "UTC"),
    ("GMT", "UTC"),
    ("Z", "UTC"),
    ("ZULU", "UTC"),
    ("PT", "America/Los_Angeles"),
    ("PST", "America/Los_Angeles"),
    ("PDT", "America/Los_Angeles"),
    ("MT", "America/Denver"),
    ("MST", "America/Denver"),
    ("MDT", "America/Denver"),
    ("CT", "America/Chicago"),
    ("CST", "America/Chicago"),
    ("CDT", "America/Chicago"),
    ("ET", "America/New_York"),
    ("EST", "America/New_York"),
    ("EDT", "America/New_York"),
    ("BRT", "America/Sao_Paulo"),
    ("WET", "Europe/Lisbon"),
    ("WEST", "Europe/Lisbon"),
    ("BST", "Europe/London"),
    ("CET", "Europe/Paris"),
    ("CEST", "Europe/Paris"),
    ("EET", "Europe/Athens"),
    ("EEST", "Europe/Athens"),
    ("IST", "Asia/Kolkata"),
    ("ICT", "Asia/Ho_Chi_Minh"),
    ("SGT", "Asia/Singapore"),
    ("HKT", "Asia/Hong_Kong"),
    ("JST", "Asia/Tokyo"),
    ("KST", "Asia/Seoul"),
    ("AEST", "Australia/Sydney"),
    ("AEDT", "Australia/Sydney"),
];

/// Vietnamese and spelled-out zone phrases (compared without case).
const ZONE_PHRASES: &[(&str, &str)] = &[
    ("giờ việt nam", "Asia/Ho_Chi_Minh"),
    ("gio viet nam", "Asia/Ho_Chi_Minh"),
    ("giờ vn", "Asia/Ho_Chi_Minh"),
    ("gio vn", "Asia/Ho_Chi_Minh"),
    ("vn time", "Asia/Ho_Chi_Minh"),
    ("vietnam time", "Asia/Ho_Chi_Minh"),
];

/// The IANA zone a written zone word names: an abbreviation, or `UTC+7` / `GMT-3` (whole hours).
pub fn zone_of(word: &str) -> Option<String> {
    let w = word.trim().trim_matches(['(', ')', '[', ']']);
    if let Some((_, iana)) = ZONES.iter().find(|(abbr, _)| w.eq_ignore_ascii_case(abbr)) {
        return Some((*iana).to_owned());
    }
    let upper = w.to_ascii_uppercase();
    let rest = upper.strip_prefix("UTC").or_else(|| upper.strip_prefix("GMT"))?;
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let digits = digits.strip_suffix(":00").unwrap_or(digits);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits.parse().ok()?;
    if hours > 14 {
        return None;
    }
    if hours == 0 {
        return Some("UTC".into());
    }
    // The Etc zones count the other way round: UTC+7 is Etc/GMT-7.
    Some(format!("Etc/GMT{}{hours}", if sign > 0 { '-' } else { '+' }))
}

/// Whether `s` ends with the ASCII `suffix`, ignoring ASCII case, at a character boundary.
fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.is_char_boundary(s.len() - suffix.len())
        && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// Splits a zone written after a time off `text`: `6:10 PT` → (`6:10`, PT), `02:00Z` → (`02:00`, Z).
pub fn split_zone(text: &str) -> (&str, Option<ZoneMark>) {
    let t = text.trim_end();
    let lower = t.to_lowercase();
    for (phrase, iana) in ZONE_PHRASES {
        if lower.ends_with(phrase) && lower.len() == t.len() && t.is_char_boundary(t.len() - phrase.len()) {
            let head = &t[..t.len() - phrase.len()];
            return (
                head.trim_end(),
                Some(ZoneMark { written: t[head.len()..].trim().to_owned(), iana: (*iana).into() }),
            );
        }
    }
    let token_start = t.char_indices().rfind(|(_, c)| c.is_whitespace()).map_or(0, |(i, c)| i + c.len_utf8());
    let token = &t[token_start..];
    if token_start > 0
        && let Some(iana) = zone_of(token)
    {
        return (t[..token_start].trim_end(), Some(ZoneMark { written: token.trim_matches(['(', ')']).into(), iana }));
    }
    // Written against the digits: `02:00Z`, `0200UTC`.
    if let Some(alpha) = token.find(|c: char| c.is_ascii_alphabetic())
        && alpha > 0
        && token[..alpha].ends_with(|c: char| c.is_ascii_digit())
        && !matches!(token[alpha..].to_ascii_lowercase().as_str(), "h" | "am" | "pm" | "sa" | "ch")
        && let Some(iana) = zone_of(&token[alpha..])
    {
        return (&t[..token_start + alpha], Some(ZoneMark { written: token[alpha..].into(), iana }));
    }
    (t, None)
}

/// Splits a trailing AM/PM marker (also `SA`/`CH`, Vietnamese morning/afternoon) off `s`.
fn meridiem(s: &str) -> (&str, Option<bool>) {
    let t = s.trim_end();
    for (suffix, pm) in [("a.m.", false), ("p.m.", true), ("am", false), ("pm", true), ("sa", false), ("ch", true)] {
        if ends_with_ci(t, suffix) {
            let head = &t[..t.len() - suffix.len()];
            if head.ends_with(|c: char| c.is_ascii_digit() || c.is_whitespace() || c == 'h') {
                return (head.trim_end(), Some(pm));
            }
        }
    }
    (t, None)
}

/// Bold, italic, code and strike marks around a cell's text: `**02:00 UTC**`.
fn unmark(text: &str) -> &str {
    text.trim().trim_matches(['*', '_', '`', '~']).trim()
}

/// Parses one time of day, dropping a zone written after it.
pub fn parse_time(text: &str) -> Result<ClockTime, BadTime> {
    parse_time_zoned(text).map(|(t, _)| t)
}

/// Parses one time of day and the zone written after it, if any.
pub fn parse_time_zoned(text: &str) -> Result<(ClockTime, Option<ZoneMark>), BadTime> {
    let raw = unmark(text);
    let (body, zone) = split_zone(raw);
    let time = parse_bare(raw, body)?;
    Ok((time, zone))
}

fn parse_bare(raw: &str, body: &str) -> Result<ClockTime, BadTime> {
    let lower = body.trim().to_lowercase();
    match lower.as_str() {
        "noon" | "midday" | "12 noon" | "trưa" | "12h trưa" => {
            return ClockTime::new(12, 0).ok_or_else(|| bad(raw, EXPECTED));
        }
        "midnight" | "nửa đêm" => return ClockTime::new(0, 0).ok_or_else(|| bad(raw, EXPECTED)),
        _ => {}
    }
    let (body, pm) = meridiem(body);
    let body = body.trim();
    if body.is_empty() {
        return Err(bad(raw, EXPECTED));
    }
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    let (h, m) = match body.find([':', 'h', 'H', '.']) {
        Some(i) => {
            let (h, rest) = (&body[..i], &body[i + 1..]);
            // `06:10:00`: seconds are dropped, and must be a second.
            let m = match rest.split_once(':') {
                Some((m, s)) if digits(s) && s.len() == 2 && s < "60" => m,
                Some(_) => return Err(bad(raw, EXPECTED)),
                None => rest,
            };
            (h, m)
        }
        // `0610`: four digits, a military time.
        None if body.len() == 4 && body.bytes().all(|b| b.is_ascii_digit()) => (&body[..2], &body[2..]),
        None => (body, ""),
    };
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// Where it starts.
    pub start: ClockTime,
    /// Where it ends; earlier than `start` when it runs past midnight.
    pub end: ClockTime,
    /// Written `12:00+`: it may run past its end.
    pub open: bool,
    /// The zone written after either end (`02:00-04:00 UTC`).
    pub zone: Option<ZoneMark>,
    /// A date written in front (`2026-06-02 02:00-04:00`), as written.
    pub date: Option<String>,
}

impl Range {
    /// Minutes from start to end, across midnight when the end is earlier.
    pub fn minutes(&self) -> u32 {
        let (s, e) = (self.start.minutes(), self.end.minutes());
        if e >= s { e - s } else { e + warroom_model::time::DAY_MINUTES - s }
    }
}

/// `2026-06-02` at the front of `text`: the date and the rest.
fn split_iso_date(text: &str) -> (Option<&str>, &str) {
    let b = text.as_bytes();
    let is_date = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && b.get(10).is_none_or(|c| !c.is_ascii_digit());
    if is_date { (Some(&text[..10]), text[10..].trim_start_matches([' ', ',', 'T'])) } else { (None, text) }
}

/// Parses `6:00 - 6:30`, `6:00 AM – 12:00 PM`, `23:30 → 00:15`, `11:00 - 12:00+`, `8:00 đến 9:00`,
/// `6h10-6h15`, `02:00-04:00 UTC`, and a window line with a date in front and a note after it:
/// `2026-06-02 02:00-04:00 UTC (23:00 Brazil June 1 - 01:00 Brazil June 2)`.
pub fn parse_range(text: &str) -> Result<Range, BadTime> {
    let t = unmark(text);
    let (date, t) = split_iso_date(t);
    // A note in brackets after the range: `(23:00 Brazil June 1 - 01:00 Brazil June 2)`.
    let t = match t.find('(') {
        Some(open) if open > 0 && !t[..open].trim().is_empty() && zone_of(&t[open..]).is_none() => t[..open].trim(),
        _ => t,
    };
    let not_range =
        || BadTime(format!("`{}` is not a time range: expected START - END such as 6:00 - 6:30", text.trim()));
    let seps = [" - ", " – ", " — ", "–", "—", "→", "->", " to ", " đến ", " den ", "-"];
    let (a, b) = seps.iter().find_map(|sep| t.split_once(sep)).ok_or_else(not_range)?;
    let (b, zone_b) = split_zone(unmark(b));
    let (a, zone_a) = split_zone(unmark(a));
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
    Ok(Range { start, end, open, zone: zone_b.or(zone_a), date: date.map(str::to_owned) })
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
    fn times_as_people_write_them() {
        assert_eq!(t("0610"), "06:10");
        assert_eq!(t("06:10:00"), "06:10");
        assert_eq!(t("6.10"), "06:10");
        assert_eq!(t("18h10"), "18:10");
        assert_eq!(t("6:10 PM"), "18:10");
        assert_eq!(t("noon"), "12:00");
        assert_eq!(t("Midnight"), "00:00");
        assert_eq!(t("**02:00 UTC**"), "02:00");
        assert_eq!(t("`02:05`"), "02:05");
        assert!(t("06:10:75").contains("expected HH:MM"));
        assert!(t("2460").contains("hours run"), "{}", t("2460"));
        let zone = |s: &str| parse_time_zoned(s).ok().and_then(|(_, z)| z).map(|z| (z.written, z.iana));
        assert_eq!(zone("02:05 UTC"), Some(("UTC".into(), "UTC".into())));
        assert_eq!(zone("6:10 PT"), Some(("PT".into(), "America/Los_Angeles".into())));
        assert_eq!(zone("02:00Z"), Some(("Z".into(), "UTC".into())));
        assert_eq!(zone("10:00 giờ VN"), Some(("giờ VN".into(), "Asia/Ho_Chi_Minh".into())));
        assert_eq!(zone("10:00 (ICT)"), Some(("ICT".into(), "Asia/Ho_Chi_Minh".into())));
        assert_eq!(zone("10:00 UTC+7"), Some(("UTC+7".into(), "Etc/GMT-7".into())));
        assert_eq!(zone("6:10 PM CET"), Some(("CET".into(), "Europe/Paris".into())));
        assert_eq!(t("6:10 PM CET"), "18:10");
        assert_eq!(zone("06:10"), None);
        assert_eq!(zone("9:15 SA"), None);
    }

    #[test]
    fn ranges_as_people_write_them() {
        let r = |s: &str| parse_range(s).map(|r| (r.start.to_string(), r.end.to_string(), r.minutes()));
        assert_eq!(r("06:10 - 06:15"), Ok(("06:10".into(), "06:15".into(), 5)));
        assert_eq!(r("06:10–06:15"), Ok(("06:10".into(), "06:15".into(), 5)));
        assert_eq!(r("6h10-6h15"), Ok(("06:10".into(), "06:15".into(), 5)));
        assert_eq!(r("**06:00 - 07:00**"), Ok(("06:00".into(), "07:00".into(), 60)));
        assert_eq!(r("23:30 - 00:15"), Ok(("23:30".into(), "00:15".into(), 45)));
        let w = parse_range("2026-06-02 02:00-04:00 UTC (23:00 Brazil June 1 - 01:00 Brazil June 2)").unwrap();
        assert_eq!((w.start.to_string(), w.end.to_string()), ("02:00".into(), "04:00".into()));
        assert_eq!(w.date.as_deref(), Some("2026-06-02"));
        assert_eq!(w.zone.map(|z| z.iana), Some("UTC".into()));
        let p = parse_range("6:00 - 12:00 (Saturday)").unwrap();
        assert_eq!(p.end.to_string(), "12:00");
    }

    proptest::proptest! {
        #[test]
        fn no_input_makes_the_time_readers_panic(s in "\\PC{0,24}") {
            drop(parse_time(&s));
            drop(parse_range(&s));
            let _ = find_time(&s);
            let _ = parse_duration(&s);
            let _ = parse_offset(&s);
            let _ = split_duration_suffix(&s);
        }

        #[test]
        fn no_time_like_input_makes_them_panic(s in "[0-9:hH.apmAPM ZUTC+\\-–()*`giờVN]{0,16}") {
            drop(parse_time(&s));
            drop(parse_range(&s));
            let _ = find_time(&s);
        }

        #[test]
        fn the_forms_we_print_read_back(h in 0u32..24, m in 0u32..60) {
            let c = ClockTime::new(h, m).unwrap();
            proptest::prop_assert_eq!(parse_time(&c.to_string()), Ok(c));
            proptest::prop_assert_eq!(parse_time(&format!("{h}:{m:02}")), Ok(c));
            proptest::prop_assert_eq!(parse_time(&format!("{h:02}{m:02}")), Ok(c));
            proptest::prop_assert_eq!(parse_time(&format!("{h}h{m:02}")), Ok(c));
            proptest::prop_assert_eq!(parse_time(&format!("{h:02}:{m:02}:00 UTC")), Ok(c));
            let (h12, pm) = (if h % 12 == 0 { 12 } else { h % 12 }, if h >= 12 { "PM" } else { "AM" });
            proptest::prop_assert_eq!(parse_time(&format!("{h12}:{m:02} {pm}")), Ok(c));
            let end = ClockTime::from_minutes(c.minutes() + 5);
            let r = parse_range(&format!("{c} - {end}")).unwrap();
            proptest::prop_assert_eq!((r.start, r.end, r.minutes()), (c, end, 5));
        }
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
