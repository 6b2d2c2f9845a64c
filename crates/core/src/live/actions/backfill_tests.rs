//! What a back-filled time means on a night across midnight, and which ones are refused.

use super::Actions;
use crate::clock::{Clock, FakeClock};
use crate::store::Store;
use chrono::{DateTime, TimeZone, Utc};
use warroom_model::live::RunKind;
use warroom_model::{Author, Refusal};

const NIGHT: &str = "# NIGHT\n\n**Window**: 23:30 - 03:00\n\n## TIMELINE\n\n### Phase 1: Go (23:30 - 03:00)\n\n| Time | Task | Owner |\n|---|---|---|\n| 23:30 | Bridge call | Tech Lead |\n| 01:00 | Switch | DBA |\n";

fn la(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    chrono_tz::America::Los_Angeles.with_ymd_and_hms(2026, 4, d, h, m, 0).unwrap().with_timezone(&Utc)
}

fn night(now: DateTime<Utc>) -> (Store, FakeClock) {
    let mut store = Store::open_in_memory().unwrap();
    let clock = FakeClock::new(la(18, 20, 0));
    let lan = Author { name: "Lan".into(), role: "Tech Lead".into() };
    let imported = crate::import_markdown("night.md", NIGHT.as_bytes()).unwrap();
    store.import(&imported, &lan, false, &clock).unwrap();
    Actions::new(&mut store, lan, &clock).run_start(RunKind::Live, "2026-04-18", "America/Los_Angeles", None).unwrap();
    clock.set(now);
    (store, clock)
}

fn at(store: &mut Store, clock: &FakeClock, text: &str) -> Result<DateTime<Utc>, super::LiveError> {
    let a = Actions::new(store, Author { name: "Lan".into(), role: "Tech Lead".into() }, clock);
    a.backfilled_at(None, text)
}

#[test]
fn hh_mm_is_the_first_such_time_from_the_windows_start() {
    let (mut store, clock) = night(la(19, 9, 0));
    assert_eq!(at(&mut store, &clock, "23:45").unwrap(), la(18, 23, 45));
    assert_eq!(at(&mut store, &clock, "01:10").unwrap(), la(19, 1, 10), "after midnight is the next day");
    assert_eq!(at(&mut store, &clock, "23:30").unwrap(), la(18, 23, 30), "the window's start itself");
    assert_eq!(at(&mut store, &clock, "2026-04-19T02:10").unwrap(), la(19, 2, 10));
    assert_eq!(at(&mut store, &clock, "2026-04-19T09:10:00Z").unwrap(), la(19, 2, 10), "an RFC 3339 instant");
}

#[test]
fn a_time_to_come_or_before_the_go_live_day_or_not_a_time_is_refused() {
    let (mut store, clock) = night(la(19, 2, 20));
    let refusal = |r: Result<DateTime<Utc>, super::LiveError>| match r {
        Err(super::LiveError::Refused(why)) => why,
        other => panic!("not refused: {other:?}"),
    };
    assert!(matches!(refusal(at(&mut store, &clock, "02:30")), Refusal::InTheFuture { .. }));
    assert!(matches!(refusal(at(&mut store, &clock, "2026-04-17T22:00")), Refusal::OutsideTheRun { .. }));
    assert!(matches!(refusal(at(&mut store, &clock, "half past two")), Refusal::BadTime { .. }));
    assert_eq!(at(&mut store, &clock, "02:20").unwrap(), clock.now(), "now itself is not in the future");
}

#[test]
fn a_local_time_in_the_clock_change_gap_is_read_as_the_runbooks_times_are() {
    use crate::live::schedule::{instant, parse_instant};
    let la = chrono_tz::America::Los_Angeles;
    // 02:30 on 8 March 2026 does not exist in Los Angeles (02:00 becomes 03:00).
    let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
    assert_eq!(parse_instant("2026-03-08T02:30", la), Some(instant(la, date, 150)));
    assert_eq!(parse_instant("2026-03-08 02:30", la), parse_instant("2026-03-08T02:30", la));
    assert_eq!(parse_instant("the morning after", la), None);
}
