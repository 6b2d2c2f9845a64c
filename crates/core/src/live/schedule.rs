//! The runbook on a real date: planned instants in the run's time zone (days after midnight
//! and DST changes included) and planned durations.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;
use warroom_model::{Instant, Runbook, Task};

/// The instant of a runbook time `minutes` after 00:00 of the go-live `date`, in `tz`.
/// A time in a DST gap (02:30 when clocks jump from 02:00 to 03:00) is read with the offset
/// before the gap, so it lands where a wall clock that did not jump would show it; a time that
/// happens twice (clocks go back) is the first one.
pub fn instant(tz: Tz, date: NaiveDate, minutes: i32) -> DateTime<Utc> {
    local(tz, date.and_time(chrono::NaiveTime::MIN) + Duration::minutes(i64::from(minutes)))
}

/// An instant as people write one for a run: RFC 3339, or a date and time in `tz`
/// (`2026-01-31T07:40`, with seconds, or with a space), read as `instant` reads the runbook's
/// times. `None` when it is neither.
pub fn parse_instant(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|naive| local(tz, naive))
}

/// The instant a wall clock in `tz` shows as `naive` (see `instant` for gaps and repeats).
fn local(tz: Tz, naive: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        chrono::LocalResult::None => {
            let before = naive - Duration::hours(3);
            let offset = tz.from_local_datetime(&before).earliest().map_or(0, |t| t.offset().fix().local_minus_utc());
            (naive - Duration::seconds(i64::from(offset))).and_utc()
        }
    }
}

/// Planned start and finish of every task, in the runbook's task order (`Runbook::tasks`).
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Each task's planned start.
    pub start: Vec<DateTime<Utc>>,
    /// Each task's planned finish.
    pub finish: Vec<DateTime<Utc>>,
}

/// Runbook times to instants, looking the zone up once per local quarter hour: zones change
/// their offset only on a quarter hour, and consecutive tasks mostly share one.
pub struct Instants {
    tz: Tz,
    date: NaiveDate,
    last: Option<(i32, DateTime<Utc>)>,
}

impl Instants {
    /// Instants of runbook times on `date` (the go-live day) in `tz`.
    pub fn new(tz: Tz, date: NaiveDate) -> Self {
        Self { tz, date, last: None }
    }

    /// The instant `minutes` after 00:00 of the go-live day, local time (past 1440 on later
    /// days, negative on days before it).
    pub fn at(&mut self, minutes: i32) -> DateTime<Utc> {
        let bucket = minutes.div_euclid(15);
        let within = Duration::minutes(i64::from(minutes.rem_euclid(15)));
        if let Some((b, base)) = self.last
            && b == bucket
        {
            return base + within;
        }
        let base = instant(self.tz, self.date, bucket * 15);
        self.last = Some((bucket, base));
        base + within
    }
}

/// Plans every task: it starts at its time and lasts its own `duration_min`, else the minutes
/// given in `durations` (a rehearsal's actuals), else until the next task of its phase, capped
/// at the phase's end; the last task of a phase lasts until the phase ends.
pub fn plan(rb: &Runbook, tz: Tz, date: NaiveDate, durations: &HashMap<String, i64>) -> Plan {
    let n = rb.tasks().count();
    let mut p = Plan { start: Vec::with_capacity(n), finish: Vec::with_capacity(n) };
    let mut at = Instants::new(tz, date);
    for phase in &rb.phases {
        let phase_end = phase.end_minutes().map(|m| instant(tz, date, m));
        let first = p.start.len();
        p.start.extend(phase.tasks.iter().map(|t: &Task| at.at(t.minutes())));
        for (i, t) in phase.tasks.iter().enumerate() {
            let start = p.start[first + i];
            let next = p.start.get(first + i + 1).copied().filter(|_| i + 1 < phase.tasks.len());
            let until = match (next, phase_end) {
                (Some(n), Some(e)) if e >= start => n.min(e),
                (Some(n), _) => n,
                (None, Some(e)) => e,
                (None, None) => start,
            };
            let finish = if let Some(d) = t.duration_min {
                start + Duration::minutes(i64::from(d))
            } else if let Some(d) = (!durations.is_empty()).then(|| durations.get(t.id.as_str())).flatten() {
                start + Duration::minutes(*d)
            } else {
                until.max(start)
            };
            p.finish.push(finish);
        }
    }
    p
}

/// Instants in one zone, looking each UTC offset up once per quarter hour (every zone changes
/// its offset on a quarter hour): a status of 10,000 tasks places 40,000 instants.
pub struct Formatter {
    tz: Tz,
    /// The last quarter hour looked up, and its offset.
    last: std::cell::Cell<(i64, i32)>,
}

