//! Time as the rest of core sees it: a `Clock` trait, the system clock, and a fake clock that
//! tests set and advance.

use chrono::{DateTime, Utc};
use std::sync::Mutex;

/// Where core gets the time: every action, status and notification asks its clock, so a
/// rehearsal (`--now`, `--speed`) or a test runs the whole app at another time.
pub trait Clock: Send + Sync {
    /// The current instant on this clock.
    fn now(&self) -> DateTime<Utc>;

    /// How long to wait in real time for `d` to pass on this clock.
    fn real(&self, d: chrono::Duration) -> std::time::Duration {
        d.to_std().unwrap_or_default()
    }
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until told otherwise.
#[derive(Debug)]
pub struct FakeClock(Mutex<DateTime<Utc>>);

impl FakeClock {
    /// A clock standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    /// Moves the clock to `at` (backwards too).
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *t += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The machine's clock moved to another instant and, optionally, sped up: for rehearsing or
/// demonstrating a go-live day at another time of day, or replaying it faster (`warroom serve
/// --now 2026-01-31T10:20:00+07:00 --speed 60` runs a minute a second from 10:20).
#[derive(Debug, Clone, Copy)]
pub struct ShiftedClock {
    real_start: DateTime<Utc>,
    start: DateTime<Utc>,
    speed: f64,
}

impl ShiftedClock {
    /// A clock that reads `start` now and then runs `speed` times as fast as real time (a speed that
    /// is not a positive number counts as 1).
    pub fn new(start: DateTime<Utc>, speed: f64) -> Self {
        Self { real_start: Utc::now(), start, speed: if speed.is_finite() && speed > 0.0 { speed } else { 1.0 } }
    }

    fn at(&self, real: DateTime<Utc>) -> DateTime<Utc> {
        let elapsed_ms = (real - self.real_start).num_milliseconds() as f64 * self.speed;
        self.start + chrono::Duration::milliseconds(elapsed_ms as i64)
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        self.at(Utc::now())
    }

    fn real(&self, d: chrono::Duration) -> std::time::Duration {
        d.to_std().unwrap_or_default().div_f64(self.speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_shifted_clock_starts_where_told_and_runs_at_its_speed() {
        let start = Utc.with_ymd_and_hms(2026, 1, 31, 3, 20, 0).unwrap();
        let c = ShiftedClock::new(start, 60.0);
        assert_eq!(c.at(c.real_start), start);
        assert_eq!(c.at(c.real_start + chrono::Duration::seconds(10)), start + chrono::Duration::minutes(10));
        assert!(c.now() >= start);
        assert_eq!(c.real(chrono::Duration::minutes(2)), std::time::Duration::from_secs(2));
        let bad = ShiftedClock::new(start, f64::NAN);
        assert_eq!(bad.at(bad.real_start + chrono::Duration::seconds(5)), start + chrono::Duration::seconds(5));
    }
}
