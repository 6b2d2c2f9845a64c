//! How the record writes a moment: in the run's zone, with its date (dd/mm) wherever it is not
//! the run's first day, the event log's recorded-at times included; and whether the run was
//! recorded so far from its planned date that variances against the plan mean nothing.

use chrono::{DateTime, NaiveDate, Offset as _, TimeZone as _, Utc};
use warroom_model::Instant;
use warroom_model::live::{Stamp, Status};

/// More than this far from the plan, a run was recorded on another day than it ran.
const DISPLACED_MINUTES: i64 = 24 * 60;

/// The run's zone and first day.
#[derive(Debug, Clone, Copy)]
pub(super) struct Times {
    tz: Option<chrono_tz::Tz>,
    pub(super) first_day: Option<NaiveDate>,
}

impl Times {
    pub(super) fn of(st: &Status) -> Self {
        Self { tz: st.run.tz.parse().ok(), first_day: NaiveDate::parse_from_str(&st.run.date, "%Y-%m-%d").ok() }
    }

    /// `t` in the run's zone, at the offset it had then.
    pub(super) fn local(&self, t: DateTime<Utc>) -> Instant {
        match self.tz {
            Some(tz) => Instant::at_offset(t, tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc()),
            None => Instant::utc(t),
        }
    }

    /// A moment of the log (milliseconds since 1970) in the run's zone.
    pub(super) fn millis(&self, ms: i64) -> Option<Instant> {
        DateTime::<Utc>::from_timestamp_millis(ms).map(|t| self.local(t))
    }

    /// `02:08`, or `02:08 (21/03)` off the run's first day.
    pub(super) fn at(&self, t: &Instant) -> String {
        self.local(t.to_utc()).label(self.first_day)
    }

    pub(super) fn at_opt(&self, t: &Option<Instant>) -> String {
        t.as_ref().map(|t| self.at(t)).unwrap_or_default()
    }

    /// `02:08:41`, or `02:08:41 (21/03)` off the run's first day: the event log's precision.
    pub(super) fn at_seconds(&self, t: &Instant) -> String {
        let t = self.local(t.to_utc());
        let time = t.format("%H:%M:%S");
        match self.first_day {
            Some(d) if t.date() != d => format!("{time} ({})", t.format("%d/%m")),
            _ => time.to_string(),
        }
    }

    /// `Lan (Tech Lead), 02:08 (21/03)`.
    pub(super) fn stamp(&self, s: &Stamp) -> String {
        format!("{} ({}), {}", s.name, s.role, self.at(&s.at))
    }

    pub(super) fn stamp_opt(&self, s: &Option<Stamp>) -> String {
        s.as_ref().map(|s| self.stamp(s)).unwrap_or_default()
    }

    /// What the reader needs to read the times: the zone, and the first day they are counted from.
    pub(super) fn explained(&self, tz: &str) -> String {
        match self.first_day {
            Some(d) => format!(
                "Every time is in {tz}. A time on another day than the run's first day, {}, carries its date (dd/mm).",
                d.format("%A %-d %B %Y")
            ),
            None => format!("Every time is in {tz}."),
        }
    }
}

/// How far the recorded times lie from the plan, in whole days, when it is more than a day:
/// a run entered long after (or before) the date it was planned for. The median of the
/// recorded tasks' variances is taken, so one late tick does not displace the whole run.
pub(super) fn displaced_days(st: &Status) -> Option<i64> {
    let mut variances: Vec<i64> = st
        .tasks
        .iter()
        .filter_map(|t| {
            t.actual_finish.or(t.actual_start).map(|a| (a.to_utc() - t.planned_finish.to_utc()).num_minutes())
        })
        .collect();
    if variances.is_empty() {
        return None;
    }
    variances.sort_unstable();
    let median = variances.get(variances.len() / 2).copied().unwrap_or(0);
    (median.abs() > DISPLACED_MINUTES).then_some(median / DISPLACED_MINUTES)
}

/// A variance in minutes as the record prints it: `+25`, or `—` when it is more than a day
/// (recorded on another day, not late by that much).
pub(super) fn variance(minutes: i64) -> String {
    if minutes.abs() > DISPLACED_MINUTES {
        "—".to_owned()
    } else if minutes > 0 {
        format!("+{minutes}")
    } else {
        minutes.to_string()
    }
}

/// Minutes from `a` to `b` as the record prints them: between their wall-clock minutes, so a
/// decision written 02:08 is 7 minutes before a 02:15 deadline, whatever its seconds.
pub(super) fn minutes_between(a: &Instant, b: &Instant) -> i64 {
    b.timestamp().div_euclid(60) - a.timestamp().div_euclid(60)
}

/// `7 min`, `1 h 5 min`: a margin's size.
pub(super) fn margin(minutes: i64) -> String {
    let m = minutes.abs();
    if m >= 60 { format!("{} h {} min", m / 60, m % 60) } else { format!("{m} min") }
}
