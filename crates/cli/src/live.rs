//! The live-run subcommands: runs, tasks, checkpoints, rollback, incidents, metrics, the
//! checklist, runbook edits, and `status`. Each converts its arguments and calls core.

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use warroom_core::live::actions::TaskAction;
use warroom_core::live::{self, Snapshot, parse_tz};
use warroom_core::putln;
use warroom_core::service::Recorded;
use warroom_core::{Clock, FakeClock, Store};
use warroom_model::api::{Action, EditKind};
use warroom_model::live::{Decision, MatrixAdvice, Mode, Rag, RollbackDecision, RunKind, RunState, Severity, Status};
use warroom_model::{Instant, MatrixRow, RunId, TaskId};

#[derive(Subcommand)]
pub(crate) enum RunCmd {
    /// Start a run on a date, live or a rehearsal.
    Start {
        #[arg(long, conflicts_with = "rehearsal", required_unless_present = "rehearsal")]
        live: bool,
        #[arg(long)]
        rehearsal: bool,
        /// The go-live day, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// IANA time zone (default: the runbook's zone, else this machine's).
        #[arg(long)]
        tz: Option<String>,
        /// Plan with the actual durations of this rehearsal.
        #[arg(long, value_name = "RUN")]
        durations_from: Option<RunId>,
    },
    /// The run went live: mark it completed.
    Finish,
    /// Stop the run without finishing it.
    Abandon,
    /// List the runs.
    List,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum TaskVerb {
    Start,
    Done,
    Skip,
    Fail,
    Block,
    Undo,
    /// Add a comment (the text in --note).
    Comment,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum CheckpointVerb {
    Sign,
    Go,
    NoGo,
    Hold,
}

#[derive(Subcommand)]
pub(crate) enum RollbackCmd {
    /// Approve a rollback as your role (the decision matrix names who must).
    Approve,
    /// Decide: roll back, or fix forward.
    Decide {
        #[arg(long, conflicts_with = "fix_forward", required_unless_present = "fix_forward")]
        rollback: bool,
        #[arg(long)]
        fix_forward: bool,
        #[arg(long)]
        reason: String,
        /// Use this incident's row of the decision matrix for the approvers.
        #[arg(long)]
        incident: Option<String>,
    },
    /// Roll back after the deadline: recorded as an override, with its reason; the decision
    /// matrix's approvers (distinct people) must have approved first.
    Override {
        #[arg(long)]
        reason: String,
    },
    /// Tick a rollback step: `warroom rollback step r3 done`.
    Step { id: String, done: DoneWord },
    /// Mark a rollback trigger as met or not.
    Trigger { id: String, state: CheckWord },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum DoneWord {
    Done,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum CheckWord {
    Check,
    Uncheck,
}

#[derive(Subcommand)]
pub(crate) enum IncidentCmd {
    Open {
        title: String,
        #[arg(long, value_enum, ignore_case = true)]
        severity: Severity,
        #[arg(long, default_value = "")]
        description: String,
        /// Estimated minutes to resolve.
        #[arg(long)]
        eta: Option<i64>,
    },
    Update {
        id: String,
        #[arg(long)]
        note: String,
        #[arg(long, value_enum, ignore_case = true)]
        severity: Option<Severity>,
        #[arg(long)]
        eta: Option<i64>,
    },
    Resolve {
        id: String,
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum MetricCmd {
    /// Record a reading: `warroom metric record "Response p95" 180 --unit ms`.
    Record {
        name: String,
        value: f64,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        source: Option<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum EditCmd {
    /// Set fields: `warroom edit set task 2.3 owner="QA Lead" duration_min=20`.
    Set {
        kind: EditKind,
        id: String,
        #[arg(required = true, value_name = "FIELD=VALUE")]
        fields: Vec<String>,
    },
    /// Add a phase, contact, step, metric, trigger, matrix row, checklist item or command:
    /// `warroom edit add contact role=Security phone="0900 111 222" --after c2`.
    Add {
        kind: EditKind,
        #[arg(value_name = "FIELD=VALUE")]
        fields: Vec<String>,
        #[arg(long)]
        after: Option<String>,
    },
    /// Add a task to a phase.
    AddTask {
        #[arg(long)]
        phase: String,
        #[arg(long)]
        time: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        owner: String,
        #[arg(long)]
        after: Option<String>,
    },
    /// Delete a task, phase, contact, step, metric, ...
    Delete { kind: EditKind, id: String },
    /// Move after another (to the front without --after); a task may change phase.
    Move {
        kind: EditKind,
        id: String,
        #[arg(long)]
        after: Option<String>,
        #[arg(long)]
        phase: Option<String>,
    },
}

/// Options every action shares.
#[derive(Args, Clone, Default)]
pub(crate) struct Who {
    /// Who is acting (default: `warroom me set`).
    #[arg(long, global = true)]
    pub by: Option<String>,
    #[arg(long, global = true)]
    pub role: Option<String>,
    /// The run (default: the active one).
    #[arg(long, global = true)]
    pub run: Option<RunId>,
    /// When it happened, to record it later (back-fill): HH:MM on the run's timeline (the first
    /// such time from the window's start, so 01:10 in a 23:30–03:00 window is the next day), or
    /// YYYY-MM-DDTHH:MM in the run's zone, or an RFC 3339 instant.
    #[arg(long, global = true, value_name = "TIME")]
    pub at: Option<String>,
}

/// `warroom run list`: the runs, oldest first.
pub(crate) fn run_list(store: &Store) -> Result<String> {
    let snap = Snapshot::load(store)?;
    let mut o = String::new();
    for r in snap.runs() {
        putln!(o, "{}  {}  {}  {}  {}", r.id, r.kind, r.date, r.tz, r.state);
    }
    if o.is_empty() {
        o.push_str("no runs yet: `warroom run start --live|--rehearsal --date YYYY-MM-DD`\n");
    }
    Ok(o)
}

/// The action `warroom run start|finish|abandon` asks for (`list` records nothing: `None`).
pub(crate) fn run_action(cmd: RunCmd) -> Option<Action> {
    Some(match cmd {
        RunCmd::Start { live, date, tz, durations_from, .. } => Action::RunStart {
            kind: if live { RunKind::Live } else { RunKind::Rehearsal },
            date,
            // None: the runbook's zone, else the laptop's (the core decides).
            tz: tz.unwrap_or_default(),
            durations_from,
        },
        RunCmd::Finish => Action::RunEnd { state: RunState::Completed },
        RunCmd::Abandon => Action::RunEnd { state: RunState::Abandoned },
        RunCmd::List => return None,
    })
}

pub(crate) fn task_action(id: TaskId, verb: TaskVerb, note: Option<String>) -> Result<Action> {
    let verb = match verb {
        TaskVerb::Start => TaskAction::Start,
        TaskVerb::Done => TaskAction::Done,
        TaskVerb::Skip => TaskAction::Skip,
        TaskVerb::Fail => TaskAction::Fail,
        TaskVerb::Block => TaskAction::Block,
        TaskVerb::Undo => TaskAction::Undo,
        TaskVerb::Comment => {
            let Some(text) = note else { bail!("a comment needs its text in --note") };
            return Ok(Action::Comment { task: id, text });
        }
    };
    Ok(Action::Task { task: id, verb, note, at: None })
}

pub(crate) fn checkpoint_action(
    id: TaskId,
    verb: CheckpointVerb,
    reason: Option<String>,
    as_role: Option<String>,
) -> Action {
    let decision = match verb {
        CheckpointVerb::Sign => return Action::CheckpointSign { id, role: as_role },
        CheckpointVerb::Go => Decision::Go,
        CheckpointVerb::NoGo => Decision::NoGo,
        CheckpointVerb::Hold => Decision::Hold,
    };
    Action::CheckpointDecide { id, decision, reason }
}

pub(crate) fn rollback_action(cmd: RollbackCmd) -> Action {
    match cmd {
        RollbackCmd::Approve => Action::RollbackApprove,
        RollbackCmd::Decide { rollback, reason, incident, .. } => Action::RollbackDecide { rollback, reason, incident },
        RollbackCmd::Override { reason } => Action::RollbackOverride { reason },
        RollbackCmd::Step { id, .. } => Action::RollbackStep { id },
        RollbackCmd::Trigger { id, state } => {
            Action::RollbackTrigger { id, checked: matches!(state, CheckWord::Check) }
        }
    }
}

pub(crate) fn incident_action(cmd: IncidentCmd) -> Action {
    match cmd {
        IncidentCmd::Open { title, severity, description, eta } => {
            Action::IncidentOpen { title, severity, description, eta_minutes: eta }
        }
        IncidentCmd::Update { id, note, severity, eta } => {
            Action::IncidentUpdate { id, note, severity, eta_minutes: eta }
        }
        IncidentCmd::Resolve { id, note } => Action::IncidentResolve { id, note },
    }
}

fn pairs(fields: Vec<String>) -> Result<Vec<(String, String)>> {
    fields
        .into_iter()
        .map(|f| match f.split_once('=') {
            Some((k, v)) => Ok((k.trim().to_owned(), v.to_owned())),
            None => bail!("`{f}`: expected FIELD=VALUE"),
        })
        .collect()
}

pub(crate) fn edit_action(cmd: EditCmd) -> Result<Action> {
    Ok(match cmd {
        EditCmd::Set { kind, id, fields } => Action::EditSet { kind, id, fields: pairs(fields)? },
        EditCmd::Add { kind, fields, after } => Action::EditAdd { kind, fields: pairs(fields)?, after },
        EditCmd::AddTask { phase, time, title, owner, after } => {
            Action::EditAddTask { phase, time, title, owner, after }
        }
        EditCmd::Delete { kind, id } => Action::EditDelete { kind, id },
        EditCmd::Move { kind, id, after, phase } => Action::EditMove { kind, id, after, phase },
    })
}

/// What the command prints after core recorded `action`.
pub(crate) fn said(action: &Action, done: &Recorded) -> String {
    let created = done.created.as_deref().unwrap_or_default();
    match action {
        Action::RunStart { date, tz, .. } => {
            // Without --tz the run takes the runbook's zone (else this machine's): say which.
            format!("started {created} ({date} in {})\n", done.run.as_ref().map_or(tz.as_str(), |r| r.tz.as_str()))
        }
        Action::RunEnd { state: RunState::Completed } => "run completed\n".into(),
        Action::RunEnd { .. } => "run abandoned\n".into(),
        Action::Comment { task, .. } => format!("{task}: comment added\n"),
        Action::IncidentOpen { .. } => format!("opened {created}\n"),
        Action::IncidentUpdate { id, .. } => format!("{id} updated\n"),
        Action::IncidentResolve { id, .. } => format!("{id} resolved\n"),
        Action::MetricRecord { .. } => {
            format!("{} ({})\n", done.summary, done.payload["state"].as_str().unwrap_or_default())
        }
        Action::EditSet { kind, id, .. } => format!("{kind} {id} updated\n"),
        Action::EditAdd { kind, .. } => format!("added {kind} {created}\n"),
        Action::EditAddTask { .. } => format!("added task {created}\n"),
        Action::EditDelete { kind, id } => format!("{kind} {id} deleted\n"),
        Action::EditMove { kind, id, .. } => format!("{kind} {id} moved\n"),
        _ => format!("{}\n", done.summary),
    }
}

/// `--now`: RFC 3339, or a local `YYYY-MM-DDTHH:MM` in the run's time zone.
pub(crate) fn parse_now(text: &str, tz: &str) -> Result<DateTime<Utc>> {
    if let Some(t) = warroom_core::live::schedule::parse_instant(text, parse_tz(tz)?) {
        return Ok(t);
    }
    bail!(
        "--now `{text}`: expected an instant such as 2026-01-31T07:40:00+07:00, or 2026-01-31T07:40 in the run's time zone"
    )
}

/// `warroom status`: the live picture as text or JSON, written to `out` as it is made (the JSON
/// of a 10,000-task run is megabytes: it is not held twice).
pub(crate) fn status_cmd(
    out: &mut dyn std::io::Write,
    store: &Store,
    who: &Who,
    now: Option<&str>,
    json: bool,
    clock: &dyn Clock,
) -> Result<()> {
    let snap = Snapshot::load_live(store)?;
    let run = snap.run(who.run.as_deref())?;
    let now = match now {
        Some(n) => parse_now(n, &run.tz)?,
        None => clock.now(),
    };
    let fake = FakeClock::new(now);
    let st = live::status(&snap, &run, fake.now())?;
    if json {
        use std::io::Write as _;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer_pretty(&mut w, &st)?;
        w.write_all(b"\n")?;
        w.flush()?;
        return Ok(());
    }
    out.write_all(render_status(&st).as_bytes())?;
    Ok(())
}

fn signed(m: i64) -> String {
    if m > 0 {
        format!("+{m} min")
    } else if m < 0 {
        format!("{m} min")
    } else {
        "on plan".into()
    }
}

/// Up to eight ids, then how many more.
fn listed(ids: &[TaskId]) -> String {
    const SHOWN: usize = 8;
    let head = ids.iter().take(SHOWN).map(TaskId::as_str).collect::<Vec<_>>().join(", ");
    match ids.len().saturating_sub(SHOWN) {
        0 => head,
        more => format!("{head} and {more} more"),
    }
}

/// What the decision matrix says about an issue, in a line.
fn matrix_says(m: &MatrixAdvice) -> String {
    let row = |r: &MatrixRow| {
        let who = if r.approver.is_empty() { String::new() } else { format!(", approval: {}", r.approver) };
        format!("{} ({}{who})", r.issue, r.severity)
    };
    match &m.row {
        Some(r) => format!("{} — {}", r.action, row(r)),
        None if m.candidates.is_empty() => "nothing (the runbook has no decision matrix)".into(),
        None => {
            let either = m.action().map(|a| format!(" ({a} either way)")).unwrap_or_default();
            let rows: Vec<String> = m.candidates.iter().map(|r| format!("{} → {}", row(r), r.action)).collect();
            format!("no row fits{either}; candidates: {}", rows.join("; "))
        }
    }
}

pub(crate) fn render_status(st: &Status) -> String {
    let mut o = String::new();
    // Every moment in the run's zone, with its date when it is not the run's first day.
    let first_day = chrono::NaiveDate::parse_from_str(&st.run.date, "%Y-%m-%d").ok();
    let hm = |t: &Instant| t.label(first_day);
    let title = |t: &str| {
        st.tasks.iter().find(|x| x.id == t).map(|x| format!("{t}  {}  ({})", x.name(), x.owner)).unwrap_or_default()
    };
    putln!(
        o,
        "{} run {} · {} {} · now {}",
        if st.run.kind == RunKind::Live { "LIVE" } else { "REHEARSAL" },
        st.run.id,
        st.run.date,
        st.run.tz,
        hm(&st.now)
    );
    let r = &st.rollback;
    let decided = || {
        let by = r.decided_by.as_ref().map(|b| format!("{} ({}) at {}", b.name, b.role, hm(&b.at))).unwrap_or_default();
        let reason = r.reason.as_deref().map(|x| format!(": {x}")).unwrap_or_default();
        format!("decided by {by}{reason}")
    };
    match st.mode {
        Mode::Ended => {
            let ended = st.run.ended_at.as_ref().map(|t| format!(" at {}", hm(t))).unwrap_or_default();
            putln!(o, "The run is over: {}{ended}.", st.run.state);
            if let Some(d) = r.decision {
                putln!(o, "  {d} {}", decided());
            }
            rollback_steps(&mut o, st, &hm);
            return o;
        }
        Mode::RollingBack => {
            putln!(o, "ROLLING BACK · {}", decided());
            let end = r.forecast_end.as_ref().map(&hm).unwrap_or_default();
            let limit = r.restore_by.as_ref().map(&hm).unwrap_or_else(|| "—".into());
            let spare = match r.margin_minutes {
                Some(m) if m >= 0 => format!("{m} min to spare"),
                Some(m) => format!("{} min past the window", -m),
                None => "no window end".into(),
            };
            putln!(o, "Rollback {} · forecast end {end} · window ends {limit} ({spare})", rag_word(r.state));
            rollback_steps(&mut o, st, &hm);
            open_incidents(&mut o, st);
            last_change(&mut o, st, &hm);
            return o;
        }
        Mode::FixingForward => {
            putln!(o, "FIXING FORWARD · {}", decided());
            let open: Vec<String> =
                st.incidents.iter().filter(|i| i.open).map(|i| format!("{} {}", i.id, i.title)).collect();
            putln!(o, "  fixing: {}", if open.is_empty() { "no incident open".to_owned() } else { open.join(" · ") });
            if let Some(c) = st.checkpoints.iter().find(|c| c.decision == Decision::Pending) {
                putln!(o, "  next check: {} at {}", title(&c.id), hm(&c.forecast));
            }
        }
        Mode::GoLive => {}
    }
    let phase = st.current_phase.as_ref().and_then(|p| st.phases.iter().find(|x| &x.id == p)).map(|p| p.name.clone());
    if st.tasks.is_empty() {
        putln!(
            o,
            "{} · no timeline: the runbook has no tasks, only its rollback plan (add them with `warroom edit add-task`, or import a runbook with a timeline)",
            st.run.state
        );
    } else {
        putln!(
            o,
            "{} · phase: {} · forecast end {} ({})",
            st.run.state,
            phase.unwrap_or_else(|| "—".into()),
            hm(&st.forecast_end),
            signed(st.variance_minutes)
        );
    }
    let word = rag_word(r.state);
    let decide = match &r.decide_by {
        Some(at) => format!("decide by {} ({} min left)", hm(at), r.slack_minutes),
        None => "no decision deadline".to_owned(),
    };
    putln!(
        o,
        "ROLLBACK {word} · {decide} · backout now {} · worst case {} · deadline {}",
        hm(&r.backout_now),
        hm(&r.backout_worst),
        r.deadline.as_ref().map(hm).unwrap_or_else(|| "—".into())
    );
    if let Some(d) = &r.decision {
        putln!(
            o,
            "  decision: {d}{}{}",
            r.reason.as_ref().map(|x| format!(" — {x}")).unwrap_or_default(),
            r.override_reason.as_ref().map(|x| format!(" (override: {x})")).unwrap_or_default()
        );
    }
    // Each task once, the most pressing list first: late, then due, then next.
    let mut listed_once = std::collections::HashSet::new();
    for (label, ids) in [("Overdue", &st.overdue), ("Due now", &st.due), ("Next", &st.next)] {
        let ids: Vec<_> = ids.iter().filter(|id| listed_once.insert(*id)).collect();
        if !ids.is_empty() {
            putln!(o, "{label}:");
            for id in ids {
                let t = st.tasks.iter().find(|x| &x.id == id);
                let when = t
                    .map(|t| {
                        let waits = t.held_by.as_ref().map(|h| format!(" · waits for {h}")).unwrap_or_default();
                        let (s, f) = (hm(&t.forecast_start), hm(&t.forecast_finish));
                        format!("{s}–{f} ({}){waits}", signed(t.variance_minutes))
                    })
                    .unwrap_or_default();
                putln!(o, "  {}  {when}", title(id));
            }
        }
    }
    for x in &st.stopped {
        let why = x.reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default();
        putln!(o, "Task {} {}{why}", title(&x.task), x.status.to_string().to_uppercase());
        if !x.blocks.is_empty() {
            putln!(o, "  holds up {}", listed(&x.blocks));
        }
        putln!(o, "  Task {} {} — matrix says: {}", x.task, x.status, matrix_says(&x.matrix));
    }
    let cps: Vec<String> = st
        .checkpoints
        .iter()
        .map(|c| {
            let missing = if c.missing.is_empty() || c.decision != Decision::Pending {
                String::new()
            } else {
                format!(" missing {}", c.missing.join(", "))
            };
            let name = c.label.as_ref().map_or_else(|| c.id.to_string(), |l| format!("{l} ({})", c.id));
            format!("{name} {}{missing}", c.decision)
        })
        .collect();
    putln!(o, "Checkpoints: {}", if cps.is_empty() { "none".to_owned() } else { cps.join(" · ") });
    open_incidents(&mut o, st);
    let ms: Vec<String> = st.metrics.iter().map(|m| format!("{} {}", m.name, m.state)).collect();
    putln!(o, "Metrics: {}", if ms.is_empty() { "none".to_owned() } else { ms.join(" · ") });
    last_change(&mut o, st, &hm);
    o
}

fn rag_word(state: Rag) -> &'static str {
    match state {
        Rag::Green => "GREEN",
        Rag::Amber => "AMBER",
        Rag::Red => "RED",
        Rag::Closed => "CLOSED (fix forward only)",
    }
}

/// The rollback's steps, once it was decided: done (who, when), the current one, the rest.
fn rollback_steps(o: &mut String, st: &Status, hm: &dyn Fn(&Instant) -> String) {
    if st.rollback.decision != Some(RollbackDecision::Rollback) {
        return;
    }
    putln!(o, "Rollback steps:");
    for s in &st.rollback.steps {
        let (mark, when) = match (&s.done_by, s.current) {
            (Some(by), _) if s.done => ("✓", format!("done {} by {} ({})", hm(&by.at), by.name, by.role)),
            (_, true) => ("→", format!("now, until {}", s.forecast_end.as_ref().map(hm).unwrap_or_default())),
            _ => (
                " ",
                format!(
                    "{}–{}",
                    s.forecast_start.as_ref().map(hm).unwrap_or_default(),
                    s.forecast_end.as_ref().map(hm).unwrap_or_default()
                ),
            ),
        };
        putln!(o, "  {mark} {}. {} ({} min) · {when}", s.id, s.title, s.minutes);
    }
}

fn open_incidents(o: &mut String, st: &Status) {
    for i in st.incidents.iter().filter(|i| i.open) {
        putln!(
            o,
            "Incident {} {}: {} — matrix says: {}",
            i.id,
            i.severity.map_or_else(|| "(no severity)".to_owned(), |s| s.to_string()),
            i.title,
            matrix_says(&i.matrix)
        );
    }
}

fn last_change(o: &mut String, st: &Status, hm: &dyn Fn(&Instant) -> String) {
    if let Some(c) = st.recent.last() {
        putln!(o, "Last change: {} by {} ({}) at {}", c.summary, c.by.name, c.by.role, hm(&c.by.at));
    }
}
