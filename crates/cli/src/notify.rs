//! `warroom notify …` (preview a day's notifications, settings, the recent list, snooze) and
//! `warroom watch` (the headless watcher: prints each notification as it comes due and shows it
//! on the desktop). Planning and the once-per-laptop ledger are core's; this only runs them.

use crate::live::parse_now;
use anyhow::{Context, Result};
use chrono::Duration;
use clap::{Subcommand, ValueEnum};
use std::io::Write;
use std::sync::Arc;
use warroom_core::clock::Clock;
use warroom_core::host::Host;
use warroom_core::notify::desktop::{Desktop, Notifier};
use warroom_core::service::Service;
use warroom_core::{Store, notify};
use warroom_model::notify::{Lang, Notice, NotifySettings};

#[derive(Subcommand)]
pub(crate) enum NotifyCmd {
    /// What would be notified between two instants: preview your day (`--role` for another
    /// role's), or check the settings.
    Plan {
        /// From (RFC 3339, or YYYY-MM-DDTHH:MM in the run's zone; default: now).
        #[arg(long, value_name = "INSTANT")]
        from: Option<String>,
        /// To (default: a day after --from).
        #[arg(long, value_name = "INSTANT")]
        to: Option<String>,
        /// As JSON: a list of {at, kind, title, body, task_id}.
        #[arg(long)]
        json: bool,
    },
    /// Show this laptop's notification settings, or change them.
    Settings {
        /// Minutes before a task's start.
        #[arg(long, value_name = "MIN")]
        task_due: Option<u32>,
        /// Minutes after a task's planned finish.
        #[arg(long, value_name = "MIN")]
        overdue: Option<u32>,
        /// Minutes before a checkpoint.
        #[arg(long, value_name = "MIN")]
        checkpoint: Option<u32>,
        /// Minutes before the rollback deadline, comma-separated (30,15,5,0).
        #[arg(long, value_name = "MIN,…", value_delimiter = ',')]
        deadline: Option<Vec<u32>>,
        /// Tasks and checkpoints of every role, not only mine.
        #[arg(long, value_name = "BOOL")]
        everyone: Option<bool>,
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
        /// Turn notifications on or off on this laptop.
        #[arg(long, value_name = "BOOL")]
        enabled: Option<bool>,
    },
    /// The notifications shown on this laptop, newest first.
    Recent {
        #[arg(long)]
        json: bool,
    },
    /// Show a notification again later: `warroom notify snooze task_overdue:2.1 --minutes 15`.
    Snooze {
        key: String,
        #[arg(long, default_value_t = 5)]
        minutes: u32,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum LangArg {
    En,
    Vi,
}

fn line(n: &Notice) -> String {
    let at = n.at.hm();
    format!("{at}  {:<18} {} — {}", n.kind.as_str(), n.title, n.body)
}

/// The current run's zone (UTC before there is one): what `--from` and `--to` are read in.
fn run_tz(svc: &mut Service) -> Result<String> {
    Ok(svc.status(None, None)?.map(|s| s.run.tz).unwrap_or_else(|| "UTC".into()))
}

pub(crate) fn cmd(
    store: Store,
    clock: Arc<dyn Clock>,
    role: Option<&str>,
    cmd: NotifyCmd,
    out: &mut dyn Write,
) -> Result<()> {
    let mut svc = Service::new(store, clock)?;
    match cmd {
        NotifyCmd::Plan { from, to, json } => {
            // Read once, and only when a time is given in it.
            let tz = if from.is_some() || to.is_some() { run_tz(&mut svc)? } else { String::new() };
            let from = match from {
                Some(f) => parse_now(&f, &tz).context("--from")?,
                None => svc.now(),
            };
            let to = match to {
                Some(t) => parse_now(&t, &tz).context("--to")?,
                None => from + Duration::days(1),
            };
            anyhow::ensure!(to >= from, "--to is before --from");
            let moments = svc.notify_moments(role, Some(from))?;
            // Inclusive of `from`: what is due at that very instant is in the preview.
            let plan = notify::plan(moments, from - Duration::milliseconds(1), to);
            if json {
                let list: Vec<serde_json::Value> = plan
                    .iter()
                    .map(|n| {
                        serde_json::json!({
                            "at": n.at, "kind": n.kind, "title": n.title, "body": n.body, "task_id": n.task_id,
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut *out, &list)?;
                writeln!(out)?;
            } else if plan.is_empty() {
                writeln!(out, "nothing to notify in that time")?;
            } else {
                for n in &plan {
                    writeln!(out, "{}", line(n))?;
                }
            }
        }
        NotifyCmd::Settings { task_due, overdue, checkpoint, deadline, everyone, lang, enabled } => {
            let mut s = svc.notify_settings()?;
            let before = s.clone();
            s.task_due_minutes = task_due.unwrap_or(s.task_due_minutes);
            s.overdue_minutes = overdue.unwrap_or(s.overdue_minutes);
            s.checkpoint_minutes = checkpoint.unwrap_or(s.checkpoint_minutes);
            s.deadline_minutes = deadline.unwrap_or(s.deadline_minutes);
            s.everyone = everyone.unwrap_or(s.everyone);
            s.enabled = enabled.unwrap_or(s.enabled);
            if let Some(l) = lang {
                s.lang = match l {
                    LangArg::En => Lang::En,
                    LangArg::Vi => Lang::Vi,
                };
            }
            let s = if s == before { s } else { svc.set_notify_settings(&s)? };
            write_settings(out, &s)?;
        }
        NotifyCmd::Recent { json } => {
            let recent = svc.recent_notifications()?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &recent)?;
                writeln!(out)?;
            } else {
                for s in &recent {
                    writeln!(out, "{}  [{}]", line(&s.notice), s.notice.key)?;
                }
            }
        }
        NotifyCmd::Snooze { key, minutes } => {
            let n = svc.snooze(&key, minutes)?;
            writeln!(out, "snoozed for {minutes} min: {}", n.title)?;
        }
    }
    Ok(())
}

fn write_settings(out: &mut dyn Write, s: &NotifySettings) -> Result<()> {
    let marks: Vec<String> = s.deadline_minutes.iter().map(u32::to_string).collect();
    writeln!(out, "notifications      {}", if s.enabled { "on" } else { "off" })?;
    writeln!(out, "task due           {} min before", s.task_due_minutes)?;
    writeln!(out, "task overdue       {} min after", s.overdue_minutes)?;
    writeln!(out, "checkpoint         {} min before", s.checkpoint_minutes)?;
    writeln!(out, "rollback deadline  {} min before", marks.join(", "))?;
    writeln!(out, "whose tasks        {}", if s.everyone { "everyone's" } else { "my role's" })?;
    writeln!(out, "language           {}", if s.lang == Lang::Vi { "Tiếng Việt" } else { "English" })?;
    Ok(())
}

/// Runs until interrupted: at each moment prints the notifications due and shows them on the
/// desktop. The timing is core's host's, the same as the desktop app's.
pub(crate) fn watch(store: Store, clock: Arc<dyn Clock>, desktop: bool, json: bool) -> Result<()> {
    let svc = Service::new(store, clock)?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "watching {} for {}", svc.store().path(), who(&svc)?)?;
        out.flush()?;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    let host = Host::new(svc, rt.handle().clone());
    let warned = std::cell::Cell::new(false);
    host.notifications(move |n: &Notice| {
        let text = if json { serde_json::to_string(n).unwrap_or_default() } else { line(n) };
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{text}").and_then(|()| out.flush()).is_err() {
            tracing::debug!("standard output is closed");
        }
        if desktop
            && let Err(e) = Desktop.show(n, None)
            && !warned.replace(true)
        {
            tracing::warn!("{e}; printing only");
        }
    })?;
    host.watch_external();
    rt.block_on(tokio::signal::ctrl_c())?;
    Ok(())
}

fn who(svc: &Service) -> Result<String> {
    let me = svc.me()?;
    let s = svc.notify_settings()?;
    Ok(match (s.everyone, me.role.is_empty()) {
        (true, _) => "everyone".into(),
        (false, true) => format!("{} (no role set: only what concerns everyone)", me.name),
        (false, false) => format!("{} ({})", me.name, me.role),
    })
}
