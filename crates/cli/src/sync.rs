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
use warroom_core::sync::{self, Local};

#[derive(Subcommand)]
pub enum SyncCmd {
    /// This database's laptop id and how many events it holds from each laptop.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Exchange events with another warroom database file, both ways: afterwards both hold
    /// everything either had.
    File { path: PathBuf },
}

pub fn cmd(mut store: Store, clock: &dyn Clock, cmd: SyncCmd, out: &mut dyn Write) -> Result<()> {
    match cmd {
        SyncCmd::Status { json } => {
            let have = store.version_vector()?;
            if json {
                let v = serde_json::json!({ "origin": store.origin(), "have": have });
                serde_json::to_writer_pretty(&mut *out, &v)?;
                writeln!(out)?;
            } else {
                writeln!(out, "this laptop  {}", store.origin())?;
                for (origin, seq) in &have {
                    let mark = if origin == store.origin() { "  (this laptop)" } else { "" };
                    writeln!(out, "{origin}  {seq} events{mark}")?;
                }
            }
        }
        SyncCmd::File { path } => {
            anyhow::ensure!(path.exists(), "{}: no such database", path.display());
            let other = Store::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
            anyhow::ensure!(
                other.origin() != store.origin(),
                "{} is a copy of this database (same laptop id {}): there is nothing to exchange",
                path.display(),
                store.origin()
            );
            let other = RefCell::new(other);
            let peer = Local { store: &other, clock };
            let took = sync::pull_from(&mut store, &peer, clock)?;
            let gave = sync::push_to(&store, &peer, clock)?;
            writeln!(out, "took {} from {}, gave it {}", events(took.pulled), path.display(), events(gave.pushed))?;
            if took.deferred + gave.deferred > 0 {
                let n = took.deferred + gave.deferred;
                writeln!(out, "{} wait for earlier ones that neither has yet", events(n))?;
            }
        }
    }
    Ok(())
}

fn events(n: usize) -> String {
    if n == 1 { "1 event".into() } else { format!("{n} events") }
}
