//! `warroom room`: make this database's runbook a room, invite laptops into it with a join code
//! (text and QR code), join one from a new database, and list or revoke its members.

use anyhow::{Context, Result};
use clap::Subcommand;
use std::io::Write;
use warroom_core::Store;
use warroom_core::clock::Clock;
use warroom_core::sync::join;
use warroom_core::sync::room::{self, JoinCode, Terms, USES, VALID_HOURS};
use warroom_core::sync::tls::{Identity, shown};
use warroom_model::Author;

#[derive(Subcommand)]
pub(crate) enum RoomCmd {
    /// Make this database's runbook a room that other laptops can join.
    Create {
        /// What the others will call this laptop (default: "<your name>'s laptop").
        #[arg(long)]
        name: Option<String>,
    },
    /// Print a join code (and its QR code) naming the addresses this laptop serves peers on.
    Invite {
        #[arg(long)]
        json: bool,
        /// How long the code stays good.
        #[arg(long, default_value_t = VALID_HOURS)]
        hours: u32,
        /// How many laptops the code admits (each use is recorded in the room's log).
        #[arg(long, default_value_t = USES)]
        uses: std::num::NonZeroU32,
        /// Where this laptop can be reached (ADDR:PORT; repeat), instead of where
        /// `warroom serve --peer` last listened.
        #[arg(long = "at", value_name = "ADDR:PORT")]
        at: Vec<String>,
    },
    /// Join a room from this (new, empty) database, then take the runbook and its history.
    Join {
        code: String,
        /// What the others will call this laptop (default: "<your name>'s laptop").
        #[arg(long)]
        name: Option<String>,
    },
    /// The laptops that may sync in this room.
    Members,
    /// Shut a laptop out of the room from now on.
    Revoke { fingerprint: String },
}

fn laptop(by: &Author, name: Option<String>) -> String {
    name.unwrap_or_else(|| room::laptop_name(&by.name))
}

pub(crate) fn cmd(store: &mut Store, by: &Author, clock: &dyn Clock, cmd: RoomCmd, out: &mut dyn Write) -> Result<()> {
    match cmd {
        RoomCmd::Create { name } => {
            let fp = Identity::of(store)?.fingerprint();
            let r = room::create(store, by, &fp, &laptop(by, name), clock)?;
            writeln!(out, "{} is now a room ({}).", r.name, r.id)?;
            writeln!(out, "Serve it to the others with `warroom serve --peer`, then `warroom room invite`.")?;
        }
        RoomCmd::Invite { json, hours, uses, at } => {
            let fp = Identity::of(store)?.fingerprint();
            let at = if at.is_empty() { room::serving_addresses(store)? } else { at };
            anyhow::ensure!(
                !at.is_empty(),
                "this laptop does not serve peers yet: start `warroom serve --peer` first, or name where it can be reached with --at ADDR:PORT"
            );
            let r = room::room(store)?.ok_or(room::RoomError::NotARoom)?;
            let code = room::invite(store, by, &fp, at, Terms { hours, uses }, clock)?;
            if json {
                let v = serde_json::json!({
                    "code": code.to_string(),
                    "room": code.room,
                    "name": r.name,
                    "fingerprint": code.fingerprint,
                    "addresses": code.addresses,
                    "hours": hours,
                    "uses": uses,
                });
                serde_json::to_writer_pretty(&mut *out, &v)?;
                writeln!(out)?;
            } else {
                let laptops = if uses.get() == 1 { "one laptop".to_owned() } else { format!("{uses} laptops") };
                writeln!(out, "Join code for {} (good for {hours} h, admits {laptops}):", r.name)?;
                writeln!(out, "{code}")?;
                writeln!(out, "{}", crate::serve::qr(&code.to_string()))?;
                writeln!(out, "On the new laptop: warroom room join '{code}'")?;
                writeln!(out, "It will show this laptop as {}", shown(&fp))?;
            }
        }
        RoomCmd::Join { code, name } => {
            let code: JoinCode = code.parse()?;
            let name = laptop(by, name);
            let joined = join::join(store, &code, &name, room::serving_addresses(store)?, clock)
                .context("cannot join the room")?;
            let r = &joined.answer.room;
            writeln!(out, "Joined {} as {name}, through {}.", r.name, joined.peer.url)?;
            writeln!(out, "Took {} events; `warroom serve --peer` keeps this laptop in step.", joined.pulled.pulled)?;
        }
        RoomCmd::Members => {
            let r = room::room(store)?.ok_or(room::RoomError::NotARoom)?;
            let me = Identity::of(store)?.fingerprint();
            writeln!(out, "{} ({})", r.name, r.id)?;
            for m in warroom_core::sync::members::members(store)? {
                let state = if m.revoked { "revoked" } else { "member" };
                let mark = if m.fingerprint == me { "  (this laptop)" } else { "" };
                writeln!(out, "{}  {state:<7}  {}{mark}", shown(&m.fingerprint), m.name)?;
            }
        }
        RoomCmd::Revoke { fingerprint } => {
            crate::sync::peers(store, by, clock, Some(crate::sync::PeersCmd::Revoke { fingerprint }), out)?;
        }
    }
    Ok(())
}
