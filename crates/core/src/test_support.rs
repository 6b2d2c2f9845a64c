//! What the core's unit tests share: the demo night's clock and the tech lead who acts in it.

use crate::clock::FakeClock;
use chrono::{TimeZone, Utc};
use warroom_model::Author;

/// 06:00 UTC on the demo runbook's go-live day.
pub(crate) fn clock() -> FakeClock {
    FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 31, 6, 0, 0).single().unwrap_or_default())
}

/// Lan, the tech lead.
pub(crate) fn lan() -> Author {
    Author { name: "Lan".into(), role: "Tech Lead".into() }
}
