//! The `warroom` command: imports, exports, shows and logs a runbook held in a local SQLite
//! database. Each subcommand converts its arguments and calls warroom-core.

// mimalloc: the live picture of a big run allocates ~100k small strings; glibc malloc made
// `status` three times slower (crates/core/benches).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod live;
mod notify;
mod peer;
mod room;
mod serve;
mod show;
mod sync;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use warroom_core::export::{self, Format, Progress};
use warroom_core::live::LiveError;
use warroom_core::report;
use warroom_core::service::{ME_NAME, ME_ROLE};
use warroom_core::service::{Service, ServiceError};
use warroom_core::{Mode, Store, SystemClock, demo, import_file_with, reimport};
use warroom_model::Author;
use warroom_model::api::{Action, Paper, ReportFormat, Request};
use warroom_model::{Refusal, TaskId};

/// Where `serve --peer` listens for the room's laptops unless told.
const DEFAULT_PEER_BIND: std::net::SocketAddr =
    std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), 7879);

#[derive(Parser)]
#[command(
    name = "warroom",
    version,
    about = "Run a system go-live from a runbook, offline, on every laptop in the room."
)]
struct Cli {
    /// The database file (default: warroom.db in the OS data folder).
    #[arg(long, global = true, env = "WARROOM_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    /// Say more on standard error (-v info, -vv debug); the log file is at info regardless.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(flatten)]
    who: live::Who,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Import a runbook (Markdown, or warroom's JSON export).
    Import {
        /// The file to import; omit it with --demo.
        file: Option<PathBuf>,
        /// Import the bundled demo runbook.
        #[arg(long, conflicts_with = "file")]
        demo: bool,
        /// Import over the runbook already in the database (only the differences are logged).
        /// Tasks are matched by the file's ids, or without ids by title, owner and time: a task
        /// keeps its id, progress and comments wherever its row moved.
        #[arg(long)]
        replace: bool,
        /// Refuse the whole file when any line cannot be understood (default: import the rest
        /// and list those lines).
        #[arg(long)]
        strict: bool,
        /// Show which tasks would be added, changed, moved and removed; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// With --dry-run: the preview as JSON.
        #[arg(long, requires = "dry_run")]
        json: bool,
        /// Remove tasks that hold recorded progress without asking (their history stays in the
        /// log and the audit record).
        #[arg(long)]
        yes: bool,
    },
    /// Export the runbook.
    Export {
        #[arg(long, value_enum, default_value = "markdown")]
        format: Format,
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Show the runbook in the terminal.
    Show,
    /// Print the event log: who changed what, when, from which device.
    Log {
        /// As a JSON array of events.
        #[arg(long)]
        json: bool,
    },
    /// Who you are on this laptop: recorded with every change you make.
    Me {
        #[command(subcommand)]
        action: Option<MeAction>,
    },
    /// Runs: start one (live or rehearsal), finish, abandon, list.
    Run {
        #[command(subcommand)]
        cmd: live::RunCmd,
    },
    /// Move a task: `warroom task 2.3 start|done|skip|fail|block|undo|comment`.
    Task {
        id: TaskId,
        #[arg(value_enum)]
        verb: live::TaskVerb,
        /// The reason (skip, fail, block) or a comment.
        #[arg(long)]
        note: Option<String>,
    },
    /// Sign a checkpoint, or decide it: `warroom checkpoint 2.5 sign|go|no-go|hold`.
    Checkpoint {
        id: TaskId,
        #[arg(value_enum)]
        verb: live::CheckpointVerb,
        #[arg(long)]
        reason: Option<String>,
        /// Sign as this role rather than your own.
        #[arg(long, value_name = "ROLE")]
        as_role: Option<String>,
    },
    /// The rollback procedure.
    Rollback {
        #[command(subcommand)]
        cmd: live::RollbackCmd,
    },
    /// Incidents: open, update, resolve.
    Incident {
        #[command(subcommand)]
        cmd: live::IncidentCmd,
    },
    /// Metric readings.
    Metric {
        #[command(subcommand)]
        cmd: live::MetricCmd,
    },
    /// Tick the end-of-day checklist: `warroom checklist k1 check`.
    Checklist {
        id: String,
        #[arg(value_enum)]
        state: live::CheckWord,
    },
    /// Edit the runbook (recorded as events, during rehearsal or live).
    Edit {
        #[command(subcommand)]
        cmd: live::EditCmd,
    },
    /// Print the run's audit record: every task, decision, incident and event, with the log's
    /// digest. Printed during the run, it is marked as partial.
    Report {
        #[arg(long, value_enum, default_value = "pdf")]
        format: ReportFormat,
        #[arg(long, value_enum, default_value = "a4")]
        paper: Paper,
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Check that nothing in the record was changed or removed since it was recorded, and
    /// print the log's digest (the one the audit record shows).
    Verify {
        #[arg(long)]
        json: bool,
        /// Also compare, event by event, with another copy of the room's log (another laptop's
        /// database, or a backup): where one was rewritten, and what only one holds.
        #[arg(long, value_name = "OTHER.db")]
        against: Option<PathBuf>,
    },
    /// Serve the UI and its HTTP API to browsers (127.0.0.1 by default; a LAN address shares the
    /// read-only wall view and prints a link with the access token for people who record).
    Serve {
        #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR:PORT")]
        bind: std::net::SocketAddr,
        /// The built UI (default: next to this binary, else the source tree's ui/dist).
        #[arg(long, value_name = "DIR")]
        ui: Option<PathBuf>,
        /// Rehearse or demonstrate at another instant: the clock starts there (RFC 3339).
        #[arg(long, value_name = "INSTANT")]
        now: Option<chrono::DateTime<chrono::FixedOffset>>,
        /// With --now: how many times faster than real time the clock runs (60 = a minute a second).
        #[arg(long, default_value_t = 1.0, requires = "now")]
        speed: f64,
        /// Also sync with the room's other laptops: serve them (mutual TLS 1.3) on --peer-bind,
        /// and keep in step with every peer this laptop knows (the one it joined through, those
        /// that joined through it, those named by --connect).
        #[arg(long)]
        peer: bool,
        /// Where to serve peers (implies --peer).
        #[arg(long, value_name = "ADDR:PORT")]
        peer_bind: Option<std::net::SocketAddr>,
        /// Also keep in step with this laptop (repeat for several).
        #[arg(long, value_name = "https://ADDR:PORT#FINGERPRINT")]
        connect: Vec<peer::PeerSpec>,
        /// An always-on relay for the room (a server at a remote site, or on the VPN): peers
        /// only, no browser UI, and no demo runbook in an empty database (implies --peer).
        #[arg(long)]
        relay: bool,
        /// Do not advertise the room or look for its laptops on the LAN (mDNS).
        #[arg(long)]
        no_mdns: bool,
        /// Import the bundled demo runbook first when the database holds none (for scripts
        /// and tests; without it, a browser opens on the Welcome screen's three choices).
        #[arg(long, conflicts_with = "relay")]
        demo: bool,
    },
    /// A room: the laptops that run one go-live together. Create one, invite laptops with a
    /// join code, join one, list or revoke its members.
    Room {
        #[command(subcommand)]
        cmd: room::RoomCmd,
    },
    /// The laptops that may sync with this one: list them, trust one by its certificate's
    /// fingerprint, or revoke one.
    Peers {
        #[command(subcommand)]
        cmd: Option<sync::PeersCmd>,
    },
    /// Peer sync: what this database holds, and exchanging events with another database file.
    Sync {
        #[command(subcommand)]
        cmd: sync::SyncCmd,
    },
    /// Notifications: preview what you will be told and when, settings, the recent list, snooze.
    Notify {
        #[command(subcommand)]
        cmd: notify::NotifyCmd,
    },
    /// Watch the current run and tell you, at the right minute, about your tasks, checkpoints,
    /// the rollback deadline, incidents and alerts: a line each, and a desktop notification.
    Watch {
        /// Print only; do not send desktop notifications.
        #[arg(long)]
        no_desktop: bool,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        /// Rehearse at another instant: the clock starts there (RFC 3339).
        #[arg(long, value_name = "INSTANT")]
        now: Option<chrono::DateTime<chrono::FixedOffset>>,
        /// With --now: how many times faster than real time the clock runs.
        #[arg(long, default_value_t = 1.0, requires = "now")]
        speed: f64,
    },
    /// The live picture: where we are, what is late, what comes next, can we still roll back.
    Status {
        #[arg(long)]
        json: bool,
        /// Evaluate at another instant (RFC 3339, or YYYY-MM-DDTHH:MM in the run's zone).
        #[arg(long, value_name = "INSTANT")]
        now: Option<String>,
    },
}

#[derive(Subcommand)]
enum MeAction {
    /// Set your name, and your role with --role.
    Set { name: String },
}

fn default_db() -> Result<PathBuf> {
    warroom_core::store::default_path().context("no data folder on this system; pass --db PATH")
}

fn open(db: Option<PathBuf>) -> Result<Store> {
    let path = match db {
        Some(p) => p,
        None => default_db()?,
    };
    Ok(Store::open(&path)?)
}

/// Opens the database for a command that only reads: never created, migrated or written.
fn open_read(db: Option<PathBuf>) -> Result<Store> {
    let path = match db {
        Some(p) => p,
        None => default_db()?,
    };
    Ok(Store::open_read(&path)?)
}

/// The system clock, or with `--now` a clock started there running at `speed`.
fn clock(now: Option<chrono::DateTime<chrono::FixedOffset>>, speed: f64) -> std::sync::Arc<dyn warroom_core::Clock> {
    match now {
        Some(at) => std::sync::Arc::new(warroom_core::ShiftedClock::new(at.with_timezone(&Utc), speed)),
        None => std::sync::Arc::new(SystemClock),
    }
}

/// The person acting: --by/--role, else `warroom me set`, else `WARROOM_ME`; refused (with how to
/// set one) when nobody is named, and a blank name is refused rather than recorded as nobody.
fn actor(store: &Store, who: &live::Who) -> Result<Author> {
    let mut a = match &who.by {
        Some(b) => named(b)?,
        None => match warroom_core::service::named_author(store) {
            Ok(a) => a,
            Err(e) => match std::env::var(ME_ENV).ok().filter(|n| !n.trim().is_empty()) {
                Some(n) => Author { name: n.trim().to_owned(), role: String::new() },
                None => return Err(e.into()),
            },
        },
    };
    if let Some(r) = &who.role {
        r.trim().clone_into(&mut a.role);
    }
    Ok(a)
}

/// Who is recorded on what the laptop does (a room, a member trusted): --by if said (never blank),
/// else the laptop's default person.
fn laptop_actor(store: &Store, who: &live::Who) -> Result<Author> {
    match &who.by {
        Some(_) => actor(store, who),
        None => Ok(warroom_core::service::author_of(store)?),
    }
}

/// A name given on the command line, refused when blank.
fn named(name: &str) -> Result<Author> {
    if name.trim().is_empty() {
        return Err(LiveError::Refused(Refusal::NameNeeded).into());
    }
    Ok(Author { name: name.trim().to_owned(), role: String::new() })
}

/// Names the person acting when `warroom me set` was not used (for scripts); never a login name.
const ME_ENV: &str = "WARROOM_ME";

/// Writes `bytes` to the file named with `-o`, else to standard output.
fn emit(out: &mut impl std::io::Write, output: Option<&std::path::Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display())),
        None => Ok(out.write_all(bytes)?),
    }
}

