//! Read phase: the [`ReaderPool`] (reader threads taking the inputs one at a time, used by the
//! scan and by `apply-corrections` alike), what the scan's reader threads share — the sheets they
//! found, the CSV buffers handed back for reuse, the hashes taken on the way — and the [`Sink`]
//! through which their batches reach the checkers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crossbeam_channel::{Receiver, Sender};
use sha2::{Digest, Sha256};

use crate::input::{Batch, InputError, InputFile, ReadOptions, SheetInfo, Sink, read_file};
use crate::progress::Progress;

/// The inputs handed out to reader threads one at a time: each thread calls
/// [`ReaderPool::work`] with its sink and reads the next file not yet taken until none is left;
/// the files that could not be read are kept with their index.
pub struct ReaderPool<'a> {
    files: &'a [InputFile],
    read: &'a ReadOptions,
    next: AtomicUsize,
    errors: Mutex<Vec<(usize, InputError)>>,
}

impl<'a> ReaderPool<'a> {
    /// Nothing taken yet.
    pub fn new(files: &'a [InputFile], read: &'a ReadOptions) -> Self {
        ReaderPool {
            files,
            read,
            next: AtomicUsize::new(0),
            errors: Mutex::new(Vec::new()),
        }
    }

    /// How many reader threads `threads` workers make: one per file up to that, at least one.
    pub fn readers(&self, threads: usize) -> usize {
        threads.min(self.files.len()).max(1)
    }

    /// Reads the files not yet taken into `sink`, one at a time, until none is left (one reader
    /// thread's work).
    pub fn work(&self, sink: &dyn Sink) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(file) = self.files.get(i) else { break };
            if let Err(e) = read_file(file, i as u32, self.read, sink) {
                self.errors
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((i, e));
            }
        }
    }

    /// The files that could not be read, by index, in the order their readers gave up.
    pub fn into_errors(self) -> Vec<(usize, InputError)> {
        self.errors
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads every file into the one `sink` with up to `threads` reader threads and returns the
    /// files that could not be read.
    pub fn read_all(
        files: &'a [InputFile],
        read: &'a ReadOptions,
        threads: usize,
        sink: &dyn Sink,
    ) -> Vec<(usize, InputError)> {
        let pool = ReaderPool::new(files, read);
        std::thread::scope(|s| {
            for _ in 0..pool.readers(threads) {
                s.spawn(|| pool.work(sink));
            }
        });
        pool.into_errors()
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Format;

    /// Counts the sheets and rows it is handed.
    #[derive(Default)]
    struct Counting {
        sheets: Mutex<Vec<String>>,
        rows: AtomicUsize,
    }

    impl Sink for Counting {
        fn sheet(&self, info: SheetInfo) -> u32 {
            let mut sheets = self.sheets.lock().unwrap_or_else(PoisonError::into_inner);
            sheets.push(info.name);
            (sheets.len() - 1) as u32
        }
        fn batch(&self, batch: Batch) -> bool {
            batch.for_each_row(|_, _| {
                self.rows.fetch_add(1, Ordering::Relaxed);
            });
            true
        }
        fn recycled(&self) -> Option<Vec<u8>> {
            None
        }
        fn progress(&self, _bytes: u64) {}
        fn sheet_skipped(&self, _source: u32, _sheet: &str) {}
    }

    fn csv_file(dir: &std::path::Path, name: &str, rows: usize) -> std::io::Result<InputFile> {
        let path = dir.join(name);
        let mut text = String::from("Họ và tên,Ngày sinh,Số CCCD\n");
        for i in 0..rows {
            text.push_str(&format!("Nguyễn Văn {i},01/01/1990,0012\n"));
        }
        std::fs::write(&path, text)?;
        Ok(InputFile {
            display: name.to_string(),
            path,
            format: Format::Csv,
            size: 0,
            from_folder: false,
        })
    }

    #[test]
    fn readers_one_per_file_up_to_the_threads_and_at_least_one() -> std::io::Result<()> {
        let read = ReadOptions::default();
        let files = vec![];
        assert_eq!(ReaderPool::new(&files, &read).readers(4), 1);
        let dir = tempfile::tempdir()?;
        let files = (0..3)
            .map(|i| csv_file(dir.path(), &format!("{i}.csv"), 1))
            .collect::<std::io::Result<Vec<_>>>()?;
        let pool = ReaderPool::new(&files, &read);
        assert_eq!(pool.readers(8), 3);
        assert_eq!(pool.readers(2), 2);
        assert_eq!(pool.readers(0), 1);
        Ok(())
    }

    #[test]
    fn read_all_reads_every_file_once_and_keeps_the_errors() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut files = (0..4)
            .map(|i| csv_file(dir.path(), &format!("{i}.csv"), i + 1))
            .collect::<std::io::Result<Vec<_>>>()?;
        let missing = csv_file(dir.path(), "gone.csv", 1)?;
        std::fs::remove_file(&missing.path)?;
        files.insert(2, missing);
        let read = ReadOptions::default();
        let sink = Counting::default();
        let errors = ReaderPool::read_all(&files, &read, 3, &sink);
        assert_eq!(sink.rows.load(Ordering::Relaxed), 1 + 2 + 3 + 4);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 2);
        Ok(())
    }
}
