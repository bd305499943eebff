//! Returned lists made by program, for tests and benchmarks: a list read into plain cells, edited
//! the way a hamlet team edits it, and saved again the way a spreadsheet saves it (every sheet,
//! the hidden one still hidden; formatting and protection are not kept, as after a re-save by
//! another program).

use std::path::Path;

use anyhow::{Context, Result};
use calamine::{Data, Reader, open_workbook_auto};
use rust_xlsxwriter::{Format, Workbook};

use crate::output::list_workbook::{
    COL_ID_FIX, COL_NAME_FIX, COL_STATUS, GUIDE_SHEET, LIST_SHEET, META_SHEET,
};

/// The three sheets of a list as plain cells.
#[derive(Debug, Clone)]
pub struct Sheets {
    /// `Danh sách`, row by row from the sheet's first (the header is below the heading).
    pub list: Vec<Vec<Data>>,
    /// `Hướng dẫn`.
    pub guide: Vec<Vec<Data>>,
    /// The hidden sheet.
    pub meta: Vec<Vec<Data>>,
}

fn grid(r: &calamine::Range<Data>) -> Vec<Vec<Data>> {
    r.rows().map(<[Data]>::to_vec).collect()
}

impl Sheets {
    /// Reads a list.
    pub fn load(path: &Path) -> Result<Sheets> {
        let mut b = open_workbook_auto(path).with_context(|| path.display().to_string())?;
        Ok(Sheets {
            list: grid(&b.worksheet_range(LIST_SHEET)?),
            guide: grid(&b.worksheet_range(GUIDE_SHEET)?),
            meta: grid(&b.worksheet_range(META_SHEET)?),
        })
    }

    /// Saves the sheets as a workbook.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut book = Workbook::new();
        let date = Format::new().set_num_format("dd/mm/yyyy");
        for (name, rows, hidden) in [
            (LIST_SHEET, &self.list, false),
            (GUIDE_SHEET, &self.guide, false),
            (META_SHEET, &self.meta, true),
        ] {
            let ws = book.add_worksheet();
            ws.set_name(name)?;
            ws.set_hidden(hidden);
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    match cell {
                        Data::String(t) => {
                            crate::output::write_text(ws, r, c, t, None)?;
                        }
                        Data::Float(f) => {
                            ws.write_number(r, c, *f)?;
                        }
                        Data::Int(i) => {
                            ws.write_number(r, c, *i as f64)?;
                        }
                        Data::DateTime(d) => {
                            ws.write_number_with_format(r, c, d.as_f64(), &date)?;
                        }
                        Data::Bool(b) => {
                            ws.write_boolean(r, c, *b)?;
                        }
                        _ => {}
                    }
                }
            }
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        book.save(path)?;
        Ok(())
    }

    /// Sets a cell of `Danh sách`.
    pub fn set(&mut self, row: usize, col: u16, v: Data) {
        if self.list.len() <= row {
            self.list.resize(row + 1, Vec::new());
        }
        let r = &mut self.list[row];
        if r.len() <= usize::from(col) {
            r.resize(usize::from(col) + 1, Data::Empty);
        }
        r[usize::from(col)] = v;
    }

    /// The text of a cell of `Danh sách`.
    pub fn text(&self, row: usize, col: usize) -> String {
        match self.list.get(row).and_then(|r| r.get(col)) {
            Some(Data::String(t)) => t.clone(),
            Some(Data::Float(f)) => f.to_string(),
            _ => String::new(),
        }
    }

    /// The data rows (those with an STT: not the heading, the header, a hamlet's sub-heading or
    /// the signature block).
    pub fn data_rows(&self) -> Vec<usize> {
        (0..self.list.len())
            .filter(|&r| matches!(self.list[r].first(), Some(Data::Float(_) | Data::Int(_))))
            .collect()
    }

    /// The record keys of the person on list row `row` (0-based), from the hidden sheet's table
    /// (`Mã bản ghi` shows only the first).
    pub fn keys(&self, row: usize) -> Vec<String> {
        let cell = |r: &Vec<Data>, c: usize| match r.get(c) {
            Some(Data::String(t)) => t.clone(),
            Some(Data::Float(f)) => f.to_string(),
            Some(Data::Int(i)) => i.to_string(),
            _ => String::new(),
        };
        let sheet_row = (row + 1).to_string();
        let start = self
            .meta
            .iter()
            .position(|r| cell(r, 0) == "row")
            .map_or(self.meta.len(), |i| i + 1);
        self.meta[start..]
            .iter()
            .find(|r| cell(r, 0) == sheet_row)
            .map(|r| cell(r, 2).lines().map(String::from).collect())
            .unwrap_or_default()
    }

    /// A suggestion of a row: "Số CMND/CCCD: 0790…" gives the number.
    pub fn suggestion(&self, row: usize, label: &str) -> Option<String> {
        self.text(row, 9)
            .lines()
            .filter_map(crate::output::list_workbook::suggestion_value)
            .find(|(l, _)| *l == label)
            .map(|(_, v)| v.to_string())
    }

    /// What a team that trusts the suggestions does: the suggested number and name typed in
    /// and "Đã sửa" chosen where there is one, "Thông tin đúng" elsewhere. Returns the rows
    /// given a correction.
    pub fn accept_suggestions(&mut self) -> usize {
        let mut fixed = 0;
        for r in self.data_rows() {
            let id = self.suggestion(r, "Số CMND/CCCD");
            let name = self.suggestion(r, "Họ và tên");
            if id.is_none() && name.is_none() {
                self.set(r, COL_STATUS, Data::String("Thông tin đúng".into()));
                continue;
            }
            if let Some(id) = id {
                self.set(r, COL_ID_FIX, Data::String(id));
            }
            if let Some(name) = name {
                self.set(r, COL_NAME_FIX, Data::String(name));
            }
            self.set(r, COL_STATUS, Data::String("Đã sửa".into()));
            fixed += 1;
        }
        fixed
    }
}
