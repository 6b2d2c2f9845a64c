//! The service's part in notifications: this laptop's settings, what is due now, snoozing
//! and the ledger of what was already shown.

use super::*;
use crate::live::LiveError;
use crate::notify::{self, Audience, Ledger, ledger};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use warroom_model::Refusal;
use warroom_model::live::Status;
use warroom_model::notify::{Notice, NotifySettings, Shown};

impl Service {
    /// This laptop's notification settings (defaults until changed).
    pub fn notify_settings(&self) -> Result<NotifySettings> {
        Ok(self.store.local(NOTIFY_SETTINGS)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    /// Sets this laptop's notification settings; refused (`LeadTimes`) when a lead time is over a
    /// day or there are more than 10 deadline reminders.
    pub fn set_notify_settings(&mut self, settings: &NotifySettings) -> Result<NotifySettings> {
        const DAY: u32 = 24 * 60;
        let too_far = [settings.task_due_minutes, settings.overdue_minutes, settings.checkpoint_minutes]
            .into_iter()
            .chain(settings.deadline_minutes.iter().copied())
            .any(|m| m > DAY);
        if too_far || settings.deadline_minutes.len() > 10 {
            return Err(LiveError::Refused(Refusal::LeadTimes).into());
        }
        let text = serde_json::to_string(settings).map_err(StoreError::from)?;
        self.store.set_local(NOTIFY_SETTINGS, &text)?;
        self.changed();
        self.notify_settings()
    }

    /// Every notification `role` (default: mine) gets in the current run as it stands at `at`
    /// (default: now); empty before a run starts.
    pub fn notify_moments(&mut self, role: Option<&str>, at: Option<DateTime<Utc>>) -> Result<Vec<Notice>> {
        let settings = self.notify_settings()?;
        Ok(self.moments(role, at, &settings)?.map(|(_, m)| m).unwrap_or_default())
    }

    /// The current run's status and its moments for `role` (default: mine); `None` before a run.
    fn moments(
        &mut self,
        role: Option<&str>,
        at: Option<DateTime<Utc>>,
        settings: &NotifySettings,
    ) -> Result<Option<(Status, Vec<Notice>)>> {
        let me = self.me()?;
        let Some(st) = self.status(None, at)? else { return Ok(None) };
        let rb = &self.snapshot()?.runbook;
        let moments = notify::moments(rb, &st, &Audience { role: role.unwrap_or(&me.role), settings });
        Ok(Some((st, moments)))
    }

    /// What to show now, each once per laptop (see `notify::ledger`), and when to look again.
    pub fn notify_tick(&mut self) -> Result<(Vec<Notice>, DateTime<Utc>)> {
        let now = self.now();
        let settings = self.notify_settings()?;
        let Some((st, moments)) = self.moments(None, Some(now), &settings)? else {
            return Ok((Vec::new(), now + ledger::HEARTBEAT));
        };
        let mut ledger = self.ledger()?;
        let show = ledger.tick(&st.run.id, &moments, now, settings.lang, st.run.tz.parse().ok());
        let next = ledger.next_wakeup(&moments, now);
        self.save_ledger(&ledger)?;
        Ok((show, next))
    }

    /// Shows notification `key` again in `minutes`.
    pub fn snooze(&mut self, key: &str, minutes: u32) -> Result<Notice> {
        let mut ledger = self.ledger()?;
        let n = ledger
            .snooze(key, minutes, self.now())
            .map_err(|_| LiveError::Refused(Refusal::NotShown { key: key.to_owned() }))?
            .clone();
        self.save_ledger(&ledger)?;
        Ok(n)
    }

    /// The notifications shown on this laptop, newest first.
    pub fn recent_notifications(&self) -> Result<Vec<Shown>> {
        Ok(self.ledger()?.recent.into_iter().rev().collect())
    }

    fn ledger(&self) -> Result<Ledger> {
        Ok(self.store.local(NOTIFY_LEDGER)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    fn save_ledger(&mut self, ledger: &Ledger) -> Result<()> {
        let text = serde_json::to_string(ledger).map_err(StoreError::from)?;
        Ok(self.store.set_local(NOTIFY_LEDGER, &text)?)
    }
}