fn run(cli: Cli) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let Some(command) = cli.command else {
        // Nothing asked: how to begin when there is nothing yet, else what there is to ask.
        let path = match cli.db {
            Some(p) => p,
            None => default_db()?,
        };
        if !path.is_file() || !Store::open_read(&path)?.has_runbook()? {
            return Err(warroom_core::store::StoreError::NoRunbook { path: path.display().to_string() }.into());
        }
        <Cli as clap::CommandFactory>::command().write_long_help(&mut out)?;
        return Ok(());
    };
    match command {
        Command::Import { file, demo: use_demo, replace, strict, dry_run, json, yes } => {
            let imported = match (file, use_demo) {
                (Some(path), _) => {
                    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
                    let mode = if strict { Mode::Strict } else { Mode::Lenient };
                    import_file_with(&path.display().to_string(), &bytes, mode)?
                }
                (None, true) => demo::runbook()?,
                (None, false) => {
                    bail!("name a runbook file to import, or pass --demo for the bundled one")
                }
            };
            if dry_run {
                let path = match cli.db {
                    Some(p) => p,
                    None => default_db()?,
                };
                // Nothing there yet: the preview of a first import, without creating the file.
                let store = if path.exists() { Store::open_read(&path)? } else { Store::open_in_memory()? };
                let plan = reimport::plan(&store, &imported)?;
                if json {
                    serde_json::to_writer_pretty(&mut out, &plan.preview)?;
                    writeln!(out)?;
                } else {
                    write!(out, "{}{}", imported.report, plan.preview)?;
                    writeln!(out, "dry run: nothing was written")?;
                }
                return Ok(());
            }
            let mut store = open(cli.db)?;
            let author = actor(&store, &cli.who)?;
            let (ev, preview) = reimport::import(&mut store, &imported, &author, replace, yes, &SystemClock)?;
            if use_demo {
                store.mark_demo()?;
            }
            write!(out, "{}", imported.report)?;
            if replace {
                write!(out, "{preview}")?;
            }
            writeln!(out, "imported into {} ({} field writes, event {})", store.path(), ev.writes.len(), ev.seq)?;
        }
        Command::Export { format, output } => {
            let store = open_read(cli.db)?;
            let rb = store.require_runbook()?;
            // Once a run exists, its statuses and actual times fill the export.
            let snap = warroom_core::live::Snapshot::load(&store)?;
            let progress = match snap.run(cli.who.run.as_deref()) {
                Ok(run) => warroom_core::live::progress(&warroom_core::live::status(&snap, &run, Utc::now())?),
                Err(warroom_core::live::LiveError::NoRun) => Progress::new(),
                Err(e) => return Err(e.into()),
            };
            let text = export::export(&rb, &progress, format)?;
            emit(&mut out, output.as_deref(), text.as_bytes())?;
        }
        Command::Show => {
            let store = open_read(cli.db)?;
            let rb = store.require_runbook()?;
            out.write_all(show::render(&rb).as_bytes())?;
        }
        Command::Log { json } => {
            let store = open_read(cli.db)?;
            let events = store.events()?;
            if json {
                serde_json::to_writer_pretty(&mut out, &events)?;
                writeln!(out)?;
            } else {
                out.write_all(show::render_log(&events).as_bytes())?;
            }
        }
        Command::Me { action } => {
            let mut store = open(cli.db)?;
            if let Some(MeAction::Set { name }) = action {
                let name = named(&name)?.name;
                let Some(role) = &cli.who.role else { bail!("say your role too: `warroom me set NAME --role ROLE`") };
                store.set_local(ME_NAME, &name)?;
                store.set_local(ME_ROLE, role.trim())?;
            }
            let me = warroom_core::service::me_of(&store)?;
            if me.name.trim().is_empty() {
                writeln!(out, "nobody is set on this laptop: `warroom me set NAME --role ROLE`")?;
            } else {
                writeln!(out, "{} ({})", me.name, if me.role.is_empty() { "no role set" } else { &me.role })?;
            }
        }
        Command::Status { json, now } => {
            let store = open_read(cli.db)?;
            live::status_cmd(&mut out, &store, &cli.who, now.as_deref(), json, &SystemClock)?;
        }
        Command::Report { format, paper, output } => {
            let store = open_read(cli.db)?;
            let record = report::Record::load(&store, cli.who.run.as_deref(), Utc::now())?;
            let bytes = report::render(&record, format, paper)?;
            emit(&mut out, output.as_deref(), &bytes)?;
        }
        Command::Verify { json, against } => {
            let store = open_read(cli.db)?;
            let v = store.verify()?;
            let differences = match &against {
                Some(other) => store.differences(&open_read(Some(other.clone()))?)?,
                None => Vec::new(),
            };
            if json {
                let mut j = serde_json::to_value(&v)?;
                j["differences"] = serde_json::to_value(&differences)?;
                serde_json::to_writer_pretty(&mut out, &j)?;
                writeln!(out)?;
            } else {
                verify_text(&mut out, &v, against.as_deref(), &differences)?;
            }
            if !v.intact() {
                let list: Vec<String> = v.problems.iter().map(|p| format!("  {p}")).collect();
                bail!("the record was changed after the fact: {} problem(s)\n{}", v.problems.len(), list.join("\n"));
            }
            if differences.iter().any(warroom_core::store::witness::Difference::is_rewrite) {
                bail!("the two copies disagree: one of them was rewritten (see above)");
            }
        }
        Command::Sync { cmd } => {
            let store = open(cli.db)?;
            sync::cmd(store, &SystemClock, cmd, &mut out)?;
        }
        Command::Notify { cmd } => {
            let store = open(cli.db)?;
            notify::cmd(store, std::sync::Arc::new(SystemClock), cli.who.role.as_deref(), cmd, &mut out)?;
        }
        Command::Watch { no_desktop, json, now, speed } => {
            let store = open(cli.db)?;
            drop(out);
            notify::watch(store, clock(now, speed), !no_desktop, json)?;
            return Ok(());
        }
        Command::Peers { cmd } => {
            let mut store = open(cli.db)?;
            let author = laptop_actor(&store, &cli.who)?;
            sync::peers(&mut store, &author, &SystemClock, cmd, &mut out)?;
        }
        Command::Serve { bind, ui, now, speed, peer, peer_bind, connect, relay, no_mdns, demo } => {
            let store = open(cli.db)?;
            let clock = clock(now, speed);
            let mut svc = if demo { Service::with_demo(store, clock)? } else { Service::new(store, clock)? };
            svc.set_missing(warroom_core::about::missing());
            let peers = serve::PeerOptions {
                bind: (peer || relay || peer_bind.is_some()).then(|| peer_bind.unwrap_or(DEFAULT_PEER_BIND)),
                connect,
                relay,
                mdns: !no_mdns,
            };
            drop(out);
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
            rt.block_on(serve::serve(svc, bind, ui, peers))?;
            return Ok(());
        }
        Command::Room { cmd } => {
            let mut store = open(cli.db)?;
            let author = laptop_actor(&store, &cli.who)?;
            room::cmd(&mut store, &author, &SystemClock, cmd, &mut out)?;
        }
        Command::Run { cmd: live::RunCmd::List } => {
            let store = open_read(cli.db)?;
            out.write_all(live::run_list(&store)?.as_bytes())?;
        }
        cmd => {
            let who = &cli.who;
            let action = match cmd {
                Command::Run { cmd } => live::run_action(cmd).map_or_else(unreachable_command, Ok)?,
                Command::Task { id, verb, note } => live::task_action(id, verb, note)?,
                Command::Checkpoint { id, verb, reason, as_role } => live::checkpoint_action(id, verb, reason, as_role),
                Command::Rollback { cmd } => live::rollback_action(cmd),
                Command::Incident { cmd } => live::incident_action(cmd),
                Command::Metric { cmd: live::MetricCmd::Record { name, value, unit, source } } => {
                    Action::MetricRecord { metric: name, value, unit, source }
                }
                Command::Checklist { id, state } => {
                    Action::Checklist { id, checked: matches!(state, live::CheckWord::Check) }
                }
                Command::Edit { cmd } => live::edit_action(cmd)?,
                _ => unreachable_command()?,
            };
            let store = open(cli.db)?;
            let by = actor(&store, who)?;
            // The same path the desktop app and the browser take.
            let mut svc = Service::new(store, Arc::new(SystemClock))?;
            let done = svc.perform(&Request {
                at: who.at.clone(),
                run: who.run.clone(),
                by: Some(by),
                action: action.clone(),
            })?;
            out.write_all(live::said(&action, &done).as_bytes())?;
        }
    }
    Ok(())
}

