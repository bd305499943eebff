//! The returned-list reader of `apply-corrections` (`apply::returned::read`) on any bytes as a
//! workbook; the first byte picks the format (xlsx, xls, ods). It must refuse or read, never
//! panic outside calamine (a panic there is caught and becomes a refusal), and never take more
//! memory than the fuzzer allows.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: vaxclean_fuzz::allow_caught_reader_panics(),
    |data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let extension = ["xlsx", "xls", "ods"][usize::from(kind % 3)];
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join(format!("list.{extension}"));
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    if let Ok(list) = vaxclean::apply::returned::read(&path, "list") {
        // What was read holds together: every row is a sheet row below the header.
        assert!(list.rows.iter().all(|r| r.sheet_row >= 2));
    }
});
