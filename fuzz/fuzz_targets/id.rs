//! The ID reader and rules: any cell, alone or beside a sex and a birth date; no panic, and no
//! suggested number that the rules would refuse.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vaxclean::record::Field;
use vaxclean_fuzz::{cell, check_suggestions};

fuzz_target!(|data: &[u8]| {
    let id = cell(data);
    check_suggestions(&[(Field::IdNumber, id.clone())]);
    check_suggestions(&[
        (Field::IdNumber, id),
        (Field::Gender, vaxclean::record::Cell::Text("Nữ".into())),
        (
            Field::BirthDate,
            vaxclean::record::Cell::Text("01/02/1990".into()),
        ),
        (
            Field::FullName,
            vaxclean::record::Cell::Text("Nguyễn Thị Lan".into()),
        ),
    ]);
});
