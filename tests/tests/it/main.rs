//! Cross-process tests, one binary (as ripgrep does): each module drives real processes.

// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod browser;
mod chaos;
mod cli;
mod desktop;
mod live;
mod night;
mod notify;
mod sync;
mod trust_net;
mod ui_text;
mod zones;
