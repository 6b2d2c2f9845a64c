//! Wall-clock times of a runbook: a minute of the day, serialised as `HH:MM` (24 h).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

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

    pub fn minutes(self) -> u32 {
        u32::from(self.0)
    }

    pub fn hour(self) -> u32 {
        self.minutes() / 60
    }

    pub fn minute(self) -> u32 {
        self.minutes() % 60
    }

    /// Minutes from 00:00 of the runbook's first day, `day` days later.
    pub fn on_day(self, day: u8) -> u32 {
        u32::from(day) * DAY_MINUTES + self.minutes()
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
