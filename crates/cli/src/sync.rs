//! `warroom sync`: what this database holds, and an exchange with another database file (a
//! colleague's copy brought on a USB stick, or a second database on this laptop) through the
//! same protocol the peers use.

use anyhow::{Context, Result};
use clap::Subcommand;
use std::cell::RefCell;
use std::io::Write;
use std::path::PathBuf;
use warroom_core::Store;
use warroom_core::clock::Clock;
use warroom_core::sync::http::HttpPeer;
use warroom_core::sync::tls::{self, Identity};
use warroom_core::sync::{self, Local, members};
use warroom_model::Author;

#[derive(Subcommand)]
pub(crate) enum SyncCmd {
    /// This database's laptop id and how many events it holds from each laptop.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Exchange events with another warroom database file, both ways: afterwards both hold
    /// everything either had.
    File { path: PathBuf },
    /// Exchange events with a member laptop running `warroom serve --peer-bind`, both ways.
    With {
        /// `https://ADDR:PORT` as that laptop's `warroom serve` printed it.
        url: String,
        /// Its certificate's fingerprint (`warroom peers` there shows it): nothing else is trusted.
        #[arg(long)]
        fingerprint: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum PeersCmd {
    /// Let the laptop with this certificate fingerprint sync with the room.
    Trust {
        fingerprint: String,
        /// A name people recognise: "Huy's laptop".
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Shut a laptop out from now on.
    Revoke { fingerprint: String },
}

pub(crate) fn peers(
    store: &mut Store,
    by: &Author,
    clock: &dyn Clock,
    cmd: Option<PeersCmd>,
    out: &mut dyn Write,
) -> Result<()> {
    match cmd {
        None => {
            let me = Identity::of(store)?;
            writeln!(out, "this laptop  {}", me.fingerprint())?;
            for m in members::members(store)? {
                let state = if m.revoked { "revoked" } else { "member" };
                writeln!(out, "{}  {state:<7}  {}", m.fingerprint, m.name)?;
            }
        }
        Some(PeersCmd::Trust { fingerprint, name }) => {
            let fp = tls::normalize(&fingerprint);
            anyhow::ensure!(fp.len() == 64, "`{fingerprint}` is not a certificate fingerprint (64 hex digits)");
            members::trust(store, by, &fp, &name, clock)?;
            writeln!(
                out,
                "{} ({}) may sync with this room",
                if name.is_empty() { "that laptop" } else { &name },
                tls::shown(&fp)
            )?;
        }
        Some(PeersCmd::Revoke { fingerprint }) => {
            let fp = tls::normalize(&fingerprint);
            anyhow::ensure!(
                members::members(store)?.iter().any(|m| m.fingerprint == fp),
                "{} is not a member of this room",
                tls::shown(&fp)
            );
            members::revoke(store, by, &fp, clock)?;
            writeln!(out, "{} may no longer sync with this room", tls::shown(&fp))?;
        }
    }
    Ok(())
}

pub(crate) fn cmd(mut store: Store, clock: &dyn Clock, cmd: SyncCmd, out: &mut dyn Write) -> Result<()> {
    match cmd {
        SyncCmd::Status { json } => {
            let have = store.version_vector()?;
            if json {
                let v = serde_json::json!({
                    "origin": store.origin(),
                    "have": have,
                    "events": store.event_count()?,
                    "witness_events": store.kind_count(warroom_core::store::witness::WITNESS)?,
                    "state_hash": store.state_hash()?,
                    "integrity": store.integrity_check()?,
                    "refused": store.refused_events()?,
                });
                serde_json::to_writer_pretty(&mut *out, &v)?;
                writeln!(out)?;
            } else {
                writeln!(out, "this laptop  {}", store.origin())?;
                for (origin, seq) in &have {
                    let mark = if origin == store.origin() { "  (this laptop)" } else { "" };
                    writeln!(out, "{origin}  {seq} events{mark}")?;
                }
                refused(out, &store.refused_events()?)?;
            }
        }
        SyncCmd::With { url, fingerprint } => {
            let me = Identity::of(&mut store)?;
            let peer = HttpPeer::new(&me, &url, &fingerprint)?;
            let r = runtime()?.block_on(sync::exchange(&mut store, &peer, clock))?;
            writeln!(out, "took {} from {url}, gave it {}", events(r.pulled), events(r.pushed))?;
            refused(out, &r.refused)?;
            if let Some(skew) = r.skew_ms {
                writeln!(out, "warning: that laptop's clock is {:+} s off this one's", skew / 1000)?;
            }
        }
        SyncCmd::File { path } => {
            anyhow::ensure!(path.exists(), "{}: no such database", path.display());
            let other = Store::open_unkeyed(&path).with_context(|| format!("cannot open {}", path.display()))?;
            anyhow::ensure!(
                other.origin() != store.origin(),
                "{} is a copy of this database (same laptop id {}): there is nothing to exchange",
                path.display(),
                store.origin()
            );
            let other = RefCell::new(other);
            let peer = Local { store: &other, clock };
            let r = runtime()?.block_on(sync::exchange(&mut store, &peer, clock))?;
            writeln!(out, "took {} from {}, gave it {}", events(r.pulled), path.display(), events(r.pushed))?;
            refused(out, &r.refused)?;
            if r.deferred > 0 {
                let n = r.deferred;
                writeln!(out, "{} wait for earlier ones that neither has yet", events(n))?;
            }
        }
    }
    Ok(())
}

/// The exchange's own: the protocol waits on its peer, whichever kind.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the network client")
}

/// The room's alarm on the command line: events another laptop sent that were refused here.
fn refused(out: &mut dyn Write, list: &[warroom_core::store::RefusedEvent]) -> Result<()> {
    for r in list {
        writeln!(
            out,
            "ALARM: refused event {}#{} from laptop {}: {}",
            &r.origin.get(..8).unwrap_or(&r.origin),
            r.seq,
            r.origin,
            r.reason
        )?;
    }
    Ok(())
}

fn events(n: usize) -> String {
    if n == 1 { "1 event".into() } else { format!("{n} events") }
}
