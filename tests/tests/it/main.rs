//! Cross-process tests, one binary (as ripgrep does): each module drives real processes.

// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod authors;
mod browser;
mod chaos;
mod cli;
mod codes;
mod desktop;
mod four_eyes;
mod live;
mod night;
mod notify;
mod readonly;
mod reimport;
mod screens;
mod sheets;
mod sync;
mod trust;
mod trust_net;
mod ui_text;
mod welcome;
mod zones;
