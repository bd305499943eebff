//! Header detection and column mapping: finds the header row below title lines by matching known
//! Vietnamese and English header names (accent- and case-insensitively), merges a two-row header
//! (merged group cells), and maps columns to canonical fields. Users extend the table with a TOML
//! config or `--map field="Header"`.

use std::collections::HashMap;

use crate::normalize::text::fold;
use crate::record::{FIELD_COUNT, Field};

/// How many rows from the top are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// Built-in header names, folded (see [`fold`]).
const ALIASES: &[(Field, &[&str])] = &[
    (
        Field::RecordId,
        &[
            "ma ban ghi",
            "ma doi tuong",
            "ma dt",
            "ma tiem chung",
            "ma dinh danh tiem chung",
            "ma nguoi tiem",
            "id",
            "record id",
            "record key",
            "ma ho so",
            "ma",
        ],
    ),
    (
        Field::FullName,
        &[
            "ho va ten",
            "ho ten",
            "ho va ten nguoi tiem",
            "ho ten nguoi tiem",
            "ten doi tuong",
            "ten nguoi tiem",
            "ho va ten doi tuong",
            "full name",
            "fullname",
            "name",
            "ten",
        ],
    ),
    (
        Field::BirthDate,
        &[
            "ngay sinh",
            "ngay thang nam sinh",
            "ngay thang sinh",
            "nam sinh",
            "sinh ngay",
            "date of birth",
            "dob",
            "birth date",
            "birthdate",
            "birthday",
        ],
    ),
    (
        Field::Gender,
        &["gioi tinh", "gioi", "phai", "sex", "gender", "nam nu"],
    ),
    (
        Field::IdNumber,
        &[
            "so cmnd cccd",
            "cmnd cccd",
            "so cccd cmnd",
            "cccd cmnd",
            "so cccd",
            "so cmnd",
            "cccd",
            "cmnd",
            "so cmt",
            "cmt",
            "so cmt cccd",
            "so dinh danh",
            "so dinh danh ca nhan",
            "ma dinh danh",
            "ma dinh danh ca nhan",
            "so giay to",
            "so giay to tuy than",
            "cmnd cccd ho chieu",
            "so cmnd cccd ho chieu",
            "id number",
            "national id",
            "citizen id",
            "identity number",
            "id card",
        ],
    ),
    (
        Field::Phone,
        &[
            "so dien thoai",
            "dien thoai",
            "sdt",
            "so dt",
            "dt",
            "dien thoai di dong",
            "phone",
            "phone number",
            "mobile",
            "tel",
        ],
    ),
    (
        Field::InsuranceNumber,
        &[
            "so the bhyt",
            "ma the bhyt",
            "the bhyt",
            "so bhyt",
            "bhyt",
            "ma bhyt",
            "health insurance",
            "insurance number",
            "health insurance number",
        ],
    ),
    (
        Field::Province,
        &[
            "tinh",
            "tinh thanh pho",
            "tinh tp",
            "tinh thanh",
            "tinh thanh pho truc thuoc tw",
            "thanh pho",
            "province",
            "province city",
        ],
    ),
    (
        Field::District,
        &[
            "huyen",
            "quan huyen",
            "quan huyen thi xa",
            "quan huyen tx",
            "huyen quan",
            "district",
        ],
    ),
    (
        Field::Commune,
        &[
            "xa",
            "xa phuong",
            "phuong xa",
            "xa phuong thi tran",
            "xa phuong tt",
            "phuong",
            "commune",
            "ward",
            "commune ward",
        ],
    ),
    (
        Field::Address,
        &[
            "dia chi",
            "dia chi thuong tru",
            "dia chi cu tru",
            "dia chi tam tru",
            "noi o",
            "noi o hien nay",
            "thon xom",
            "thon ap",
            "address",
        ],
    ),
    (
        Field::DoseNumber,
        &[
            "mui",
            "mui so",
            "mui tiem",
            "mui thu",
            "so mui",
            "mui tiem so",
            "lan tiem",
            "dose",
            "dose number",
            "dose no",
        ],
    ),
    (
        Field::DoseDate,
        &[
            "ngay tiem",
            "ngay tiem chung",
            "thoi gian tiem",
            "ngay gio tiem",
            "dose date",
            "vaccination date",
            "date of vaccination",
        ],
    ),
    (
        Field::Vaccine,
        &[
            "vac xin",
            "vacxin",
            "vaccine",
            "loai vac xin",
            "ten vac xin",
            "ten vacxin",
        ],
    ),
    (
        Field::LotNumber,
        &[
            "lo vac xin",
            "so lo",
            "lo",
            "lo vacxin",
            "lot",
            "lot number",
            "so lo vac xin",
        ],
    ),
    (
        Field::Facility,
        &[
            "co so tiem",
            "co so tiem chung",
            "noi tiem",
            "diem tiem",
            "don vi tiem",
            "co so",
            "facility",
            "vaccination site",
        ],
    ),
];

