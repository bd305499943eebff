//! The date reader and the birth and dose date rules: no panic, no suggested date the rules refuse.
#![no_main]

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;
use vaxclean::normalize::dates::{DateReading, format_date, read_date};
use vaxclean::record::{Cell, Field};
use vaxclean_fuzz::{TODAY, cell, check_suggestions};

fuzz_target!(|data: &[u8]| {
    let c = cell(data);
    // A date read from any form reads back the same from the platform's form (dd/mm/yyyy: years
    // of four digits; a date cell of year -1038 is shown as it is and drawn as out of range).
    if let DateReading::Full { date, .. } = read_date(&c, TODAY)
        && (1..=9999).contains(&date.year())
    {
        let shown = format_date(date);
        assert_eq!(
            read_date(&Cell::Text(shown.as_str()), TODAY).date(),
            Some(date),
            "{shown} does not read back"
        );
    }
    check_suggestions(&[(Field::BirthDate, c.clone())]);
    check_suggestions(&[(Field::DoseDate, c)]);
});
