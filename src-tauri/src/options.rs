//! The desktop app's command line: `--help` and `--version` (answered before any window or
//! display is touched), `--now`/`--speed` to rehearse at another instant, and `--ready-file`
//! for the launch benchmark.

use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use clap::Parser;
use std::path::PathBuf;
use std::sync::Arc;
use warroom_core::{Clock, ShiftedClock, SystemClock};

/// warroom: run a system go-live from its runbook. Opens the desktop window on the database
/// `WARROOM_DB` names, else the shared default in the OS data folder.
#[derive(Debug, Parser)]
#[command(name = "warroom-desktop", version)]
pub struct Options {
    /// Rehearse or demonstrate at another instant: the clock starts there (RFC 3339, or
    /// YYYY-MM-DDTHH:MM in this laptop's time zone).
    #[arg(long, value_name = "INSTANT", value_parser = instant)]
    pub now: Option<DateTime<Utc>>,
    /// With --now: how many times faster than real time the clock runs (60 = a minute a second).
    #[arg(long, default_value_t = 1.0, requires = "now", value_parser = speed)]
    pub speed: f64,
    /// Write the milliseconds from start to the runbook on screen to this file, once it is shown
    /// (the launch benchmark and the install test read it).
    #[arg(long, value_name = "PATH", env = "WARROOM_READY_FILE")]
    pub ready_file: Option<PathBuf>,
}

impl Options {
    /// The system clock, or with `--now` a clock started there running at `--speed`.
    pub fn clock(&self) -> Arc<dyn Clock> {
        match self.now {
            Some(at) => Arc::new(ShiftedClock::new(at, self.speed)),
            None => Arc::new(SystemClock),
        }
    }
}

/// `2026-01-31T06:20:00+07:00`, or `2026-01-31T06:20` (or with seconds) on this laptop's clock.
fn instant(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| format!("`{text}` is not an instant: write 2026-01-31T06:20 or 2026-01-31T06:20:00+07:00"))?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("`{text}` does not exist on this laptop's clock (a daylight-saving gap)"))
}

/// A positive, finite speed.
fn speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(s),
        _ => Err(format!("`{text}` is not a speed: write a positive number such as 60")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_with_or_without_an_offset_and_a_clear_refusal() {
        let o = Options::try_parse_from(["warroom-desktop", "--now", "2026-01-31T06:20:00+07:00", "--speed", "60"])
            .unwrap();
        assert_eq!(o.now.map(|t| t.to_rfc3339()).as_deref(), Some("2026-01-30T23:20:00+00:00"));
        assert_eq!(o.speed, 60.0);
        let local = Options::try_parse_from(["warroom-desktop", "--now", "2026-01-31T06:20"]).unwrap();
        let back = local.now.map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string());
        assert_eq!(back.as_deref(), Some("2026-01-31 06:20"));
        let bad = Options::try_parse_from(["warroom-desktop", "--now", "31/01/2026"]).unwrap_err().to_string();
        assert!(bad.contains("`31/01/2026` is not an instant"), "{bad}");
        let slow = Options::try_parse_from(["warroom-desktop", "--now", "2026-01-31T06:20", "--speed", "0"]);
        assert!(slow.unwrap_err().to_string().contains("is not a speed"));
        assert!(Options::try_parse_from(["warroom-desktop", "--speed", "60"]).is_err(), "--speed needs --now");
    }
}
