//! A look at an `.ods` workbook before calamine reads it. calamine loads every sheet of an .ods at
//! open, each into two dense grids (values and formulas) spanning its outermost cells, with rows
//! and cells repeated as `table:number-rows-repeated` and `table:number-columns-repeated` say. An
//! 8 KB file with one cell at row 390,000 below a wide row asked for 6 GB. Here `content.xml` is
//! streamed once (nothing kept but counters) to add up the grid cells calamine would allocate, and
//! a workbook over [`super::MAX_GRID_CELLS`] is refused before it is opened. An .ods saved with a
//! password says so in its manifest.

use std::io::{BufReader, Read, Seek};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// What a look at an .ods tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Survey {
    /// The grid cells of every table together, as calamine would allocate them.
    pub grid_cells: u64,
    /// The manifest says the content is encrypted (saved with a password).
    pub encrypted: bool,
}

/// The extent of one table's non-empty cells, rows and cells counted with their repeats.
#[derive(Debug, Default)]
struct Table {
    /// Rows so far (the next row's index).
    rows: u64,
    first_row: Option<u64>,
    last_row: u64,
    first_col: u64,
    last_col: u64,
}

impl Table {
    fn cells(&self) -> u64 {
        match self.first_row {
            Some(r0) => (self.last_row - r0 + 1)
                .saturating_mul(self.last_col.saturating_sub(self.first_col) + 1),
            None => 0,
        }
    }
}

/// A row being read: its repeats, its next column, the span of its non-empty columns.
type RowState = (u64, u64, Option<(u64, u64)>);

fn repeats(e: &BytesStart<'_>, name: &str) -> u64 {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.value.trim().parse().ok())
        .unwrap_or(1)
        .max(1)
}

fn has_attr(e: &BytesStart<'_>, name: &str) -> bool {
    e.attributes().flatten().any(|a| a.key.as_ref() == name)
}

/// Streams `content.xml` and counts the grid cells of its tables. A cell counts as non-empty when
/// it has a value type or a formula, or holds anything; repeats are capped as calamine caps them
/// (1,048,576 rows, 16,384 columns).
pub fn survey_content(content: impl Read) -> Survey {
    const MAX_ROWS: u64 = 1_048_576;
    const MAX_COLS: u64 = 16_384;
    let mut reader = Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut total = 0u64;
    let mut table: Option<Table> = None;
    // The row being read: its repeats, its next column, its non-empty column span.
    let mut row: Option<RowState> = None;
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        let children = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "table:table" => {
                if let Some(t) = table.take() {
                    total = total.saturating_add(t.cells());
                }
                table = Some(Table::default());
            }
            Event::End(e) if e.name().as_ref() == "table:table" => {
                if let Some(t) = table.take() {
                    total = total.saturating_add(t.cells());
                }
            }
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                row = Some((repeats(&e, "table:number-rows-repeated"), 0, None));
            }
            Event::Empty(e) if e.name().as_ref() == "table:table-row" => {
                if let Some(t) = &mut table {
                    let n = repeats(&e, "table:number-rows-repeated");
                    t.rows = t.rows.saturating_add(n).min(MAX_ROWS);
                }
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                if let (Some(t), Some((n, _, span))) = (&mut table, row.take()) {
                    let n = n.min(MAX_ROWS.saturating_sub(t.rows)).max(1);
                    if let Some((c0, c1)) = span {
                        if t.first_row.is_none() {
                            t.first_row = Some(t.rows);
                            t.first_col = c0;
                        }
                        t.first_col = t.first_col.min(c0);
                        t.last_col = t.last_col.max(c1);
                        t.last_row = t.rows + n - 1;
                    }
                    t.rows = t.rows.saturating_add(n).min(MAX_ROWS);
                }
            }
            Event::Start(e) | Event::Empty(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                let n = repeats(&e, "table:number-columns-repeated");
                let filled =
                    has_attr(&e, "office:value-type") || has_attr(&e, "table:formula") || children;
                if let Some((_, col, span)) = &mut row {
                    let n = n.min(MAX_COLS.saturating_sub(*col)).max(1);
                    if filled {
                        let (c0, c1) = (*col, *col + n - 1);
                        *span = Some(match *span {
                            Some((a, b)) => (a.min(c0), b.max(c1)),
                            None => (c0, c1),
                        });
                    }
                    *col = col.saturating_add(n);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    if let Some(t) = table.take() {
        total = total.saturating_add(t.cells());
    }
    Survey {
        grid_cells: total,
        encrypted: false,
    }
}

/// Surveys an .ods opened as a zip: its manifest (a password) and its content. `None` when it is not
/// a zip with a `content.xml` (left to calamine, which says what it is).
pub fn survey<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Option<Survey> {
    let encrypted = zip.by_name("META-INF/manifest.xml").ok().is_some_and(|m| {
        let mut text = Vec::new();
        let _ = m.take(1 << 20).read_to_end(&mut text);
        memchr::memmem::find(&text, b"encryption-data").is_some()
    });
    if encrypted {
        return Some(Survey {
            grid_cells: 0,
            encrypted: true,
        });
    }
    let content = zip.by_name("content.xml").ok()?;
    Some(survey_content(content))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(rows: &str) -> String {
        format!(
            "<office:document-content><office:body><office:spreadsheet>\
             <table:table table:name=\"S\">{rows}</table:table>\
             </office:spreadsheet></office:body></office:document-content>"
        )
    }

    const CELL: &str =
        "<table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell>";

    #[test]
    fn repeated_rows_and_columns_count_as_calamine_expands_them() {
        let two_by_two = content(&format!(
            "<table:table-row>{CELL}{CELL}</table:table-row><table:table-row>{CELL}{CELL}</table:table-row>"
        ));
        assert_eq!(survey_content(two_by_two.as_bytes()).grid_cells, 4);
        // A wide first row, then one cell 390,000 rows below.
        let far = content(&format!(
            "<table:table-row>{CELL}<table:table-cell table:number-columns-repeated=\"254\"/>{CELL}</table:table-row>\
             <table:table-row table:number-rows-repeated=\"389998\"><table:table-cell/></table:table-row>\
             <table:table-row>{CELL}</table:table-row>"
        ));
        assert_eq!(survey_content(far.as_bytes()).grid_cells, 390_000 * 256);
        // Empty rows and cells repeated at the end cost nothing (calamine trims them).
        let trailing = content(&format!(
            "<table:table-row>{CELL}<table:table-cell table:number-columns-repeated=\"16000\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell table:number-columns-repeated=\"16000\"/></table:table-row>"
        ));
        assert_eq!(survey_content(trailing.as_bytes()).grid_cells, 1);
        // A filled cell repeated: every repeat counts.
        let repeated = content(
            "<table:table-row table:number-rows-repeated=\"1000\"><table:table-cell table:number-columns-repeated=\"1000\" office:value-type=\"float\"/></table:table-row>",
        );
        assert_eq!(survey_content(repeated.as_bytes()).grid_cells, 1_000_000);
    }

    #[test]
    fn broken_xml_does_not_panic() {
        for text in [
            "",
            "<",
            "<table:table><table:table-row>",
            "<table:table-row table:number-rows-repeated=\"-5\">",
        ] {
            let _ = survey_content(text.as_bytes());
        }
    }
}
