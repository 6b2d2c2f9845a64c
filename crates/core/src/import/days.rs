//! Which day a heading (or a bold line) speaks of, relative to the go-live day: `T-1`, `T+2`,
//! `T-Day`, `T=0`, `D-1`, `Day 2`, `Ngày 2`, `T-7 ngày`, `3 days before`, `the day before`,
//! `Ngày hôm sau`, `T+1 đến T+7` (its first day), whole days in hours (`24 Hours Before`,
//! `T+48 hours`), and dated headings (`2026-06-01`, `June 1`).

use chrono::NaiveDate;
use warroom_model::fold;

/// What a heading says about its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DayMark {
    /// Days from the go-live day: -1 the day before.
    Offset(i16),
    /// `Day 2`, `Ngày 2`: counted from the runbook's first day (`Day 1`, or `Day 0`).
    Numbered(u16),
    /// A date: its distance from the go-live date gives the offset.
    Date(NaiveDate),
}

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

/// Words after a number that make it minutes or hours, not days: `T-30 min`, `T-2 giờ`.
const NOT_DAYS: &[&str] =
    &["min", "mins", "minutes", "minute", "m", "h", "hr", "hrs", "hour", "hours", "phut", "gio", "tieng"];

/// The first ISO date (`2026-06-01`) in `text`.
pub(super) fn iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let w = &b[i..i + 10];
        let shaped = w[..4].iter().all(u8::is_ascii_digit)
            && w[4] == b'-'
            && w[5..7].iter().all(u8::is_ascii_digit)
            && w[7] == b'-'
            && w[8..].iter().all(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 10).is_none_or(|c| !c.is_ascii_digit());
        if !shaped {
            return None;
        }
        NaiveDate::parse_from_str(text.get(i..i + 10)?, "%Y-%m-%d").ok()
    })
}

