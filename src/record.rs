//! Rows as the readers give them: a `Cell` per canonical field and where the row came from.
//! Readers produce these; the normalisers and rules read them. Nothing here interprets a value.

pub mod shown;

use std::borrow::Cow;

use chrono::NaiveDate;

/// The canonical fields (docs/outputs.md), in the order findings are sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The platform's record key.
    RecordId,
    /// Full name.
    FullName,
    /// Date of birth.
    BirthDate,
    /// Sex.
    Gender,
    /// CCCD or CMND number.
    IdNumber,
    /// Phone number.
    Phone,
    /// Health-insurance card number.
    InsuranceNumber,
    /// Province.
    Province,
    /// District.
    District,
    /// Commune or ward.
    Commune,
    /// Free-text address.
    Address,
    /// Dose number (1, 2, 3…).
    DoseNumber,
    /// Date of the dose.
    DoseDate,
    /// Vaccine name.
    Vaccine,
    /// Vaccine lot.
    LotNumber,
    /// Vaccination facility.
    Facility,
}

/// How many canonical fields there are.
pub const FIELD_COUNT: usize = 16;

impl Field {
    /// Every field, in canonical order.
    pub const ALL: [Field; FIELD_COUNT] = [
        Field::RecordId,
        Field::FullName,
        Field::BirthDate,
        Field::Gender,
        Field::IdNumber,
        Field::Phone,
        Field::InsuranceNumber,
        Field::Province,
        Field::District,
        Field::Commune,
        Field::Address,
        Field::DoseNumber,
        Field::DoseDate,
        Field::Vaccine,
        Field::LotNumber,
        Field::Facility,
    ];

    /// The field's name in files and flags (`full_name`, `id_number`…).
    pub fn name(self) -> &'static str {
        match self {
            Field::RecordId => "record_id",
            Field::FullName => "full_name",
            Field::BirthDate => "birth_date",
            Field::Gender => "gender",
            Field::IdNumber => "id_number",
            Field::Phone => "phone",
            Field::InsuranceNumber => "insurance_number",
            Field::Province => "province",
            Field::District => "district",
            Field::Commune => "commune",
            Field::Address => "address",
            Field::DoseNumber => "dose_number",
            Field::DoseDate => "dose_date",
            Field::Vaccine => "vaccine",
            Field::LotNumber => "lot_number",
            Field::Facility => "facility",
        }
    }

    /// The field named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Position in [`Field::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One cell's value, as typed as the file allows. CSV gives only text; workbooks give numbers and
/// dates too. `S` is `String` in owned rows and `Cow<str>` in borrowed views.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell<S> {
    /// Nothing, or only spaces.
    #[default]
    Empty,
    /// Text, exactly as in the file.
    Text(S),
    /// A number cell (Excel keeps 15 significant digits and no leading zeros).
    Number(f64),
    /// A date cell (time of day dropped).
    Date(NaiveDate),
    /// A boolean cell.
    Bool(bool),
    /// An error cell such as `#N/A`.
    Error,
}

/// A cell borrowed from a batch.
pub type CellRef<'a> = Cell<Cow<'a, str>>;

impl<S> Cell<S> {
    /// The same cell with its text (if it is a text cell) made by `f`.
    pub fn map_text<'a, T>(&'a self, f: impl FnOnce(&'a S) -> T) -> Cell<T> {
        match self {
            Cell::Empty => Cell::Empty,
            Cell::Text(s) => Cell::Text(f(s)),
            Cell::Number(n) => Cell::Number(*n),
            Cell::Date(d) => Cell::Date(*d),
            Cell::Bool(b) => Cell::Bool(*b),
            Cell::Error => Cell::Error,
        }
    }
}

impl Cell<String> {
    /// Borrow as a [`CellRef`].
    pub fn as_ref(&self) -> CellRef<'_> {
        self.map_text(|s| Cow::Borrowed(s.as_str()))
    }
}

