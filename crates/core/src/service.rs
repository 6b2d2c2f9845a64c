//! The backend every shell serves: the desktop app's commands and `warroom serve`'s HTTP API
//! both call this one `Service`, so the UI gets the same answers through either transport. It
//! owns the open store, the person using this laptop, a cached snapshot of the state, and
//! noticing changes that other processes (the CLI) commit to the same database.

use crate::clock::Clock;
use crate::import::{ImportError, import_file};
use crate::live::actions::Actions;
use crate::live::{self, LiveError, Snapshot};
use crate::notify::{self, Audience, Ledger, ledger};
use crate::report::{Record, ReportError};
use crate::store::Applied;
use crate::store::{Store, StoreError};
use crate::sync::room::{self, JoinAnswer, JoinCode, JoinRequest, Room, RoomError};
use crate::sync::tls::{Identity, TlsError};
use crate::sync::{self, Hello, Page, PullRequest, SyncError};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use warroom_model::api::{
    Action, Activity, Done, ImportOutcome, ImportRequest, LineProblem, Me, Overwrite, Request, Session,
};
use warroom_model::live::Status;
use warroom_model::notify::{Notice, NotifySettings, Shown};
use warroom_model::peers::Invitation;
use warroom_model::{ApiError, Author, ErrorKind, Loaded, WriteOp};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Live(#[from] LiveError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error(transparent)]
    Room(#[from] RoomError),
}

impl ServiceError {
    /// The error as the UI receives it.
    pub fn to_api(&self) -> ApiError {
        match self {
            Self::Store(e) | Self::Report(ReportError::Store(e)) => e.to_api(),
            Self::Live(e) | Self::Report(ReportError::Live(e)) => live_api(e),
            Self::Report(e @ ReportError::Pdf(_)) => ApiError::new(ErrorKind::Internal, e.to_string()),
            Self::Report(e @ ReportError::Save { .. }) => ApiError::new(ErrorKind::Storage, e.to_string()),
            Self::Sync(SyncError::Store(e)) | Self::Tls(TlsError::Store(e)) => e.to_api(),
            Self::Sync(e @ SyncError::Unreachable(_)) => ApiError::new(ErrorKind::Unavailable, e.to_string()),
            Self::Sync(e) => ApiError::new(ErrorKind::Invalid, e.to_string()),
            Self::Tls(e) => ApiError::new(ErrorKind::Internal, e.to_string()),
            Self::Room(RoomError::Store(e)) => e.to_api(),
            Self::Room(
                e @ (RoomError::WrongSecret
                | RoomError::Expired(_)
                | RoomError::Revoked(_)
                | RoomError::WrongRoom { .. }),
            ) => ApiError::new(ErrorKind::Forbidden, e.to_string()),
            Self::Room(e @ RoomError::NotARoom) => ApiError::new(ErrorKind::NotFound, e.to_string()),
            Self::Room(e @ RoomError::Random(_)) => ApiError::new(ErrorKind::Internal, e.to_string()),
            Self::Room(e) => ApiError::new(ErrorKind::Invalid, e.to_string()),
        }
    }
}

fn live_api(e: &LiveError) -> ApiError {
    match e {
        LiveError::Store(e) => e.to_api(),
        LiveError::NoRun | LiveError::UnknownRun(_) => ApiError::new(ErrorKind::NotFound, e.to_string()),
        LiveError::Record(_) => ApiError::new(ErrorKind::Internal, e.to_string()),
        _ => ApiError::new(ErrorKind::Invalid, e.to_string()),
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        e.to_api()
    }
}

type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// Local settings keys of the person using this laptop.
pub const ME_NAME: &str = "me.name";
pub const ME_ROLE: &str = "me.role";
/// This laptop's notification settings and what it has already shown (JSON).
pub const NOTIFY_SETTINGS: &str = "notify.settings";
pub const NOTIFY_LEDGER: &str = "notify.ledger";

/// The open database and what is derived from it.
pub struct Service {
    store: Store,
    clock: Arc<dyn Clock>,
    /// The state as last read, and the data version it was read at.
    cache: Option<(i64, u64, Snapshot)>,
    /// Bumped by every change, ours or another process's.
    version: u64,
    seen_data_version: i64,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("store", &self.store).field("version", &self.version).finish()
    }
}

