//! A whole scan of any bytes as a CSV file: encodings, delimiters, quotes, header detection,
//! every rule and the findings file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vaxclean_fuzz::scan_bytes("csv", data);
});
