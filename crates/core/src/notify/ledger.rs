//! What this laptop has already told its person, kept in the database's local settings so that
//! each notification fires once, even across restarts. A tick shows what came due since the
//! last one; what passed while the app was closed or the laptop asleep (no tick for more than
//! `AWAY_AFTER`) becomes one "while you were away" summary instead of a burst. Snoozed
//! notifications come back when their time is up, unless what they were about is over.

use super::at;
use super::text::Texts;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, VecDeque};
use warroom_model::Instant;
use warroom_model::notify::{Lang, Notice, NoticeKind, Shown};

/// A watcher that has not ticked for this long was not running (closed, or the laptop asleep).
pub const AWAY_AFTER: Duration = Duration::minutes(2);
/// The longest a watcher sleeps between ticks, so that being awake is told from being away.
pub const HEARTBEAT: Duration = Duration::minutes(1);
/// How many shown notifications the in-app list keeps.
pub const RECENT: usize = 50;

/// Why a snooze was refused.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// No notification with that key is among those shown recently.
    #[error("no notification `{0}` was shown recently; nothing to snooze")]
    Unknown(String),
}

/// What this laptop has notified for a run: kept in the database's local settings, never synced,
/// so that each notification fires once per laptop, across restarts too.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ledger {
    /// The run the ledger is for; another run starts a new ledger.
    pub run: String,
    /// When the watcher last ticked; a gap over `AWAY_AFTER` means it was away.
    pub last_check: Option<DateTime<Utc>>,
    /// Keys already shown or summarised.
    pub handled: BTreeSet<String>,
    /// Notifications snoozed, each until it is shown again.
    pub snoozed: Vec<Snoozed>,
    /// Newest last.
    pub recent: VecDeque<Shown>,
}

/// A notification put off until a later time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snoozed {
    /// When to show it again, unless its moment is no longer planned by then.
    pub until: DateTime<Utc>,
    /// The notification as it was shown.
    pub notice: Notice,
}

impl Ledger {
    /// What to show at `now`, given every moment of `run` as it now stands.
    pub fn tick(
        &mut self,
        run: &str,
        moments: &[Notice],
        now: DateTime<Utc>,
        lang: Lang,
        tz: Option<chrono_tz::Tz>,
    ) -> Vec<Notice> {
        if self.run != run {
            let recent = std::mem::take(&mut self.recent);
            *self = Self { run: run.to_owned(), recent, ..Self::default() };
        }
        let away = self.last_check.is_none_or(|l| now - l > AWAY_AFTER);
        let just_now = now - Duration::minutes(1);
        let mut show = Vec::new();
        let mut missed: Vec<&Notice> = Vec::new();
        for m in moments {
            let Some(t) = at(m) else { continue };
            if t > now || self.handled.contains(&m.key) {
                continue;
            }
            self.handled.insert(m.key.clone());
            if away && t < just_now {
                missed.push(m);
            } else {
                show.push(m.clone());
            }
        }
        let (due, waiting): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.snoozed).into_iter().partition(|s| s.until <= now);
        self.snoozed = waiting;
        for s in due {
            // Still relevant: the task is not done, the deadline not decided.
            if moments.iter().any(|m| m.key == s.notice.key) {
                show.push(s.notice);
            }
        }
        if !missed.is_empty() {
            show.insert(0, summary(&missed, now, lang, tz));
        }
        for n in &show {
            self.recent.push_back(Shown { notice: n.clone(), shown_at: Instant::utc(now) });
        }
        while self.recent.len() > RECENT {
            self.recent.pop_front();
        }
        self.last_check = Some(now);
        show
    }

    /// Shows `key` again in `minutes`, unless by then it no longer applies.
    pub fn snooze(&mut self, key: &str, minutes: u32, now: DateTime<Utc>) -> Result<&Notice, LedgerError> {
        let notice = self
            .recent
            .iter()
            .rev()
            .find(|s| s.notice.key == key)
            .map(|s| s.notice.clone())
            .ok_or_else(|| LedgerError::Unknown(key.to_owned()))?;
        self.snoozed.retain(|s| s.notice.key != key);
        self.snoozed.push(Snoozed { until: now + Duration::minutes(i64::from(minutes)), notice });
        Ok(&self.snoozed[self.snoozed.len() - 1].notice)
    }

    /// When the watcher should tick next: the next moment not yet handled, a snooze running
    /// out, or the heartbeat, whichever comes first.
    pub fn next_wakeup(&self, moments: &[Notice], now: DateTime<Utc>) -> DateTime<Utc> {
        let next_moment =
            moments.iter().filter(|m| !self.handled.contains(&m.key)).filter_map(at).filter(|t| *t > now).min();
        let next_snooze = self.snoozed.iter().map(|s| s.until).filter(|t| *t > now).min();
        [next_moment, next_snooze].into_iter().flatten().fold(now + HEARTBEAT, DateTime::min)
    }
}

/// One notification for everything that passed while away, counted by kind. A task that is
/// overdue is not also counted as due.
fn summary(missed: &[&Notice], now: DateTime<Utc>, lang: Lang, tz: Option<chrono_tz::Tz>) -> Notice {
    let overdue: BTreeSet<&str> =
        missed.iter().filter(|m| m.kind == NoticeKind::TaskOverdue).filter_map(|m| m.task_id.as_deref()).collect();
    let mut counts: Vec<(NoticeKind, usize)> = Vec::new();
    for m in missed {
        if m.kind == NoticeKind::TaskDue && m.task_id.as_deref().is_some_and(|t| overdue.contains(t)) {
            continue;
        }
        match counts.iter_mut().find(|(k, _)| *k == m.kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((m.kind, 1)),
        }
    }
    counts.sort_by_key(|(k, _)| std::cmp::Reverse(k.urgent()));
    let passed = missed.iter().any(|m| m.key == "rollback_deadline:0");
    let (title, body) = Texts::new(lang, tz).summary(&counts, passed);
    let at = match tz {
        Some(tz) => Instant(now.with_timezone(&tz).fixed_offset()),
        None => Instant::utc(now),
    };
    Notice { at, kind: NoticeKind::Summary, title, body, task_id: None, key: format!("summary:{}", now.timestamp()) }
}