/// The match above handles every command; this keeps the compiler satisfied without a panic.
fn unreachable_command<T>() -> Result<T> {
    bail!("internal error: a command was not dispatched")
}

/// The rule that refused an action, wherever it sits in `e`.
fn refusal_of(e: &anyhow::Error) -> Option<&Refusal> {
    e.chain().find_map(|c| match c.downcast_ref::<ServiceError>() {
        Some(ServiceError::Live(LiveError::Refused(r))) => Some(r),
        _ => match c.downcast_ref::<LiveError>() {
            Some(LiveError::Refused(r)) => Some(r),
            _ => None,
        },
    })
}

/// How to do, with this command's flags, what a rule asked for.
fn hint(r: &Refusal) -> Option<String> {
    Some(match r {
        Refusal::WhoAreYou | Refusal::NameNeeded => {
            "`warroom me set NAME --role ROLE`, or --by NAME --role ROLE (or WARROOM_ME=NAME for scripts)".into()
        }
        Refusal::ReasonForTask { .. } => "say why with --note \"...\"".into(),
        Refusal::TaskClosed { task, .. } => format!("`warroom task {task} undo` first"),
        Refusal::CheckpointNotTicked { task } => format!("`warroom checkpoint {task} go|no-go|hold`"),
        Refusal::RunActive { run } => format!("`warroom run finish --run {run}` or `warroom run abandon --run {run}`"),
        Refusal::NotASigner { .. } => {
            "set your role with `warroom me set NAME --role ROLE`, or sign for a role with --as-role ROLE".into()
        }
        Refusal::SignOffsMissing { id, .. } => format!("each missing role signs: `warroom checkpoint {id} sign`"),
        Refusal::ReasonForDecision | Refusal::ReasonForRollback | Refusal::ReasonForOverride => {
            "say why with --reason \"...\"".into()
        }
        Refusal::PastDeadline { .. } => "to roll back anyway: `warroom rollback override --reason \"...\"`".into(),
        Refusal::ApprovalsMissing { .. } => "each approver runs `warroom rollback approve`".into(),
        Refusal::OnePersonTwoRoles { .. } => {
            "each role is approved by someone else: they run `warroom rollback approve` as themselves".into()
        }
        Refusal::NoRollbackDecided => "`warroom rollback decide --rollback --reason \"...\"` first".into(),
        Refusal::NotAddedThisWay { .. } => "tasks: `warroom edit add-task --phase P --time HH:MM --title ...`".into(),
        Refusal::NotSetThisWay { .. } => "`warroom edit move` or `warroom edit delete`".into(),
        Refusal::BadTime { .. } | Refusal::InTheFuture { .. } => {
            "--at takes HH:MM on the run's timeline, at or before now".into()
        }
        _ => return None,
    })
}

