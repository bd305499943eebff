//! The floor an xlsx scan is compared with: stream every cell of every sheet with calamine's cell
//! reader and count them. Used by `scripts/bench.py`.

use std::process::ExitCode;

use calamine::{Reader, Xlsx, open_workbook};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bare_calamine FILE.xlsx");
        return ExitCode::from(2);
    };
    let mut wb: Xlsx<_> = match open_workbook(&path) {
        Ok(wb) => wb,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut cells = 0u64;
    for name in wb.sheet_names() {
        let mut reader = match wb.worksheet_cells_reader(&name) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        };
        loop {
            match reader.next_cell() {
                Ok(Some(_)) => cells += 1,
                Ok(None) => break,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    println!("{cells} cells");
    ExitCode::SUCCESS
}