impl<S: AsRef<str>> Cell<S> {
    /// The text of a text cell, trimmed; `None` for every other kind.
    pub fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(trim(s.as_ref())),
            _ => None,
        }
    }

    /// The cell with its text borrowed.
    pub fn as_borrowed(&self) -> Cell<&str> {
        self.map_text(|s| s.as_ref())
    }

    /// Whether the cell holds nothing but spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            // Most cells begin with a letter or a digit: one byte says so.
            Cell::Text(s) => {
                let s = s.as_ref();
                !s.as_bytes().first().is_some_and(u8::is_ascii_graphic) && trim(s).is_empty()
            }
            _ => false,
        }
    }

    /// The cell as the user sees it: text as is, whole numbers without `.0`, dates as dd/mm/yyyy.
    pub fn display(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) => Cow::Borrowed(s.as_ref()),
            Cell::Number(n) => Cow::Owned(format_number(*n)),
            Cell::Date(d) => Cow::Owned(d.format("%d/%m/%Y").to_string()),
            Cell::Bool(true) => Cow::Borrowed("TRUE"),
            Cell::Bool(false) => Cow::Borrowed("FALSE"),
            Cell::Error => Cow::Borrowed("#ERROR"),
        }
    }
}

/// The address as the lists show it: the address column, then commune, district and province,
/// joined by ", ", each trimmed and left out when empty or when the line already says it. `part`
/// gives a field's text. The exported lists and the rows `apply-corrections` sends back both
/// use it, so a row comes back with the address it was exported with.
pub fn address_line<S: AsRef<str>>(part: impl Fn(Field) -> S) -> String {
    let mut out = String::new();
    for f in [
        Field::Address,
        Field::Commune,
        Field::District,
        Field::Province,
    ] {
        let cell = part(f);
        let part = trim(cell.as_ref());
        if part.is_empty() || out.contains(part) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(part);
    }
    out
}

/// `s` without leading and trailing white space; most cells have none, and a look at the first
/// and last byte says so without decoding characters.
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        (Some(f), Some(l))
            if f.is_ascii_graphic() && *l >= 0x80 && !s.ends_with(char::is_whitespace) =>
        {
            s
        }
        _ => s.trim(),
    }
}

/// Formats a number the way a spreadsheet shows it in a general cell: no `.0` on whole numbers.
pub fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e17 {
        // Whole and well within i128: exact.
        format!("{}", n as i128)
    } else {
        format!("{n}")
    }
}

/// Where a row came from: indexes into the run's list of inputs and of sheets, and the row number
/// the user sees (1-based sheet row, or the CSV line where the record starts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RowLoc {
    /// Index of the input file in the run.
    pub source: u32,
    /// Index of the sheet in the run's sheet table (0 for CSV).
    pub sheet: u32,
    /// 1-based row or line number.
    pub row: u32,
}

/// One data row, mapped to the canonical fields. Unmapped fields are [`Cell::Empty`].
#[derive(Debug, Clone)]
pub struct RawRecord<'a> {
    /// Where the row is.
    pub loc: RowLoc,
    /// One cell per [`Field`], in [`Field::ALL`] order.
    pub cells: [CellRef<'a>; FIELD_COUNT],
}

impl<'a> RawRecord<'a> {
    /// The cell of `field`.
    pub fn get(&self, field: Field) -> &CellRef<'a> {
        &self.cells[field.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_round_trip() {
        for (i, f) in Field::ALL.into_iter().enumerate() {
            assert_eq!(f.index(), i);
            assert_eq!(Field::from_name(f.name()), Some(f));
        }
        assert_eq!(Field::from_name("nope"), None);
    }

    #[test]
    fn address_line_joins_the_parts_once_each() {
        let line = |parts: [&'static str; 4]| {
            address_line(|f| match f {
                Field::Address => parts[0],
                Field::Commune => parts[1],
                Field::District => parts[2],
                Field::Province => parts[3],
                _ => "ignored",
            })
        };
        assert_eq!(
            line([" Thôn 1 ", "Xã An Bình", "", "Tỉnh Hà Nam"]),
            "Thôn 1, Xã An Bình, Tỉnh Hà Nam"
        );
        // A part the address already says is not said again.
        assert_eq!(
            line(["Thôn 1, Xã An Bình", "Xã An Bình", "Huyện Kim Bảng", ""]),
            "Thôn 1, Xã An Bình, Huyện Kim Bảng"
        );
        assert_eq!(line(["", " ", "", ""]), "");
    }

    #[test]
    fn trim_matches_std() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "Hùng",
            "Hùng ",
            "\u{a0}Hùng\u{a0}",
            "ễ",
            "a\u{3000}",
            "\t079\r",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn numbers_display_like_a_spreadsheet() {
        assert_eq!(format_number(79123456789.0), "79123456789");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(Cell::<String>::Number(12.0).display(), "12");
        let d = NaiveDate::from_ymd_opt(1985, 2, 3).map(Cell::<String>::Date);
        assert_eq!(
            d.map(|c| c.display().into_owned()).as_deref(),
            Some("03/02/1985")
        );
    }
}
