//! Any bytes as the police's registry extract: read with the dump readers and their own headers,
//! indexed, and a fixed dump matched against it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vaxclean_fuzz::registry_bytes(data);
});
