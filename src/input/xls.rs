//! A look at an `.xls` workbook before calamine reads it. calamine reads a sheet of the old binary
//! format into one dense grid spanning its outermost cells, and reserves room for the cells its
//! DIMENSIONS record announces. A damaged file (the fuzzer made one from 10 KB) can claim a cell at
//! column 60,000 or a sheet of four billion rows, and the grid then takes gigabytes. The format
//! holds at most 65,536 rows × 256 columns, so a sheet that spans more is refused here, before
//! anything is allocated for it; and since a sheet within the format still takes up to 16 million
//! cells (a 50 KB file with one cell at IV65536 took 1 GB), all the sheets together are held to
//! [`super::MAX_GRID_CELLS`]. A FILEPASS record says the workbook was saved with a password.

use std::fs::File;
use std::io::Read;

use super::{InputError, InputFile};

/// Rows × columns of the biggest sheet the format can hold.
pub const MAX_CELLS: u64 = 65_536 * 256;

/// Bytes a grid cell takes in calamine (a value).
const XLS_CELL_BYTES: u64 = 32;

/// The extent of the cells of one sheet.
#[derive(Debug, Default, Clone, Copy)]
struct Extent {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Extent {
    fn add(&mut self, row: u32, first_col: u32, last_col: u32) {
        let widen = |span: &mut Option<(u32, u32)>, lo: u32, hi: u32| {
            *span = Some(match *span {
                Some((a, b)) => (a.min(lo), b.max(hi)),
                None => (lo, hi),
            });
        };
        widen(&mut self.rows, row, row);
        widen(
            &mut self.cols,
            first_col.min(last_col),
            first_col.max(last_col),
        );
    }

    fn cells(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => {
                u64::from(r1 - r0 + 1).saturating_mul(u64::from(c1 - c0 + 1))
            }
            _ => 0,
        }
    }
}

fn u16_at(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at + 2)
        .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// What a look at a BIFF stream tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Survey {
    /// The most cells any sheet would take as a dense grid (by its cells or by what its
    /// DIMENSIONS record claims).
    pub largest_sheet: u64,
    /// The grid cells of every sheet together (calamine reads them all at open).
    pub total_cells: u64,
    /// A FILEPASS record: the workbook was saved with a password (its records are encrypted).
    pub encrypted: bool,
}

/// Walks the records of the BIFF stream `stream`.
pub fn survey(stream: &[u8]) -> Survey {
    let mut encrypted = false;
    let (mut largest, mut total) = (0u64, 0u64);
    let mut sheet = Extent::default();
    // What the current sheet's DIMENSIONS record claims.
    let mut claimed = 0u64;
    let mut at = 0usize;
    while let (Some(typ), Some(len)) = (u16_at(stream, at), u16_at(stream, at + 2)) {
        let start = at + 4;
        let end = (start + len as usize).min(stream.len());
        let data = &stream[start.min(end)..end];
        at = start + len as usize;
        match typ {
            // FILEPASS: what follows is encrypted (record headers stay readable).
            0x002F => encrypted = true,
            // BOF: a new substream.
            0x0809 => {
                let cells = sheet.cells().max(claimed);
                largest = largest.max(cells);
                total = total.saturating_add(cells);
                sheet = Extent::default();
                claimed = 0;
            }
            // DIMENSIONS: calamine reserves room for what it claims.
            0x0200 => {
                let claim = match data.len() {
                    10 => (
                        u16_at(data, 0),
                        u16_at(data, 2),
                        u16_at(data, 4),
                        u16_at(data, 6),
                    ),
                    14 | 16 => (
                        u32_at(data, 0),
                        u32_at(data, 4),
                        u16_at(data, 8),
                        u16_at(data, 10),
                    ),
                    _ => (None, None, None, None),
                };
                if let (Some(rf), Some(rl), Some(cf), Some(cl)) = claim {
                    let rows = u64::from(rl.wrapping_sub(rf));
                    let cols =
                        u64::from(cl.saturating_sub(if cf > 0xFF || cl < cf { 0 } else { cf }));
                    claimed = claimed.max(rows.saturating_mul(cols));
                }
            }
            // Cells: NUMBER, LABEL, BOOLERR, RK, LABELSST, RSTRING, FORMULA.
            0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x00D6 | 0x0006 => {
                if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                    sheet.add(r, c, c);
                }
            }
            // MULRK: a row of cells from one column to another.
            0x00BD => {
                let last = data.len().checked_sub(2).and_then(|i| u16_at(data, i));
                if let (Some(r), Some(c0), Some(c1)) = (u16_at(data, 0), u16_at(data, 2), last) {
                    sheet.add(r, c0, c1);
                }
            }
            _ => {}
        }
    }
    let last = sheet.cells().max(claimed);
    Survey {
        largest_sheet: largest.max(last),
        total_cells: total.saturating_add(last),
        encrypted,
    }
}

