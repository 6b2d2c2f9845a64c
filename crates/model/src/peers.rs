//! What the peers panel shows: the room, this laptop, and each member laptop as this one last
//! saw it (connected, how far behind, clock skew); and a join code to invite another laptop.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a database holds: the highest sequence held of each laptop (origin).
pub type VersionVector = BTreeMap<String, u64>;

/// The Room view: this laptop, the room it belongs to, and every laptop it knows of.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomView {
    /// None until the database is made a room (or joins one).
    pub room: Option<RoomInfo>,
    /// This laptop's certificate fingerprint, in groups of four.
    pub me: String,
    /// This laptop's laptop id (origin).
    pub origin: String,
    /// Where this laptop serves peers, if it does.
    pub addresses: Vec<String>,
    /// The other member laptops, and laptops it syncs with that are not (or no longer) members.
    pub peers: Vec<PeerView>,
    /// This laptop's own changes so far.
    pub my_changes: u64,
    /// Of those, how many no other laptop has been seen holding.
    pub unshared: u64,
    /// Whether any peer is connected.
    pub online: bool,
    /// Two databases writing as one laptop were seen: what, and what to do.
    #[serde(default)]
    pub alarm: Option<String>,
}

/// The room this database belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomInfo {
    /// Random id (hex), the same on every laptop of the room; `room=` in join codes.
    pub id: crate::RoomId,
    /// Its name, the runbook's title when it was made a room.
    pub name: String,
}

/// One other laptop, as this one last saw it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerView {
    /// Full fingerprint (hex).
    pub fingerprint: crate::Fingerprint,
    /// The laptop's name, as given when it joined; empty for a laptop that is not a member.
    pub name: String,
    /// Whether it is a member of the room now (false once revoked, or if it never joined).
    pub member: bool,
    /// Answered or called within the last ten seconds.
    pub connected: bool,
    /// When it last answered or called (RFC 3339), if ever since this app started.
    pub last_seen: Option<crate::Instant>,
    /// What went wrong the last time, if it did.
    pub error: Option<String>,
    /// Events this laptop holds that it lacks.
    pub behind: u64,
    /// Events it holds that this laptop lacks.
    pub ahead: u64,
    /// How many of this laptop's own changes it holds.
    pub has_mine: u64,
    /// Its clock minus ours, in ms, when off by more than a minute.
    pub skew_ms: Option<i64>,
}

/// A join code, as text and as a QR code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// The code itself (`warroom://join?room=…&key=…&fp=…&at=…`), to paste on the new laptop.
    pub code: String,
    /// An SVG image of the QR code.
    pub qr_svg: String,
    /// How many hours it is good for.
    pub hours: u32,
    /// How many laptops it admits.
    #[serde(default)]
    pub uses: u32,
    /// Where the new laptop will look for this one (`ADDR:PORT`).
    pub addresses: Vec<String>,
}
