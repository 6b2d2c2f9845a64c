//! The app's commands for rooms: core's host serves and follows the room's laptops; these
//! convert and call it. Joining a room from the app switches it to the room's own database,
//! which becomes the CLI's default too unless `WARROOM_DB` names one.

use crate::AppState;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tauri::State;
use warroom_core::host::{Host, HostError, PeerOptions};
use warroom_core::sync::room::{Terms, USES, VALID_HOURS};
use warroom_model::ApiError;
use warroom_model::peers::{Invitation, RoomView};

/// Where the app serves peers unless `WARROOM_PEER_BIND` says otherwise; a port of the
/// system's choosing if that one is taken (a `warroom serve --peer` on the same laptop).
const PEER_BIND: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 7879);

/// Starts the peer service if the database is a room and it is not running yet.
pub(crate) fn start(host: &Arc<Host>) -> Result<(), HostError> {
    let bind = std::env::var("WARROOM_PEER_BIND").ok().and_then(|b| b.parse().ok()).unwrap_or(PEER_BIND);
    let opts = PeerOptions {
        bind: Some(bind),
        any_port: true,
        connect: Vec::new(),
        mdns: std::env::var_os("WARROOM_NO_MDNS").is_none(),
    };
    if let Some(started) = host.serve_room(opts)? {
        for w in started.warnings {
            tracing::warn!("{w}");
        }
    }
    Ok(())
}

/// The room and its laptops as this one sees them.
#[tauri::command]
pub(crate) fn peers(state: State<'_, AppState>) -> Result<RoomView, ApiError> {
    state.host.room_view()
}

/// Makes this database's runbook a room, and starts serving it.
#[tauri::command(async)]
pub(crate) fn room_create(state: State<'_, AppState>) -> Result<RoomView, ApiError> {
    state.with(|s| s.room_create(None))?;
    start(&state.host)?;
    state.host.room_view()
}

/// A join code for another laptop, with its QR code.
#[tauri::command]
pub(crate) fn room_invite(
    state: State<'_, AppState>,
    hours: Option<u32>,
    uses: Option<std::num::NonZeroU32>,
) -> Result<Invitation, ApiError> {
    state.with(|s| s.invitation(Terms { hours: hours.unwrap_or(VALID_HOURS), uses: uses.unwrap_or(USES) }))
}

/// Joins the room of `code` with a database of its own, takes the runbook and its history,
/// then switches the app to it and starts serving the room.
#[tauri::command(async)]
pub(crate) fn room_join(state: State<'_, AppState>, code: String) -> Result<RoomView, ApiError> {
    state.host.join_room(&code, std::env::var_os("WARROOM_DB").is_none())?;
    start(&state.host)?;
    state.host.room_view()
}
