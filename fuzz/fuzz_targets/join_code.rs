//! A join code as pasted from anywhere: parsing it must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warroom_core::sync::room::JoinCode;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = text.parse::<JoinCode>();
    }
});
