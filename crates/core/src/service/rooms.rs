//! The service's part in rooms and peer sync: this laptop's certificate, the sync protocol's
//! three calls, making a room, join codes and admitting a laptop that proves one.

use super::*;
use crate::store::Applied;
use crate::sync::room::{self, JoinAnswer, JoinCode, JoinRequest, Room, RoomError, Terms};
use crate::sync::tls::Identity;
use crate::sync::{self, Hello, Page, PullRequest};
use warroom_model::peers::Invitation;

impl Service {
    /// This laptop's certificate, made on first use.
    pub fn identity(&mut self) -> Result<Identity> {
        Ok(Identity::of(&mut self.store)?)
    }

    /// May the laptop with certificate `fingerprint` sync with this one?
    pub fn admitted(&self, fingerprint: &str) -> Result<bool> {
        Ok(sync::members::admitted(&self.store, fingerprint)?)
    }

    /// This database's hello to a peer: protocol, origin, what it holds, its clock.
    pub fn sync_hello(&self) -> Result<Hello> {
        Ok(sync::hello(&self.store, &*self.clock)?)
    }

    /// Answers a peer's pull: the events it lacks, one page.
    pub fn sync_pull(&self, req: &PullRequest) -> Result<Page> {
        Ok(sync::serve_pull(&self.store, req)?)
    }

    /// Events a peer pushes, brought into the state held; the views refresh if any were new.
    pub fn sync_push(&mut self, events: &[warroom_model::Event]) -> Result<Applied> {
        let before = self.store.generation();
        let (applied, stored) = self.store.apply_remote_events(events, &*self.clock)?;
        let stored: Vec<&warroom_model::Event> = stored.into_iter().filter_map(|i| events.get(i)).collect();
        if applied.taken_out > 0 {
            // A revocation took events out again and the state was recomputed: read it afresh.
            self.forget_snapshot();
        } else {
            self.follow(before, &stored);
        }
        if applied.applied > 0 {
            self.changed();
        }
        Ok(applied)
    }

    /// Records, signed, the heads this laptop holds of the other laptops' chains, when they
    /// moved since it last did (after a sync took something new).
    pub fn witness(&mut self) -> Result<()> {
        let before = self.store.generation();
        if let Some(ev) = self.store.witness(&*self.clock)? {
            self.follow(before, &[&ev]);
            self.changed();
        }
        Ok(())
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

    /// Records in the log where this laptop (certificate `fingerprint`) serves its peers, when it
    /// is a room's member and they changed, for the other members to find it.
    pub fn publish_addresses(&mut self, fingerprint: &str) -> Result<()> {
        let serving = room::serving_addresses(&self.store)?;
        let members = self.store.entity_stamp("member")?;
        if self.published.as_ref().is_some_and(|(a, m)| *a == serving && *m == members) {
            return Ok(());
        }
        if sync::addresses::publish(&mut self.store, fingerprint, &*self.clock)? {
            self.changed();
        }
        self.published = Some((serving, self.store.entity_stamp("member")?));
        Ok(())
    }

    /// Records where this laptop serves peers (for its join codes).
    pub fn set_listening(&mut self, addr: std::net::SocketAddr) -> Result<()> {
        Ok(room::set_listening(&mut self.store, addr)?)
    }

    /// A new join code naming `addresses` (where this laptop serves peers), on `terms`; its
    /// issue is recorded in the log.
    pub fn room_invite(&mut self, addresses: Vec<String>, terms: Terms) -> Result<JoinCode> {
        let fp = self.identity()?.fingerprint();
        let by = self.author()?;
        let code = room::invite(&mut self.store, &by, &fp, addresses, terms, &*self.clock)?;
        self.changed();
        Ok(code)
    }

    /// A join code for the peers panel: the text, and its QR code as an SVG image.
    pub fn invitation(&mut self, terms: Terms) -> Result<Invitation> {
        let addresses = room::serving_addresses(&self.store)?;
        if addresses.is_empty() {
            return Err(RoomError::NotServing.into());
        }
        let code = self.room_invite(addresses.clone(), terms)?.to_string();
        let qr_svg = qrcode::QrCode::new(code.as_bytes())
            .map(|q| q.render::<qrcode::render::svg::Color<'_>>().min_dimensions(240, 240).quiet_zone(true).build())
            .unwrap_or_default();
        Ok(Invitation { code, qr_svg, hours: terms.hours, uses: terms.uses.get(), addresses })
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
}