/// Folds a header cell: accents, case, punctuation and any "(…)" hint are dropped.
pub fn fold_header(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    let mut depth = 0u32;
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => s.push(c),
            _ => {}
        }
    }
    fold(&s)
}

/// The table of header names for each field: built in, plus the user's.
#[derive(Debug, Clone)]
pub struct HeaderTable {
    known: HashMap<String, Field>,
    /// Headers given by the user, matched before the built-in ones.
    user: HashMap<String, Field>,
}

impl Default for HeaderTable {
    fn default() -> Self {
        let mut known = HashMap::new();
        for (field, names) in ALIASES {
            for n in *names {
                known.insert((*n).to_string(), *field);
            }
        }
        HeaderTable {
            known,
            user: HashMap::new(),
        }
    }
}

impl HeaderTable {
    /// A table of other header names than a dump's (a registry extract's), folded as
    /// [`fold_header`] folds.
    pub fn with_aliases(aliases: &[(Field, &[&str])]) -> HeaderTable {
        let known = aliases
            .iter()
            .flat_map(|(field, names)| names.iter().map(|n| (fold_header(n), *field)))
            .collect();
        HeaderTable {
            known,
            user: HashMap::new(),
        }
    }

    /// Adds a user mapping: a header with this text is `field`.
    pub fn add(&mut self, field: Field, header: &str) {
        self.user.insert(fold_header(header), field);
    }

    /// The field a header cell names, with whether the user named it.
    pub fn lookup(&self, header: &str) -> Option<(Field, bool)> {
        let key = fold_header(header);
        if key.is_empty() {
            return None;
        }
        if let Some(f) = self.user.get(&key) {
            return Some((*f, true));
        }
        self.known.get(&key).map(|f| (*f, false))
    }
}

/// Where the header is and which column holds each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// 0-based index of the first data row among the rows searched.
    pub data_start: usize,
    /// 0-based index of the (last) header row.
    pub header_row: usize,
    /// For each [`Field`], the 0-based column holding it.
    pub columns: [Option<usize>; FIELD_COUNT],
    /// The header cells as found, for messages and for carrying unknown columns.
    pub names: Vec<String>,
}

impl Header {
    /// The column of `field`.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns[field.index()]
    }

    /// Whether the columns a scan needs (name and ID number) are mapped.
    pub fn has_required(&self) -> bool {
        self.column(Field::FullName).is_some() && self.column(Field::IdNumber).is_some()
    }
}

/// Maps one row's cells; the user's names win, then the first column for each field.
fn map_row(table: &HeaderTable, row: &[String]) -> ([Option<usize>; FIELD_COUNT], usize) {
    let mut columns = [None; FIELD_COUNT];
    let mut by_user = [false; FIELD_COUNT];
    let mut count = 0;
    for (col, text) in row.iter().enumerate() {
        let Some((field, user)) = table.lookup(text) else {
            continue;
        };
        let slot = &mut columns[field.index()];
        if slot.is_none() || (user && !by_user[field.index()]) {
            if slot.is_none() {
                count += 1;
            }
            *slot = Some(col);
            by_user[field.index()] = user;
        }
    }
    (columns, count)
}