impl Formatter {
    /// A formatter for `tz`.
    pub fn new(tz: Tz) -> Self {
        Self { tz, last: std::cell::Cell::new((i64::MIN, 0)) }
    }

    /// `t` with the zone's offset at that moment.
    pub fn format(&self, t: DateTime<Utc>) -> Instant {
        let bucket = t.timestamp().div_euclid(900);
        let (seen, offset) = self.last.get();
        let offset = if seen == bucket {
            offset
        } else {
            let o = self.tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc();
            self.last.set((bucket, o));
            o
        };
        Instant::at_offset(t, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn times_land_on_the_right_instant_across_midnight() {
        let tz: Tz = "Asia/Ho_Chi_Minh".parse().unwrap();
        assert_eq!(instant(tz, d("2026-01-31"), 6 * 60).to_rfc3339(), "2026-01-30T23:00:00+00:00");
        assert_eq!(instant(tz, d("2026-01-31"), 24 * 60 + 15).to_rfc3339(), "2026-01-31T17:15:00+00:00");
    }

    #[test]
    fn a_day_before_table_plans_the_day_before() {
        let tz: Tz = "UTC".parse().unwrap();
        let md = "# M\n\n## T-1 Day\n\n| Time | Task | Owner |\n|---|---|---|\n| 18:00 | Freeze | DBA |\n\n## T-Day\n\n| Time | Task | Owner |\n|---|---|---|\n| 02:00 | Migrate | DBA |\n";
        let rb = crate::import_markdown("m.md", md.as_bytes()).unwrap().runbook;
        let mut at = Instants::new(tz, d("2026-06-02"));
        assert_eq!(at.at(-6 * 60).to_rfc3339(), "2026-06-01T18:00:00+00:00");
        let p = plan(&rb, tz, d("2026-06-02"), &HashMap::new());
        let starts: Vec<String> = p.start.iter().map(|t| t.to_rfc3339()).collect();
        assert_eq!(starts, ["2026-06-01T18:00:00+00:00", "2026-06-02T02:00:00+00:00"]);
    }

    #[test]
    fn rfc3339_matches_chrono() {
        use chrono::TimeZone;
        for zone in ["Asia/Ho_Chi_Minh", "Europe/Berlin", "America/St_Johns", "UTC", "Asia/Kolkata"] {
            let tz: Tz = zone.parse().unwrap();
            for (secs, nanos) in [
                (1_769_814_000, 0),
                (1_774_745_400, 0),
                (1_790_000_123, 500_000_000),
                (1_790_000_123, 123_456_000),
                (1_790_000_123, 1),
            ] {
                let t = Utc.timestamp_opt(secs, nanos).unwrap();
                let f = Formatter::new(tz);
                for step in [0, 899, 900, 3600 * 5, 86_400 * 200] {
                    let u = t + Duration::seconds(step);
                    assert_eq!(f.format(u).rfc3339(), u.with_timezone(&tz).to_rfc3339(), "{zone} {secs}+{step}");
                }
            }
        }
    }

    #[test]
    fn cached_instants_match_the_zone_lookup_across_dst() {
        for (zone, day) in
            [("Europe/Berlin", "2026-03-29"), ("Europe/Berlin", "2026-10-25"), ("Asia/Kolkata", "2026-01-31")]
        {
            let tz: Tz = zone.parse().unwrap();
            let mut at = Instants::new(tz, d(day));
            for m in (0..3 * 24 * 60).step_by(7).chain([179, 180, 181, 119, 120, 150]) {
                assert_eq!(at.at(m), instant(tz, d(day), m), "{zone} {day} +{m} min");
            }
        }
    }

    #[test]
    fn dst_gaps_and_repeats_in_berlin() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let day = d("2026-03-29"); // clocks jump 02:00 → 03:00
        assert_eq!(instant(tz, day, 60).to_rfc3339(), "2026-03-29T00:00:00+00:00");
        assert_eq!(instant(tz, day, 150).to_rfc3339(), "2026-03-29T01:30:00+00:00", "02:30 does not exist");
        assert_eq!(instant(tz, day, 180).to_rfc3339(), "2026-03-29T01:00:00+00:00");
        // 01:30 → 03:00 is thirty real minutes on that night.
        assert_eq!((instant(tz, day, 180) - instant(tz, day, 90)).num_minutes(), 30);
        let autumn = d("2026-10-25"); // clocks go back 03:00 → 02:00
        assert_eq!(instant(tz, autumn, 150).to_rfc3339(), "2026-10-25T00:30:00+00:00", "the first 02:30");
    }
}
