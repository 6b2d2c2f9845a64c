//! Starts the warroom desktop app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use clap::Parser;

// mimalloc: the live picture of a big run allocates ~100k small strings; glibc malloc made
// `status` three times slower (crates/core/benches).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Before anything touches a display: `--help` and `--version` answer on a server too.
    let options = warroom_desktop::Options::parse();
    let _logging = warroom_core::logging::init("warroom-desktop", 0);
    match warroom_desktop::run(options) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
