//! How the service refuses: its typed errors and what the UI receives of them.

use crate::live::LiveError;
use crate::reimport::ReimportError;
use crate::report::ReportError;
use crate::store::StoreError;
use crate::sync::SyncError;
use crate::sync::room::RoomError;
use crate::sync::tls::TlsError;
use warroom_model::{ApiError, ErrorKind};

/// Why the service could not do what was asked; `to_api` says it to the UI.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The live engine refused the action (a `Refusal`), or found no such run, task, ….
    #[error(transparent)]
    Live(#[from] LiveError),
    /// The audit record could not be made or saved.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// An exchange with a peer failed.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// This laptop's TLS identity could not be had.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// A room action was refused or failed.
    #[error(transparent)]
    Room(#[from] RoomError),
    /// A re-import could not be planned or was refused.
    #[error(transparent)]
    Reimport(#[from] ReimportError),
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
                | RoomError::UsedUp { .. }
                | RoomError::Voided(_)
                | RoomError::Unrecorded
                | RoomError::Revoked(_)
                | RoomError::WrongRoom { .. }),
            ) => ApiError::new(ErrorKind::Forbidden, e.to_string()),
            Self::Room(e @ RoomError::NotARoom) => ApiError::new(ErrorKind::NotFound, e.to_string()),
            Self::Room(e @ RoomError::Random(_)) => ApiError::new(ErrorKind::Internal, e.to_string()),
            Self::Room(e) => ApiError::new(ErrorKind::Invalid, e.to_string()),
            Self::Reimport(ReimportError::Store(e)) => e.to_api(),
            Self::Reimport(ReimportError::Live(e)) => live_api(e),
            Self::Reimport(e) => ApiError::new(ErrorKind::Invalid, e.to_string()),
        }
    }
}

fn live_api(e: &LiveError) -> ApiError {
    match e {
        LiveError::Store(e) => e.to_api(),
        LiveError::NoRun | LiveError::UnknownRun(_) => ApiError::new(ErrorKind::NotFound, e.to_string()),
        LiveError::Refused(r) => ApiError::refused(r.clone()),
        LiveError::Record(_) => ApiError::new(ErrorKind::Internal, e.to_string()),
        _ => ApiError::new(ErrorKind::Invalid, e.to_string()),
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        e.to_api()
    }
}
