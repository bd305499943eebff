//! A whole scan of any bytes as a workbook; the first byte picks the format (xlsx, xlsb, xls, ods).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: vaxclean_fuzz::allow_caught_reader_panics(),
    |data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let extension = ["xlsx", "xlsb", "xls", "ods"][usize::from(kind % 4)];
    vaxclean_fuzz::scan_bytes(extension, bytes);
});