/// Refuses an `.xls` file with a sheet beyond the format's size, and one whose compound-file
/// container is malformed (calamine reads past such damage, and the fuzzer found one that way whose
/// cells span a billion grid cells; the `cfb` crate checks the container). A file that is not a
/// compound file at all, or has no workbook stream, is left to the reader, which says what it is.
pub fn check(file: &InputFile) -> Result<(), InputError> {
    let damaged = |cause: String| InputError::Damaged {
        path: file.display.clone(),
        cause,
    };
    let Ok(mut f) = File::open(&file.path) else {
        return Ok(());
    };
    let mut head = [0u8; 8];
    if f.read_exact(&mut head).is_err() || head != super::excel::OLE_MAGIC {
        return Ok(());
    }
    let mut cfb = cfb::CompoundFile::open(f).map_err(|e| damaged(e.to_string()))?;
    let stream = ["Workbook", "Book"]
        .into_iter()
        .find_map(|name| cfb.open_stream(name).ok());
    let Some(mut stream) = stream else {
        return Ok(());
    };
    // The stream is at most the file's size, which the cfb reader checked against the file.
    let mut bytes = Vec::new();
    stream
        .by_ref()
        .take(file.size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| damaged(e.to_string()))?;
    let survey = survey(&bytes);
    if survey.encrypted {
        return Err(InputError::Encrypted {
            path: file.display.clone(),
        });
    }
    let cells = survey.largest_sheet;
    if cells > MAX_CELLS {
        return Err(InputError::Oversized {
            path: file.display.clone(),
            cells,
        });
    }
    super::check_grid(file, survey.total_cells, XLS_CELL_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut r = typ.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0u8; 10]);
        record(0x0203, &d)
    }

    #[test]
    fn a_sheet_within_the_format_passes() {
        let mut s = record(0x0809, &[0; 16]);
        s.extend(number(0, 0));
        s.extend(number(65_535, 255));
        assert_eq!(survey(&s).largest_sheet, MAX_CELLS);
    }

    #[test]
    fn a_cell_far_to_the_right_is_counted() {
        let mut s = record(0x0809, &[0; 16]);
        s.extend(number(0, 0));
        s.extend(number(60_000, 60_000));
        assert!(survey(&s).largest_sheet > MAX_CELLS);
        // Each sheet on its own: two small sheets stay small.
        let mut t = record(0x0809, &[0; 16]);
        t.extend(number(0, 0));
        t.extend(record(0x0809, &[0; 16]));
        t.extend(number(10, 10));
        assert_eq!(survey(&t).largest_sheet, 1);
    }

    #[test]
    fn the_sheets_are_counted_together() {
        let mut s = record(0x0809, &[0; 16]);
        s.extend(number(0, 0));
        s.extend(number(65_535, 255));
        s.extend(record(0x0809, &[0; 16]));
        s.extend(number(9, 9));
        let survey = survey(&s);
        assert_eq!(survey.largest_sheet, MAX_CELLS);
        assert_eq!(survey.total_cells, MAX_CELLS + 1);
        assert!(survey.total_cells > crate::input::MAX_GRID_CELLS);
    }

    #[test]
    fn a_lying_dimensions_record_is_counted() {
        let mut d = 0u32.to_le_bytes().to_vec();
        d.extend(4_000_000_000u32.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(200u16.to_le_bytes());
        d.extend([0, 0]);
        let s = record(0x0200, &d);
        assert!(survey(&s).largest_sheet > MAX_CELLS);
    }

    #[test]
    fn a_filepass_record_means_a_password() {
        let mut s = record(0x0809, &[0; 16]);
        assert!(!survey(&s).encrypted);
        s.extend(record(0x002F, &[1, 0, 1, 0]));
        s.extend(number(0, 0));
        assert!(survey(&s).encrypted);
    }

    #[test]
    fn truncated_records_do_not_panic() {
        let s = number(3, 4);
        for cut in 0..s.len() {
            let _ = survey(&s[..cut]);
        }
        let mulrk = record(0x00BD, &[1, 0]);
        assert_eq!(survey(&mulrk).largest_sheet, 0);
    }
}
