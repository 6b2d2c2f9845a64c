//! The runbook on a real date: planned instants in the run's time zone (days after midnight
//! and DST changes included) and planned durations.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;
use warroom_model::{Runbook, Task};

/// The instant of a runbook time `minutes` after 00:00 of the go-live `date`, in `tz`.
/// A time in a DST gap (02:30 when clocks jump from 02:00 to 03:00) is read with the offset
/// before the gap, so it lands where a wall clock that did not jump would show it; a time that
/// happens twice (clocks go back) is the first one.
pub fn instant(tz: Tz, date: NaiveDate, minutes: u32) -> DateTime<Utc> {
    let naive: NaiveDateTime = date.and_time(chrono::NaiveTime::MIN) + Duration::minutes(i64::from(minutes));
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

/// Planned start and finish of every task, by task id.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub start: HashMap<String, DateTime<Utc>>,
    pub finish: HashMap<String, DateTime<Utc>>,
}

impl Plan {
    pub fn minutes(&self, id: &str) -> i64 {
        match (self.start.get(id), self.finish.get(id)) {
            (Some(s), Some(f)) => (*f - *s).num_minutes(),
            _ => 0,
        }
    }
}

/// Plans every task: it starts at its time and lasts its own `duration_min`, else the minutes
/// given in `durations` (a rehearsal's actuals), else until the next task of its phase, capped
/// at the phase's end; the last task of a phase lasts until the phase ends.
pub fn plan(rb: &Runbook, tz: Tz, date: NaiveDate, durations: &HashMap<String, i64>) -> Plan {
    let mut p = Plan::default();
    for phase in &rb.phases {
        let phase_end = phase.end_minutes().map(|m| instant(tz, date, m));
        for (i, t) in phase.tasks.iter().enumerate() {
            let start = instant(tz, date, t.minutes());
            let next = phase.tasks.get(i + 1).map(|n: &Task| instant(tz, date, n.minutes()));
            let until = match (next, phase_end) {
                (Some(n), Some(e)) if e >= start => n.min(e),
                (Some(n), _) => n,
                (None, Some(e)) => e,
                (None, None) => start,
            };
            let finish = if let Some(d) = t.duration_min {
                start + Duration::minutes(i64::from(d))
            } else if let Some(d) = durations.get(&t.id) {
                start + Duration::minutes(*d)
            } else {
                until.max(start)
            };
            p.start.insert(t.id.clone(), start);
            p.finish.insert(t.id.clone(), finish);
        }
    }
    p
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
