//! The name reader (clean form, legacy encodings): no panic, a clean name is read as itself, and
//! no suggested name draws an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vaxclean::normalize::names::{NameReading, read_name};
use vaxclean::record::{Cell, Field};
use vaxclean_fuzz::check_suggestions;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(clean) = read_name(&text).clean() {
        assert_eq!(
            read_name(clean),
            NameReading::Name {
                clean: clean.into()
            },
            "the clean form {clean:?} is not read as itself"
        );
    }
    check_suggestions(&[(Field::FullName, Cell::Text(text))]);
});