/// The day `heading` speaks of, if it names one; `year` completes a date written without one.
pub(super) fn day_of(heading: &str, year: i32) -> Option<DayMark> {
    if let Some(d) = iso_date(heading) {
        return Some(DayMark::Date(d));
    }
    // Keep the signs through folding: `T-1` → `t minus 1`.
    let mut marked = String::with_capacity(heading.len() + 16);
    for c in heading.chars() {
        match c {
            '+' => marked.push_str(" plus "),
            '-' | '−' => marked.push_str(" minus "),
            '=' => marked.push_str(" eq "),
            c => marked.push(c),
        }
    }
    let f = fold(&marked);
    let w: Vec<&str> = f.split(' ').collect();
    let num = |i: usize| -> Option<i16> {
        let s = *w.get(i)?;
        if s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: i16 = s.parse().ok()?;
        match w.get(i + 1) {
            // `24 Hours Before`, `T+48h`: whole days written in hours.
            Some(&("h" | "hr" | "hrs" | "hour" | "hours" | "gio" | "tieng")) if n > 0 && n % 24 == 0 => Some(n / 24),
            Some(u) if NOT_DAYS.contains(u) => None,
            _ => Some(n),
        }
    };
    for i in 0..w.len() {
        let word = w[i];
        if matches!(word, "t" | "d") {
            match w.get(i + 1).copied() {
                Some("minus") => {
                    if let Some(n) = num(i + 2) {
                        return Some(DayMark::Offset(-n));
                    }
                    if w.get(i + 2).is_some_and(|x| matches!(*x, "day" | "ngay")) {
                        return Some(DayMark::Offset(0));
                    }
                }
                Some("plus") => {
                    if let Some(n) = num(i + 2) {
                        return Some(DayMark::Offset(n));
                    }
                }
                Some("eq") if num(i + 2) == Some(0) => return Some(DayMark::Offset(0)),
                Some("day" | "ngay") => return Some(DayMark::Offset(0)),
                _ => {}
            }
        }
        if matches!(word, "t0" | "d0") {
            return Some(DayMark::Offset(0));
        }
        if matches!(word, "day" | "ngay")
            && let Some(n) = num(i + 1)
            && n <= 60
        {
            return Some(DayMark::Numbered(n.unsigned_abs()));
        }
        // `3 days before`, `3 ngày trước`.
        if let Some(n) = num(i)
            && w.get(i + 1).is_some_and(|x| {
                matches!(*x, "day" | "days" | "ngay" | "h" | "hr" | "hrs" | "hour" | "hours" | "gio" | "tieng")
            })
        {
            match w.get(i + 2).copied() {
                Some("before" | "truoc" | "prior") => return Some(DayMark::Offset(-n)),
                Some("after" | "sau") => return Some(DayMark::Offset(n)),
                _ => {}
            }
        }
        if let Some(&(_, month)) = MONTHS.iter().find(|(m, _)| *m == word) {
            let day = num(i + 1).or_else(|| i.checked_sub(1).and_then(num));
            if let Some(d) = day
                && let Some(date) = NaiveDate::from_ymd_opt(year, month, u32::from(d.unsigned_abs()))
            {
                return Some(DayMark::Date(date));
            }
        }
    }
    let phrase = |p: &str| {
        f == p || f.starts_with(&format!("{p} ")) || f.ends_with(&format!(" {p}")) || f.contains(&format!(" {p} "))
    };
    // `Launch Time` after `24 Hours Before`: back on the go-live day.
    if ["launch time", "launch day", "go live day", "cutover day", "ngay go live", "ngay chuyen doi"]
        .contains(&f.trim())
    {
        return Some(DayMark::Offset(0));
    }
    if ["day before", "the day before", "ngay hom truoc", "hom truoc", "truoc ngay go live", "pre cutover day"]
        .iter()
        .any(|p| phrase(p))
    {
        return Some(DayMark::Offset(-1));
    }
    if ["day after", "the day after", "ngay hom sau", "hom sau", "sau ngay go live", "post cutover day"]
        .iter()
        .any(|p| phrase(p))
    {
        return Some(DayMark::Offset(1));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn off(h: &str) -> Option<i16> {
        match day_of(h, 2026) {
            Some(DayMark::Offset(n)) => Some(n),
            _ => None,
        }
    }

    #[test]
    fn day_headings_in_both_languages() {
        assert_eq!(off("T-1 Day: Preparation"), Some(-1));
        assert_eq!(off("T-Day"), Some(0));
        assert_eq!(off("T+1 Day"), Some(1));
        assert_eq!(off("T-7 ngày"), Some(-7));
        assert_eq!(off("T-3"), Some(-3));
        assert_eq!(off("T=0 (Go-live)"), Some(0));
        assert_eq!(off("T+1 đến T+7: Hypercare"), Some(1));
        assert_eq!(off("D-1"), Some(-1));
        assert_eq!(off("D-Day"), Some(0));
        assert_eq!(off("Cutover (T0)"), Some(0));
        assert_eq!(off("The day before"), Some(-1));
        assert_eq!(off("Ngày hôm sau"), Some(1));
        assert_eq!(off("3 days before go-live"), Some(-3));
        assert_eq!(off("2 ngày sau"), Some(2));
        assert_eq!(off("24 Hours Before"), Some(-1));
        assert_eq!(off("T+24 Hours"), Some(1));
        assert_eq!(off("Launch Time"), Some(0));
        assert_eq!(off("48 giờ trước"), Some(-2));
        assert_eq!(day_of("Day 2 – Cutover", 2026), Some(DayMark::Numbered(2)));
        assert_eq!(day_of("Ngày 1", 2026), Some(DayMark::Numbered(1)));
        assert_eq!(day_of("2026-06-01 (Monday)", 2000), NaiveDate::from_ymd_opt(2026, 6, 1).map(DayMark::Date));
        assert_eq!(day_of("Sunday, June 2", 2026), NaiveDate::from_ymd_opt(2026, 6, 2).map(DayMark::Date));
        assert_eq!(day_of("1 June", 2026), NaiveDate::from_ymd_opt(2026, 6, 1).map(DayMark::Date));
    }

    #[test]
    fn other_headings_name_no_day() {
        for h in [
            "Phase 2: Data Migration (6:30 - 8:00)",
            "T-30 min checks",
            "T-2h: deploy",
            "36 hours before",
            "Test plan",
            "Rollback",
            "Step 1 - Prep",
            "Contacts",
            "Timeline",
            "Go-live day checklist",
        ] {
            assert_eq!(day_of(h, 2026), None, "{h}");
        }
    }
}
