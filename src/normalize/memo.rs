//! Per-thread memories of readings that repeat across people: full names (a province has many
//! "Nguyễn Văn Hùng") and dose dates (a few hundred distinct days). A reading is a pure function
//! of the text, so remembering it changes nothing but the time; each memory is bounded and
//! starts afresh when full.

use std::cell::RefCell;
/// A fast hash map (the keys are our own cells, not attacker-chosen keys of a server).
type HashMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;

use chrono::NaiveDate;

use super::dates::{DateReading, read_date};
use super::names::{NameReading, read_name};
use crate::record::Cell;

/// Entries a memory holds before it starts afresh.
const CAPACITY: usize = 1 << 14;

/// Longer texts are read afresh each time: a memory of a few huge cells would hold megabytes.
const LONGEST: usize = 128;

thread_local! {
    static NAMES: RefCell<HashMap<Box<str>, NameReading>> = RefCell::new(HashMap::default());
    static DATES: RefCell<(NaiveDate, HashMap<Box<str>, DateReading>)> =
        RefCell::new((NaiveDate::MIN, HashMap::default()));
}

/// [`read_name`], remembered.
pub fn name(text: &str) -> NameReading {
    if text.len() > LONGEST {
        return read_name(text);
    }
    NAMES.with(|m| {
        let mut m = m.borrow_mut();
        if let Some(r) = m.get(text) {
            return r.clone();
        }
        let r = read_name(text);
        if m.len() >= CAPACITY {
            m.clear();
        }
        m.insert(text.into(), r.clone());
        r
    })
}

/// [`read_date`] of a text cell, remembered (per `today`, which the reading depends on).
pub fn date(text: &str, today: NaiveDate) -> DateReading {
    if text.len() > LONGEST {
        return read_date(&Cell::Text(text), today);
    }
    DATES.with(|m| {
        let mut m = m.borrow_mut();
        if m.0 != today {
            *m = (today, HashMap::default());
        }
        if let Some(r) = m.1.get(text) {
            return *r;
        }
        let r = read_date(&Cell::Text(text), today);
        if m.1.len() >= CAPACITY {
            m.1.clear();
        }
        m.1.insert(text.into(), r);
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memories_give_what_a_fresh_reading_gives() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        let long = "Nguyễn ".repeat(40);
        for t in ["Nguyễn Văn An", "NguyÔn V¨n Hïng", "", "a1", long.as_str()] {
            assert_eq!(name(t), read_name(t));
            assert_eq!(name(t), read_name(t));
        }
        for t in ["01/08/2021", "2021", "x", "01/01/27"] {
            assert_eq!(date(t, today), read_date(&Cell::Text(t), today));
            assert_eq!(date(t, today), read_date(&Cell::Text(t), today));
        }
        // Another "today" reads two-digit years afresh.
        let later = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap_or_default();
        assert_eq!(
            date("01/01/27", later),
            read_date(&Cell::Text("01/01/27"), later)
        );
    }
}
