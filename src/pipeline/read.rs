//! Read phase: what the reader threads share — the sheets they found, the CSV buffers handed
//! back for reuse, the hashes taken on the way — and the [`Sink`] through which their batches
//! reach the checkers.

use std::sync::{Mutex, PoisonError};

use crossbeam_channel::{Receiver, Sender};
use sha2::{Digest, Sha256};

use crate::input::{Batch, SheetInfo, Sink};
use crate::progress::Progress;

/// What the reader threads share with each other and with the checkers.
pub(super) struct Shared<'a> {
    /// The sheets read, in order of discovery (their index is [`crate::record::RowLoc::sheet`]).
    pub(super) sheets: Mutex<Vec<SheetInfo>>,
    /// Sheets skipped for lack of a header, by source.
    pub(super) skipped: Mutex<Vec<(u32, String)>>,
    /// CSV text buffers the checkers are done with.
    pub(super) pool: (Sender<Vec<u8>>, Receiver<Vec<u8>>),
    pub(super) progress: &'a Progress,
    /// SHA-256 of the inputs their reader hashed on the way (CSV), by input.
    pub(super) hashed: Mutex<Vec<(u32, String)>>,
}

impl<'a> Shared<'a> {
    /// Nothing read yet; room for `threads` readers' recycled buffers.
    pub(super) fn new(progress: &'a Progress, threads: usize) -> Self {
        Shared {
            sheets: Mutex::new(Vec::new()),
            skipped: Mutex::new(Vec::new()),
            pool: crossbeam_channel::bounded(threads * 4 + 4),
            progress,
            hashed: Mutex::new(Vec::new()),
        }
    }
}

/// One reader thread's way to the checkers.
pub(super) struct ReaderSink<'a> {
    /// Where its batches go.
    pub(super) tx: Sender<Batch>,
    /// What it shares with the other readers.
    pub(super) shared: &'a Shared<'a>,
}

impl Sink for ReaderSink<'_> {
    fn sheet(&self, info: SheetInfo) -> u32 {
        let mut sheets = self
            .shared
            .sheets
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        sheets.push(info);
        (sheets.len() - 1) as u32
    }

    fn batch(&self, batch: Batch) -> bool {
        self.tx.send(batch).is_ok()
    }

    fn recycled(&self) -> Option<Vec<u8>> {
        self.shared.pool.1.try_recv().ok()
    }

    fn progress(&self, bytes: u64) {
        self.shared.progress.inc(bytes);
    }

    fn hashed(&self, source: u32, sha256: String) {
        self.shared
            .hashed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((source, sha256));
    }

    fn sheet_skipped(&self, source: u32, sheet: &str) {
        self.shared
            .skipped
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((source, sheet.to_string()));
    }
}

/// The SHA-256 of a file, in hex; `None` when it cannot be read.
pub fn sha256_of(path: &std::path::Path) -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(crate::util::hex(&h.finalize()))
}
