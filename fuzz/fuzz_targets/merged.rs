//! The merged copy of `apply-corrections` (`output::merged`) of any bytes: as a workbook (the
//! first byte picks xlsx, xls or ods) written again as xlsx with an edit, or as a CSV file copied
//! with an edit. It must write or fail with an error, never panic outside calamine, and a CSV
//! with no edit must come out byte for byte as it went in.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use vaxclean::output::merged::{Edit, SheetEdits, write_csv, write_xlsx};

fuzz_target!(
    init: vaxclean_fuzz::allow_caught_reader_panics(),
    |data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else { return };
    let edit = |row: u32| {
        let mut e = SheetEdits::new();
        e.insert(
            row,
            vec![Edit {
                col: usize::from(kind >> 4),
                text: "Nguyễn Văn A".into(),
                date: None,
            }],
        );
        e
    };
    if kind % 4 == 3 {
        let path = dir.path().join("src.csv");
        if std::fs::write(&path, bytes).is_err() {
            return;
        }
        let mut out = Vec::new();
        if write_csv(&path, &mut out, &SheetEdits::new()).is_ok() {
            assert_eq!(out, bytes, "a CSV copied without edits is the same bytes");
        }
        let _ = write_csv(&path, &mut Vec::new(), &edit(2));
        return;
    }
    let extension = ["xlsx", "xls", "ods"][usize::from(kind % 4)];
    let path = dir.path().join(format!("src.{extension}"));
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    let mut edits = HashMap::new();
    edits.insert("Sheet1".to_string(), edit(2));
    let _ = write_xlsx(&path, std::io::Cursor::new(Vec::new()), &edits);
});