impl Service {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Result<Self> {
        let seen_data_version = store.data_version()?;
        Ok(Self { store, clock, cache: None, version: 0, seen_data_version })
    }

    /// Opens `store`, importing the bundled demo runbook when it holds none.
    pub fn with_demo(mut store: Store, clock: Arc<dyn Clock>) -> Result<Self> {
        let me = me_of(&store)?;
        let author = Author { name: if me.name.is_empty() { "warroom".into() } else { me.name }, role: me.role };
        store.ensure_demo(&author, clock.as_ref())?;
        Self::new(store, clock)
    }

    /// The store itself, for tests that write what has no action of its own.
    #[cfg(test)]
    pub(crate) fn store_mut(&mut self) -> &mut Store {
        self.changed();
        &mut self.store
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The clock this service runs on (a shifted one in a rehearsal).
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Changes so far; a shell tells its views to refresh when this moves.
    pub fn version(&self) -> u64 {
        self.version
    }

    fn changed(&mut self) {
        self.version += 1;
        self.cache = None;
    }

    /// Whether another process committed to the database since last asked; if so the cached
    /// state is dropped and `version` moves.
    pub fn poll_external(&mut self) -> Result<bool> {
        let v = self.store.data_version()?;
        if v == self.seen_data_version {
            return Ok(false);
        }
        self.seen_data_version = v;
        self.changed();
        Ok(true)
    }

    fn snapshot(&mut self) -> Result<&Snapshot> {
        let count = self.store.event_count()?;
        let fresh = matches!(&self.cache, Some((v, c, _)) if *v == self.seen_data_version && *c == count);
        if !fresh {
            let snap = Snapshot::load(&self.store)?;
            self.cache = Some((self.seen_data_version, count, snap));
        }
        match &self.cache {
            Some((_, _, snap)) => Ok(snap),
            None => Err(ServiceError::Live(LiveError::NoRun)),
        }
    }

    /// A setting of this laptop only (window place, UI preferences); not a change of the run.
    pub fn set_local(&mut self, key: &str, value: &str) -> Result<()> {
        self.store.set_local(key, value)?;
        // Our own write moves the data version only for other connections; nothing to refresh.
        Ok(())
    }

    pub fn me(&self) -> Result<Me> {
        me_of(&self.store)
    }

    pub fn set_me(&mut self, me: &Me) -> Result<Me> {
        let name = me.name.trim();
        if name.is_empty() {
            return Err(LiveError::Refused("a name is needed: it goes on everything you record".into()).into());
        }
        self.store.set_local(ME_NAME, name)?;
        self.store.set_local(ME_ROLE, me.role.trim())?;
        self.changed();
        self.me()
    }

    pub fn session(&self, can_write: bool) -> Result<Session> {
        Ok(Session {
            can_write,
            is_demo: self.store.is_demo()?,
            me: self.me()?,
            device: self.store.origin().get(..8).unwrap_or_default().to_owned(),
        })
    }

    pub fn loaded(&self) -> Result<Loaded> {
        Ok(Loaded { runbook: self.store.require_runbook()?, is_demo: self.store.is_demo()? })
    }

    /// The live picture of `run` (default: the current run) at `now` (default: the clock's).
    /// `None` when no run has been started yet.
    pub fn status(&mut self, run: Option<&str>, now: Option<DateTime<Utc>>) -> Result<Option<Status>> {
        let now = now.unwrap_or_else(|| self.clock.now());
        let snap = self.snapshot()?;
        let r = match snap.run(run) {
            Ok(r) => r,
            Err(LiveError::NoRun) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(Some(live::status(snap, &r, now)?))
    }

    /// Records what a person did, then returns the picture after it.
    pub fn act(&mut self, req: &Request) -> Result<Done> {
        let author = match &req.by {
            Some(a) if !a.name.trim().is_empty() => a.clone(),
            _ => {
                let me = self.me()?;
                if me.name.is_empty() {
                    return Err(LiveError::Refused(
                        "who are you? set your name and role in Settings before recording anything".into(),
                    )
                    .into());
                }
                Author { name: me.name, role: me.role }
            }
        };
        let clock = Arc::clone(&self.clock);
        let summary = {
            let mut a = Actions::new(&mut self.store, author, clock.as_ref());
            perform(&mut a, req.run.as_deref(), &req.action)?
        };
        self.changed();
        let run = match &req.action {
            Action::RunStart { .. } => None,
            _ => req.run.as_deref(),
        };
        let status = self.status(run, None)?;
        Ok(Done { summary, status })
    }

    /// This laptop's notification settings (defaults until changed).
    pub fn notify_settings(&self) -> Result<NotifySettings> {
        Ok(self.store.local(NOTIFY_SETTINGS)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    pub fn set_notify_settings(&mut self, settings: &NotifySettings) -> Result<NotifySettings> {
        const DAY: u32 = 24 * 60;
        let too_far = [settings.task_due_minutes, settings.overdue_minutes, settings.checkpoint_minutes]
            .into_iter()
            .chain(settings.deadline_minutes.iter().copied())
            .any(|m| m > DAY);
        if too_far || settings.deadline_minutes.len() > 10 {
            return Err(LiveError::Refused(
                "notification lead times are minutes, at most 1440 (a day), and at most 10 deadline reminders".into(),
            )
            .into());
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
        let n = ledger.snooze(key, minutes, self.now()).map_err(|e| LiveError::Refused(e.to_string()))?.clone();
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

    /// This laptop's certificate, made on first use.
    pub fn identity(&mut self) -> Result<Identity> {
        Ok(Identity::of(&mut self.store)?)
    }

    /// May the laptop with certificate `fingerprint` sync with this one?
    pub fn admitted(&self, fingerprint: &str) -> Result<bool> {
        Ok(sync::members::admitted(&self.store, fingerprint)?)
    }

    pub fn sync_hello(&self) -> Result<Hello> {
        Ok(sync::hello(&self.store, &*self.clock)?)
    }

    pub fn sync_pull(&self, req: &PullRequest) -> Result<Page> {
        Ok(sync::serve_pull(&self.store, req)?)
    }

    /// Events a peer pushes; the views refresh if any were new.
    pub fn sync_push(&mut self, events: &[warroom_model::Event]) -> Result<Applied> {
        let applied = self.store.apply_remote(events, &*self.clock)?;
        if applied.applied > 0 {
            self.changed();
        }
        Ok(applied)
    }

    /// The room this database belongs to, if any.
    pub fn room(&self) -> Result<Option<Room>> {
        Ok(room::room(&self.store)?)
    }

    /// Makes this database's runbook a room, with this laptop its first member, called `laptop`
    /// (default: after the person using it).
    pub fn room_create(&mut self, laptop: Option<&str>) -> Result<Room> {
        let by = self.author()?;
        let laptop =
            laptop.map_or_else(|| room::laptop_name(&self.me().map(|m| m.name).unwrap_or_default()), str::to_owned);
        let laptop = laptop.as_str();
        let fp = self.identity()?.fingerprint();
        let r = room::create(&mut self.store, &by, &fp, laptop, &*self.clock)?;
        self.changed();
        Ok(r)
    }

    /// Remembers where a peer of the room can be reached.
    pub fn remember_peer(&mut self, peer: &room::KnownPeer) -> Result<bool> {
        Ok(room::remember(&mut self.store, peer)?)
    }

    /// Records where this laptop serves peers (for its join codes).
    pub fn set_listening(&mut self, addr: std::net::SocketAddr) -> Result<()> {
        Ok(room::set_listening(&mut self.store, addr)?)
    }

    /// A new join code naming `addresses` (where this laptop serves peers), good for `hours`.
    pub fn room_invite(&mut self, addresses: Vec<String>, hours: u32) -> Result<JoinCode> {
        let fp = self.identity()?.fingerprint();
        Ok(room::invite(&mut self.store, &fp, addresses, hours, &*self.clock)?)
    }

    /// A join code for the peers panel: the text, and its QR code as an SVG image.
    pub fn invitation(&mut self, hours: u32) -> Result<Invitation> {
        let addresses = room::serving_addresses(&self.store)?;
        if addresses.is_empty() {
            return Err(RoomError::NotServing.into());
        }
        let code = self.room_invite(addresses.clone(), hours)?.to_string();
        let qr_svg = qrcode::QrCode::new(code.as_bytes())
            .map(|q| q.render::<qrcode::render::svg::Color<'_>>().min_dimensions(240, 240).quiet_zone(true).build())
            .unwrap_or_default();
        Ok(Invitation { code, qr_svg, hours, addresses })
    }

    /// A join request that reached this laptop from `caller` over a session with `exporter`.
    pub fn room_admit(&mut self, caller: &str, exporter: &[u8], req: &JoinRequest) -> Result<JoinAnswer> {
        let by = self.author()?;
        let answer = room::admit(&mut self.store, &by, caller, exporter, req, &*self.clock)?;
        if answer.admitted {
            self.changed();
        }
        Ok(answer)
    }

    /// Takes over from the service the shell held before (another database): its version moves
    /// past the previous one's, so open views re-read.
    pub fn succeed(&mut self, previous: &Service) {
        self.version = previous.version + 1;
        self.cache = None;
    }

    /// Who is recorded on changes this laptop makes without a person at the keys (a join, a room).
    fn author(&self) -> Result<Author> {
        let me = self.me()?;
        let name = if me.name.is_empty() { "this laptop".to_owned() } else { me.name };
        Ok(Author { name, role: me.role })
    }

    /// The last `n` events, newest first.
    pub fn activity(&self, n: usize) -> Result<Vec<Activity>> {
        let events = self.store.recent_events(n)?;
        let overwrites = overwrites(&events);
        Ok(events
            .into_iter()
            .zip(overwrites)
            .rev()
            .map(|(e, overwrote)| Activity {
                at: DateTime::<Utc>::from_timestamp_millis(e.wall_ms).map(|t| t.to_rfc3339()).unwrap_or_default(),
                summary: e.payload.get("summary").and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
                changes: e
                    .writes
                    .iter()
                    .map(|w| {
                        let op = if w.op == WriteOp::Add { "+=" } else { "=" };
                        format!("{} {} {} {op} {}", w.entity, w.id, w.field, w.value)
                    })
                    .collect(),
                seq: e.seq,
                origin: e.origin.get(..8).unwrap_or_default().to_owned(),
                name: e.author.name,
                role: e.author.role,
                kind: e.kind,
                overwrote,
            })
            .collect())
    }

    /// The audit record of `run` (default: the current run) as of now. Shells read it under
    /// their lock and lay it out (`report::render`, `report::save`) outside it.
    pub fn record(&self, run: Option<&str>) -> Result<Record> {
        Ok(Record::load(&self.store, run, self.now())?)
    }

    /// Imports a runbook file. A refused file is an outcome with its problems, not an error:
    /// the UI shows them in place.
    pub fn import(&mut self, req: &ImportRequest) -> Result<ImportOutcome> {
        let imported = match import_file(&req.name, req.text.as_bytes()) {
            Ok(i) => i,
            Err(e) => {
                let problems = match &e {
                    ImportError::Invalid { problems, .. } => {
                        problems.iter().map(|p| LineProblem { line: p.line, message: p.message.clone() }).collect()
                    }
                    _ => Vec::new(),
                };
                let summary = match &e {
                    ImportError::Invalid { file, problems } => {
                        format!("{file}: {} problem(s); nothing was imported", problems.len())
                    }
                    other => format!("{other}; nothing was imported"),
                };
                return Ok(ImportOutcome { imported: false, summary, repaired: None, warnings: Vec::new(), problems });
            }
        };
        let me = self.me()?;
        let author = Author { name: if me.name.is_empty() { "warroom".into() } else { me.name }, role: me.role };
        let replace = req.replace || self.store.is_demo()?;
        if let Err(e) = self.store.import(&imported, &author, replace, self.clock.as_ref()) {
            let summary = match &e {
                StoreError::HasRunbook { .. } => {
                    "this laptop already holds a runbook: tick Replace to replace it (runs and history are kept)"
                        .to_owned()
                }
                other => other.to_string(),
            };
            return Ok(ImportOutcome {
                imported: false,
                summary,
                repaired: None,
                warnings: Vec::new(),
                problems: vec![],
            });
        }
        self.changed();
        let r = &imported.report;
        Ok(ImportOutcome {
            imported: true,
            summary: format!(
                "{}: {} phases, {} tasks ({} checkpoints), {} contacts, {} rollback steps, {} metrics",
                r.file, r.phases, r.tasks, r.checkpoints, r.contacts, r.rollback_steps, r.metrics
            ),
            repaired: r.repaired.clone(),
            warnings: r.warnings.iter().map(|w| LineProblem { line: w.line, message: w.message.clone() }).collect(),
            problems: Vec::new(),
        })
    }
}

fn me_of(store: &Store) -> Result<Me> {
    Ok(Me { name: store.local(ME_NAME)?.unwrap_or_default(), role: store.local(ME_ROLE)?.unwrap_or_default() })
}

/// Changes that overwrote, moments later, another laptop's different value of the same field:
/// for `events` in log order (by HLC), what each one overwrote.
fn overwrites(events: &[warroom_model::Event]) -> Vec<Vec<Overwrite>> {
    use std::collections::HashMap;
    let mut last: HashMap<(&str, &str, &str), (&warroom_model::Event, &serde_json::Value)> = HashMap::new();
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let mut found = Vec::new();
        for w in e.writes.iter().filter(|w| w.op == WriteOp::Set) {
            let key = (w.entity.as_str(), w.id.as_str(), w.field.as_str());
            if let Some((before, value)) = last.get(&key) {
                let ms = (e.hlc >> 16).saturating_sub(before.hlc >> 16);
                if before.origin != e.origin && ms <= OVERWRITE_WINDOW_MS && **value != w.value {
                    found.push(Overwrite {
                        field: format!("{} {} {}", w.entity, w.id, w.field),
                        value: w.value.to_string(),
                        replaced: value.to_string(),
                        replaced_by: before.author.name.clone(),
                        seconds_before: ms as f64 / 1000.0,
                    });
                }
            }
            last.insert(key, (e, &w.value));
        }
        out.push(found);
    }
    out
}

/// Two laptops' changes to one field this close together were most likely made without either
/// seeing the other's.
const OVERWRITE_WINDOW_MS: u64 = 5_000;

/// Maps one request onto the live engine; returns the summary of the event it recorded.
pub fn perform(a: &mut Actions<'_>, run: Option<&str>, action: &Action) -> Result<String, LiveError> {
    let ev = match action {
        Action::RunStart { kind, date, tz, durations_from } => {
            let r = a.run_start(*kind, date, tz, durations_from.as_deref())?;
            return Ok(format!("run {} created for {} ({})", r.id, r.date, r.tz));
        }
        Action::RunEnd { state } => a.run_end(run, *state)?,
        Action::Task { task, verb, note, at } => a.task(run, task, *verb, note.as_deref(), at.as_deref())?,
        Action::Comment { task, text } => a.comment(run, task, text)?,
        Action::CheckpointSign { id, role } => a.checkpoint_sign(run, id, role.as_deref())?,
        Action::CheckpointDecide { id, decision, reason } => {
            a.checkpoint_decide(run, id, *decision, reason.as_deref())?
        }
        Action::RollbackApprove => a.rollback_approve(run)?,
        Action::RollbackDecide { rollback, reason, incident } => {
            a.rollback_decide(run, *rollback, reason, incident.as_deref())?
        }
        Action::RollbackOverride { reason } => a.rollback_override(run, reason)?,
        Action::RollbackStep { id } => a.rollback_step_done(run, id)?,
        Action::RollbackTrigger { id, checked } => a.rollback_trigger(run, id, *checked)?,
        Action::IncidentOpen { title, severity, description, eta_minutes } => {
            a.incident_open(run, title, *severity, description, *eta_minutes)?.1
        }
        Action::IncidentUpdate { id, note, severity, eta_minutes } => {
            a.incident_update(id, note, *severity, *eta_minutes)?
        }
        Action::IncidentResolve { id, note } => a.incident_resolve(id, note)?,
        Action::MetricRecord { metric, value, unit, source } => {
            a.metric_record(run, metric, *value, unit.as_deref(), source.as_deref())?
        }
        Action::Checklist { id, checked } => a.checklist(run, id, *checked)?,
        Action::EditSet { kind, id, fields } => a.edit_set(kind, id, fields)?,
        Action::EditAddTask { phase, time, title, owner, after } => {
            a.edit_add_task(phase, time, title, owner, after.as_deref())?.1
        }
        Action::EditDelete { kind, id } => a.edit_delete(kind, id)?,
        Action::EditMove { kind, id, after, phase } => a.edit_move(kind, id, after.as_deref(), phase.as_deref())?,
    };
    Ok(ev.payload.get("summary").and_then(|v| v.as_str()).unwrap_or(&ev.kind).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FakeClock;
    use chrono::TimeZone;
    use warroom_model::api::TaskVerb;
    use warroom_model::live::{Decision, RunKind, TaskStatus};

    fn service() -> (Service, Arc<FakeClock>) {
        let clock = Arc::new(FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).unwrap()));
        let svc = Service::with_demo(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        (svc, clock)
    }

    fn req(action: Action) -> Request {
        Request { run: None, by: Some(Author { name: "Lan".into(), role: "Tech Lead".into() }), action }
    }

    /// Starts a run on the seed's day.
    fn start(svc: &mut Service, kind: RunKind, tz: &str) {
        svc.act(&req(Action::RunStart { kind, date: "2026-01-31".into(), tz: tz.into(), durations_from: None }))
            .unwrap();
    }

    #[test]
    fn a_run_started_and_a_task_done_show_in_the_picture() {
        let (mut svc, clock) = service();
        assert!(svc.loaded().unwrap().is_demo);
        assert!(svc.status(None, None).unwrap().is_none(), "no run yet");
        start(&mut svc, RunKind::Live, "Asia/Ho_Chi_Minh");
        let first = svc.loaded().unwrap().runbook.tasks().next().unwrap().id.clone();
        let v = svc.version();
        clock.advance(chrono::Duration::minutes(3));
        let done =
            svc.act(&req(Action::Task { task: first.clone(), verb: TaskVerb::Done, note: None, at: None })).unwrap();
        assert!(svc.version() > v);
        let st = done.status.unwrap();
        let t = st.tasks.iter().find(|t| t.id == first).unwrap();
        assert_eq!(t.status, TaskStatus::Done);
        assert_eq!(t.finished_by.as_ref().unwrap().name, "Lan");
        let log = svc.activity(5).unwrap();
        assert!(log[0].changes.iter().any(|c| c.contains("status") && c.contains("done")), "{log:?}");
        assert_eq!(log[0].name, "Lan");
    }

    use crate::report;
    use std::path::Path;
    use warroom_model::api::{Paper, ReportFormat, Saved};

    /// As the desktop app saves it: read through the service, laid out and saved by `report`.
    fn save_report(svc: &Service, paper: Paper, dir: &Path) -> Result<Saved> {
        Ok(report::save(&svc.record(None)?, ReportFormat::Pdf, paper, dir)?)
    }

    #[test]
    fn the_record_is_saved_whole_under_a_name_that_says_what_it_is() {
        let (mut svc, _) = service();
        let dir = tempfile::tempdir().unwrap();
        let err = save_report(&svc, Paper::A4, dir.path()).unwrap_err().to_api();
        assert_eq!(err.kind, ErrorKind::NotFound, "no run yet: {err:?}");
        start(&mut svc, RunKind::Live, "Asia/Ho_Chi_Minh");
        let saved = save_report(&svc, Paper::Letter, &dir.path().join("records")).unwrap();
        let name = std::path::Path::new(&saved.path).file_name().unwrap().to_str().unwrap().to_owned();
        // Printed at 06:00 in Ho Chi Minh City while the run is still going.
        assert!(name.starts_with("audit-record-") && name.ends_with("-20260131-0600-partial.pdf"), "{name}");
        let bytes = std::fs::read(&saved.path).unwrap();
        assert_eq!(bytes.len() as u64, saved.bytes);
        assert!(bytes.starts_with(b"%PDF-"));
        let left: Vec<_> = std::fs::read_dir(dir.path().join("records")).unwrap().collect();
        assert_eq!(left.len(), 1, "nothing but the record is left behind");

        let blocked = dir.path().join("a-file");
        std::fs::write(&blocked, "x").unwrap();
        let err = save_report(&svc, Paper::A4, &blocked).unwrap_err();
        assert!(err.to_string().contains("a-file"), "the error names where: {err}");
        assert_eq!(err.to_api().kind, ErrorKind::Storage);
    }

    #[test]
    fn refusals_come_back_typed_and_nothing_is_recorded() {
        let (mut svc, _) = service();
        start(&mut svc, RunKind::Rehearsal, "UTC");
        let before = svc.store().event_count().unwrap();
        let cp = svc.loaded().unwrap().runbook.tasks().find(|t| t.checkpoint).unwrap().id.clone();
        let err = svc
            .act(&req(Action::CheckpointDecide { id: cp, decision: Decision::Go, reason: None }))
            .unwrap_err()
            .to_api();
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert!(err.message.contains("sign"), "{}", err.message);
        assert_eq!(svc.store().event_count().unwrap(), before);
        let anonymous = Request { run: None, by: None, action: Action::RollbackApprove };
        assert!(svc.act(&anonymous).unwrap_err().to_api().message.contains("Settings"));
    }

    #[test]
    fn imports_replace_the_demo_and_report_problems_in_place() {
        let (mut svc, _) = service();
        let bad = svc.import(&ImportRequest { name: "bad.md".into(), text: "# Nothing here\n".into(), replace: false });
        let bad = bad.unwrap();
        assert!(!bad.imported);
        assert!(bad.summary.contains("no timeline"), "{}", bad.summary);
        let md = crate::demo::synthetic_markdown(60);
        let ok = svc.import(&ImportRequest { name: "synthetic.md".into(), text: md, replace: false }).unwrap();
        assert!(ok.imported, "{}", ok.summary);
        assert!(ok.summary.contains("60 tasks"), "{}", ok.summary);
        assert!(!svc.loaded().unwrap().is_demo);
        let again = svc
            .import(&ImportRequest { name: "x.md".into(), text: crate::demo::synthetic_markdown(5), replace: false })
            .unwrap();
        assert!(!again.imported && again.summary.contains("Replace"), "{}", again.summary);
    }

    #[test]
    fn another_process_writing_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let clock: Arc<dyn Clock> = Arc::new(FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).unwrap()));
        let mut svc = Service::with_demo(Store::open(&path).unwrap(), clock.clone()).unwrap();
        assert!(!svc.poll_external().unwrap());
        let mut other = Store::open(&path).unwrap();
        other.set_local("x", "y").unwrap();
        assert!(svc.poll_external().unwrap());
        assert!(!svc.poll_external().unwrap());
    }

    #[test]
    fn a_change_that_overwrote_another_laptops_moments_before_is_marked_with_both_values() {
        let (mut a, clock) = service();
        start(&mut a, RunKind::Live, "Asia/Ho_Chi_Minh");
        let mut b = Service::new(Store::open_in_memory().unwrap(), clock.clone()).unwrap();
        let all = |s: &Service| s.store().events_after(&Default::default(), 10_000).unwrap();
        b.sync_push(&all(&a)).unwrap();
        let task = |verb| Action::Task { task: "1.1".into(), verb, note: Some("by hand".into()), at: None };
        a.act(&req(task(TaskVerb::Start))).unwrap();
        clock.advance(chrono::Duration::seconds(2));
        let mut huy = req(task(TaskVerb::Skip));
        huy.by = Some(Author { name: "Huy".into(), role: "DBA".into() });
        b.act(&huy).unwrap();
        a.sync_push(&all(&b)).unwrap();
        let activity = a.activity(10).unwrap();
        let marked: Vec<_> = activity.iter().filter(|e| !e.overwrote.is_empty()).collect();
        assert_eq!(marked.len(), 1, "{activity:#?}");
        assert_eq!(marked[0].name, "Huy");
        let o = marked[0]
            .overwrote
            .iter()
            .find(|o| o.field.ends_with("1.1 status"))
            .unwrap_or_else(|| panic!("{marked:#?}"));
        assert_eq!(
            (o.value.as_str(), o.replaced.as_str(), o.replaced_by.as_str()),
            ("\"skipped\"", "\"in_progress\"", "Lan")
        );
        assert!((o.seconds_before - 2.0).abs() < 0.01, "{o:?}");

        // Later, or by the same laptop: an ordinary change, not marked.
        clock.advance(chrono::Duration::seconds(30));
        a.act(&req(task(TaskVerb::Undo))).unwrap();
        assert!(a.activity(1).unwrap()[0].overwrote.is_empty());
    }
}
