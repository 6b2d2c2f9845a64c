//! Time as the model carries it: `ClockTime`, a runbook's minute of the day (`HH:MM`), and
//! `Instant`, a moment with the offset it is shown at (RFC 3339 on the wire). Status instants
//! carry the run's zone at that moment, so a night across a daylight-saving change reads right
//! without a time-zone database on the other side. Nothing here slices strings.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A moment, with the UTC offset it is shown at.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Instant(pub DateTime<FixedOffset>);

impl Instant {
    /// `t` shown at `offset_seconds` east of UTC (UTC if that is not an offset).
    pub fn at_offset(t: DateTime<Utc>, offset_seconds: i32) -> Self {
        FixedOffset::east_opt(offset_seconds).map_or_else(|| Self::utc(t), |o| Self(t.with_timezone(&o)))
    }

    /// `t` in UTC.
    pub fn utc(t: DateTime<Utc>) -> Self {
        Self(t.fixed_offset())
    }

    /// The same moment shown at another offset.
    pub fn with_offset(self, offset: FixedOffset) -> Self {
        Self(self.0.with_timezone(&offset))
    }

    /// The same moment in UTC, its offset dropped.
    pub fn to_utc(self) -> DateTime<Utc> {
        self.0.to_utc()
    }

    /// Milliseconds since 1970 (for arithmetic in the UI).
    pub fn millis(self) -> i64 {
        self.0.timestamp_millis()
    }

    /// `06:05`, the wall-clock time where it is shown.
    pub fn hm(self) -> String {
        self.0.format("%H:%M").to_string()
    }

    /// The local date where it is shown.
    pub fn date(self) -> NaiveDate {
        self.0.date_naive()
    }

    /// Whole days after `first_day` (the run's first day) where it is shown: 1 after midnight.
    pub fn day_after(self, first_day: NaiveDate) -> i64 {
        (self.date() - first_day).num_days()
    }

    /// `06:05`, with its date when it is not on `first_day` (`01:30 (08/03)`): how every
    /// screen writes a moment of the run.
    pub fn label(self, first_day: Option<NaiveDate>) -> String {
        match first_day {
            Some(d) if self.date() != d => format!("{} ({})", self.hm(), self.0.format("%d/%m")),
            _ => self.hm(),
        }
    }

    /// RFC 3339, as on the wire.
    pub fn rfc3339(self) -> String {
        let mut out = String::with_capacity(35);
        write_rfc3339(&mut out, self.0);
        out
    }

    /// Reads RFC 3339 (`2026-01-31T06:00:00+07:00`), keeping the offset it was written with; `None` if it is not that.
    pub fn parse(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text).ok().map(Self)
    }
}

impl From<DateTime<FixedOffset>> for Instant {
    fn from(t: DateTime<FixedOffset>) -> Self {
        Self(t)
    }
}

/// Compares with RFC 3339 text as written on the wire (`t == "2026-01-31T06:00:00+07:00"`).
impl PartialEq<&str> for Instant {
    fn eq(&self, other: &&str) -> bool {
        self.rfc3339() == *other
    }
}

impl std::ops::Deref for Instant {
    type Target = DateTime<FixedOffset>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

fn push2(out: &mut String, v: u32) {
    out.push(char::from(b'0' + (v / 10 % 10) as u8));
    out.push(char::from(b'0' + (v % 10) as u8));
}

/// RFC 3339 as chrono's `to_rfc3339` writes it, without its formatting machinery: a status of
/// 10,000 tasks writes 40,000 of these.
fn write_rfc3339(out: &mut String, t: DateTime<FixedOffset>) {
    use chrono::{Datelike as _, Timelike as _};
    let local = t.naive_local();
    let year = local.year();
    let nanos = t.nanosecond();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        // Far years and leap seconds: rare enough to leave to chrono.
        out.push_str(&t.to_rfc3339());
        return;
    }
    let year = year.unsigned_abs();
    push2(out, year / 100);
    push2(out, year % 100);
    for (sep, v) in
        [('-', local.month()), ('-', local.day()), ('T', local.hour()), (':', local.minute()), (':', local.second())]
    {
        out.push(sep);
        push2(out, v);
    }
    if nanos != 0 {
        let (digits, value) = if nanos.is_multiple_of(1_000_000) {
            (3, nanos / 1_000_000)
        } else if nanos.is_multiple_of(1_000) {
            (6, nanos / 1_000)
        } else {
            (9, nanos)
        };
        out.push('.');
        out.push_str(&format!("{value:0digits$}"));
    }
    let offset = t.offset().local_minus_utc();
    out.push(if offset < 0 { '-' } else { '+' });
    let off = offset.unsigned_abs() / 60;
    push2(out, off / 60);
    out.push(':');
    push2(out, off % 60);
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339())
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not an RFC 3339 instant")))
    }
}

