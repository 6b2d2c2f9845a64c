//! A page of events from a peer, as bytes off the wire: decoding it and applying what decodes
//! must never panic, whatever the bytes (a hostile or broken peer); refusals are errors.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use warroom_core::Store;
use warroom_core::sync::Page;
use warroom_core::SystemClock;

thread_local! {
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    let Ok(page) = serde_json::from_slice::<Page>(data) else { return };
    STORE.with(|s| {
        let mut s = s.borrow_mut();
        if s.is_none() {
            *s = Store::open_in_memory().ok();
        }
        if let Some(store) = s.as_mut() {
            let _ = store.apply_remote(&page.events, &SystemClock);
        }
    });
});
