//! What a new run of a runbook is proposed to be: its go-live day as a date (runbooks write
//! `**Go-live day**: Saturday` next to a document date, or `Ngày Go-Live: Thứ bảy`, or the date
//! itself) and its zone (the one its times are written in, else this laptop's).

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use warroom_model::api::RunDefaults;
use warroom_model::{Runbook, fold};

/// The date and zone the "start a run" form proposes for `rb`.
pub fn run_defaults(rb: &Runbook) -> RunDefaults {
    let tz =
        rb.zone.clone().or_else(|| iana_time_zone::get_timezone().ok()).filter(|z| z.parse::<chrono_tz::Tz>().is_ok());
    RunDefaults { date: go_live_date(rb.go_live_day.as_deref(), rb.date.as_deref()), tz }
}

/// The date `go_live_day` gives, else the weekday it names on or after the document's date
/// (`document`), else the document's date.
pub fn go_live_date(go_live_day: Option<&str>, document: Option<&str>) -> Option<NaiveDate> {
    let written = document.and_then(date_in);
    let Some(day) = go_live_day else { return written };
    if let Some(d) = date_in(day) {
        return Some(d);
    }
    match (weekday_in(day), written) {
        (Some(w), Some(from)) => {
            let ahead = (7 + w.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7;
            Some(from + Duration::days(i64::from(ahead)))
        }
        _ => written,
    }
}

/// The first `YYYY-MM-DD` or `DD/MM/YYYY` in `text`.
fn date_in(text: &str) -> Option<NaiveDate> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | ';')).find_map(|w| {
        NaiveDate::parse_from_str(w, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(w, "%d/%m/%Y")).ok()
    })
}

/// The weekday `text` names, in English or Vietnamese (`Saturday`, `Sat`, `Thứ bảy`, `Thứ 7`, `CN`).
fn weekday_in(text: &str) -> Option<Weekday> {
    const NAMES: [(&str, Weekday); 21] = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
        ("thu hai", Weekday::Mon),
        ("thu 2", Weekday::Mon),
        ("thu ba", Weekday::Tue),
        ("thu 3", Weekday::Tue),
        ("thu tu", Weekday::Wed),
        ("thu 4", Weekday::Wed),
        ("thu nam", Weekday::Thu),
        ("thu 5", Weekday::Thu),
        ("thu sau", Weekday::Fri),
        ("thu 6", Weekday::Fri),
        ("thu bay", Weekday::Sat),
        ("thu 7", Weekday::Sat),
        ("chu nhat", Weekday::Sun),
        ("cn", Weekday::Sun),
    ];
    let folded = format!(" {} ", fold(text));
    let short = |w: Weekday| format!(" {} ", w.to_string().to_lowercase());
    NAMES.iter().find(|(name, _)| folded.contains(&format!(" {name} "))).map(|(_, w)| *w).or_else(|| {
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun]
            .into_iter()
            .find(|w| folded.contains(&short(*w)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn the_weekday_named_on_or_after_the_document_date_or_the_date_written() {
        // The seed runbook: dated Sunday 2026-01-25, going live on "Saturday".
        assert_eq!(go_live_date(Some("Saturday (giảm thiểu ảnh hưởng)"), Some("2026-01-25")), day(2026, 1, 31));
        assert_eq!(go_live_day_vi("Thứ bảy"), day(2026, 1, 31));
        assert_eq!(go_live_day_vi("thứ 7, sau giờ làm"), day(2026, 1, 31));
        assert_eq!(go_live_day_vi("Chủ nhật"), day(2026, 1, 25), "the document's own day");
        assert_eq!(go_live_date(Some("Sat 2026-02-07"), Some("2026-01-25")), day(2026, 2, 7));
        assert_eq!(go_live_date(Some("07/02/2026"), None), day(2026, 2, 7));
        assert_eq!(go_live_date(Some("when the business agrees"), Some("2026-01-25")), day(2026, 1, 25));
        assert_eq!(go_live_date(Some("Saturday"), None), None, "no date to count from");
        assert_eq!(go_live_date(None, None), None);
    }

    fn go_live_day_vi(text: &str) -> Option<NaiveDate> {
        go_live_date(Some(text), Some("2026-01-25"))
    }

    #[test]
    fn the_runbooks_zone_is_proposed_before_the_laptops() {
        let mut rb = Runbook { zone: Some("Asia/Ho_Chi_Minh".into()), ..Runbook::default() };
        assert_eq!(run_defaults(&rb).tz.as_deref(), Some("Asia/Ho_Chi_Minh"));
        rb.zone = None;
        let laptop = iana_time_zone::get_timezone().ok();
        assert_eq!(run_defaults(&rb).tz, laptop);
    }
}