/// Finds the header among `rows` (the first rows of a sheet, as text). With `forced` (0-based),
/// that row is the header. Returns `None` when no row names at least two known fields.
pub fn detect(table: &HeaderTable, rows: &[Vec<String>], forced: Option<usize>) -> Option<Header> {
    let (row, mut columns, score) = match forced {
        Some(r) => {
            let (columns, score) = map_row(table, rows.get(r)?);
            (r, columns, score)
        }
        None => {
            let mut best: Option<(usize, [Option<usize>; FIELD_COUNT], usize)> = None;
            for (r, cells) in rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
                let (columns, score) = map_row(table, cells);
                let better = best.as_ref().is_none_or(|b| score > b.2);
                if score >= 2 && better {
                    best = Some((r, columns, score));
                }
            }
            best?
        }
    };
    if score == 0 {
        return None;
    }
    let mut names: Vec<String> = rows.get(row).cloned().unwrap_or_default();
    let mut last = row;
    // A two-row header (group cells merged above their sub-headers): take the fields the
    // neighbouring row adds, as long as it names nothing the header row already has.
    if forced.is_none() {
        for neighbour in [row.checked_sub(1), Some(row + 1)].into_iter().flatten() {
            let Some(cells) = rows.get(neighbour) else {
                continue;
            };
            let (extra, n) = map_row(table, cells);
            let overlaps = extra
                .iter()
                .zip(columns.iter())
                .any(|(e, c)| e.is_some() && c.is_some());
            let clashes = extra
                .iter()
                .flatten()
                .any(|col| columns.contains(&Some(*col)));
            if n == 0 || overlaps || clashes {
                continue;
            }
            for (slot, e) in columns.iter_mut().zip(extra) {
                if slot.is_none() {
                    *slot = e;
                }
            }
            if names.len() < cells.len() {
                names.resize(cells.len(), String::new());
            }
            for (name, cell) in names.iter_mut().zip(cells) {
                if name.trim().is_empty() {
                    name.clone_from(cell);
                }
            }
            last = last.max(neighbour);
        }
    }
    Some(Header {
        data_start: last + 1,
        header_row: last,
        columns,
        names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(data: &[&[&str]]) -> Vec<Vec<String>> {
        data.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn finds_the_header_below_title_lines() {
        let r = rows(&[
            &["DANH SÁCH ĐỐI TƯỢNG ĐÃ TIÊM VẮC XIN COVID-19"],
            &["Ngày xuất: 01/11/2026"],
            &[],
            &[
                "STT",
                "HỌ VÀ TÊN",
                "Ngày sinh (dd/mm/yyyy)",
                "Giới tính",
                "Số CMND/CCCD",
            ],
            &["1", "Nguyễn Văn An", "01/02/1990", "Nam", "079090001234"],
        ]);
        let h = detect(&HeaderTable::default(), &r, None).expect("header");
        assert_eq!(h.header_row, 3);
        assert_eq!(h.data_start, 4);
        assert_eq!(h.column(Field::FullName), Some(1));
        assert_eq!(h.column(Field::BirthDate), Some(2));
        assert_eq!(h.column(Field::IdNumber), Some(4));
        assert_eq!(h.column(Field::Phone), None);
        assert!(h.has_required());
    }

    #[test]
    fn english_and_unaccented_headers() {
        let r = rows(&[&[
            "Full name",
            "Date of birth",
            "Sex",
            "ID number",
            "ho ten khac",
        ]]);
        let h = detect(&HeaderTable::default(), &r, None).expect("header");
        assert_eq!(h.column(Field::FullName), Some(0));
        assert_eq!(h.column(Field::Gender), Some(2));
        assert_eq!(h.column(Field::IdNumber), Some(3));
    }

    #[test]
    fn merged_group_header_adds_sub_headers() {
        let r = rows(&[
            &["Họ và tên", "Số CCCD", "Thông tin mũi tiêm", "", ""],
            &["", "", "Mũi số", "Ngày tiêm", "Vắc xin"],
            &[
                "Lê Thị Hoa",
                "079190001234",
                "1",
                "01/08/2021",
                "AstraZeneca",
            ],
        ]);
        let h = detect(&HeaderTable::default(), &r, None).expect("header");
        assert_eq!(h.data_start, 2);
        assert_eq!(h.column(Field::DoseNumber), Some(2));
        assert_eq!(h.column(Field::DoseDate), Some(3));
        assert_eq!(h.names[2], "Mũi số");
    }

    #[test]
    fn user_mapping_wins() {
        let mut t = HeaderTable::default();
        t.add(Field::FullName, "Tên khách hàng");
        let r = rows(&[&["Tên", "Tên khách hàng", "CCCD"]]);
        let h = detect(&t, &r, None).expect("header");
        assert_eq!(h.column(Field::FullName), Some(1));
    }

    #[test]
    fn forced_row_and_no_header() {
        let r = rows(&[&["a", "b"], &["x", "Họ tên"], &["Họ tên", "CCCD"]]);
        let t = HeaderTable::default();
        assert_eq!(detect(&t, &r, Some(1)).map(|h| h.data_start), Some(2));
        assert!(detect(&t, &rows(&[&["a", "b"], &["c", "d"]]), None).is_none());
    }
}