/// Minutes per day; a runbook time on a later day adds this per day.
pub const DAY_MINUTES: u32 = 24 * 60;

/// A time of day, local to the runbook, with minute precision (00:00..=23:59).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct ClockTime(u16);

impl ClockTime {
    /// `None` unless `hour < 24` and `minute < 60`.
    pub fn new(hour: u32, minute: u32) -> Option<Self> {
        (hour < 24 && minute < 60).then(|| Self((hour * 60 + minute) as u16))
    }

    /// From minutes after midnight of any day: the day part is dropped.
    pub fn from_minutes(minutes: u32) -> Self {
        Self((minutes % DAY_MINUTES) as u16)
    }

    /// The time of day of a minute on the runbook's timeline (negative before the go-live day).
    pub fn of_timeline(minutes: i32) -> Self {
        Self::from_minutes(minutes.rem_euclid(DAY_MINUTES as i32).unsigned_abs())
    }

    /// Minutes after 00:00 (0..=1439).
    pub fn minutes(self) -> u32 {
        u32::from(self.0)
    }

    /// The hour, 0..=23.
    pub fn hour(self) -> u32 {
        self.minutes() / 60
    }

    /// The minute of the hour, 0..=59.
    pub fn minute(self) -> u32 {
        self.minutes() % 60
    }

    /// Minutes from 00:00 of the go-live day, `day` days later (earlier when negative).
    pub fn on_day(self, day: i16) -> i32 {
        i32::from(day) * DAY_MINUTES as i32 + self.minutes() as i32
    }

    /// Parses exactly `HH:MM` or `H:MM` (24 h); the importer accepts far more.
    pub fn parse_hhmm(s: &str) -> Option<Self> {
        let (h, m) = s.trim().split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        Self::new(h.parse().ok()?, m.parse().ok()?)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse_hhmm(&s).ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a time HH:MM")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_is_written_as_chrono_writes_it_and_read_back() {
        for text in ["2026-03-08T01:59:00-08:00", "2026-03-08T03:00:00-07:00", "2026-01-31T06:00:00.250+07:00"] {
            let t = Instant::parse(text).unwrap();
            assert_eq!(t.rfc3339(), t.0.to_rfc3339());
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<Instant>(&format!("\"{text}\"")).unwrap(), t);
        }
        let after_midnight = Instant::parse("2026-03-08T01:30:00-08:00").unwrap();
        let first = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        assert_eq!(after_midnight.label(Some(first)), "01:30 (08/03)");
        assert_eq!(after_midnight.day_after(first), 1);
        assert_eq!(Instant::parse("2026-03-07T23:30:00-08:00").unwrap().label(Some(first)), "23:30");
        assert!(serde_json::from_str::<Instant>("\"06:00\"").is_err());
    }

    #[test]
    fn formats_and_parses_24h() {
        let t = ClockTime::new(6, 5).unwrap();
        assert_eq!(t.to_string(), "06:05");
        assert_eq!(ClockTime::parse_hhmm("6:05"), Some(t));
        assert_eq!(ClockTime::parse_hhmm("25:00"), None);
        assert_eq!(ClockTime::parse_hhmm("12:60"), None);
        assert_eq!(t.on_day(1), 24 * 60 + 6 * 60 + 5);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"06:05\"");
        assert_eq!(serde_json::from_str::<ClockTime>(&json).unwrap(), t);
    }
}