/// `warroom verify` for people: the digest, each laptop's key and head with its witnesses, and
/// where another copy differs.
fn verify_text(
    out: &mut impl std::io::Write,
    v: &warroom_core::store::verify::Verification,
    against: Option<&std::path::Path>,
    differences: &[warroom_core::store::witness::Difference],
) -> Result<()> {
    writeln!(out, "log digest  {}", v.digest)?;
    writeln!(out, "events      {} from {} laptop(s)", v.events, v.chains.len())?;
    for c in &v.chains {
        let key = if c.key.is_empty() { "no signed event".to_owned() } else { warroom_core::keys::fingerprint(&c.key) };
        let witnesses: Vec<String> =
            c.witnessed.iter().map(|w| format!("{}@#{}", w.by.get(..8).unwrap_or(&w.by), w.seq)).collect();
        writeln!(
            out,
            "  laptop {}  key {key}  head #{}  witnessed by {}{}",
            c.origin.get(..8).unwrap_or(&c.origin),
            c.events,
            if witnesses.is_empty() { "none yet".to_owned() } else { witnesses.join(", ") },
            if c.unsigned > 0 { format!("  ({} unsigned, from before signing)", c.unsigned) } else { String::new() }
        )?;
    }
    if v.intact() {
        writeln!(
            out,
            "intact: every event matches its hash and its laptop's signature, none is missing, what other laptops witnessed is as they saw it, and the state follows from the log"
        )?;
    }
    if let Some(other) = against {
        if differences.is_empty() {
            writeln!(out, "same as {}: both copies hold the same events", other.display())?;
        }
        for d in differences {
            writeln!(out, "against {}: {d}", other.display())?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _logging = warroom_core::logging::init("warroom", cli.verbose);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`warroom show | head`) is not an error worth a message.
            if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            if let Some(h) = refusal_of(&e).and_then(hint) {
                eprintln!("  hint: {h}");
            }
            ExitCode::FAILURE
        }
    }
}
