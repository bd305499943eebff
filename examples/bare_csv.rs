//! The floor a CSV scan is compared with: read every record of a file with the csv crate
//! (reused `ByteRecord`, no checks) and count them. Used by `scripts/bench.py`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bare_csv FILE.csv");
        return ExitCode::from(2);
    };
    let mut rdr = match csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(&path)
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut rec = csv::ByteRecord::new();
    let (mut rows, mut bytes) = (0u64, 0u64);
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {
                rows += 1;
                bytes += rec.as_slice().len() as u64;
            }
            Ok(false) => break,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    println!("{rows} records, {bytes} field bytes");
    ExitCode::SUCCESS
}
