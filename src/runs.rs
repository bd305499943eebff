//! Sorted runs on disk, for the cross-record indexes that would otherwise grow with the rows. An
//! index past its memory budget sorts what it holds and writes it as one run to a temporary file
//! ([`Runs::writer`]); once every input is read, the runs are merged ([`Runs::merge`]) into one
//! sorted stream, read item by item, so that the rules walk their groups without holding them
//! all. The temporary file has no name (it is gone when the [`Runs`] is dropped, on error too,
//! and when the process dies).
//!
//! Items are framed as a length and their bytes; an item type says how it is written and read
//! back ([`RunItem`]) and by what key runs are sorted.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rayon::slice::ParallelSliceMut;

/// At most this many runs are merged at once; more are first merged in passes.
const FAN_IN: usize = 64;

/// What each run's reader buffers.
const READ_BUFFER: usize = 64 * 1024;

/// An item of a run: written as bytes, read back into a reused value.
pub trait RunItem: Default {
    /// The order of a run.
    type Key: Ord + Copy;
    /// The item's key.
    fn key(&self) -> Self::Key;
    /// Appends the item's bytes to `out`.
    fn write(&self, out: &mut Vec<u8>);
    /// Reads an item from exactly the bytes [`RunItem::write`] wrote; `None` if they are not.
    fn read(&mut self, bytes: &[u8]) -> Option<()>;
}

/// Runs written to one temporary file.
#[derive(Debug)]
pub struct Runs {
    dir: PathBuf,
    file: File,
    end: u64,
    /// Each run's offset and length.
    runs: Vec<(u64, u64)>,
}

fn corrupt() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "a temporary index file was changed while the scan ran",
    )
}

impl Runs {
    /// No runs yet, their file in `dir`.
    pub fn new(dir: &Path) -> io::Result<Runs> {
        Ok(Runs {
            dir: dir.to_path_buf(),
            file: tempfile::tempfile_in(dir)?,
            end: 0,
            runs: Vec::new(),
        })
    }

    /// How many runs are written.
    pub fn len(&self) -> usize {
        self.runs.len()
    }

    /// Whether no run is written.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// A writer of one more run: its items must come in key order.
    pub fn writer(&mut self) -> io::Result<RunWriter<'_>> {
        self.file.seek(SeekFrom::Start(self.end))?;
        let start = self.end;
        Ok(RunWriter {
            out: BufWriter::with_capacity(READ_BUFFER, &self.file),
            buf: Vec::new(),
            start,
            len: 0,
            runs: &mut self.runs,
            end: &mut self.end,
        })
    }

    /// Every item of every run, in key order (items of equal keys in the order of their runs).
    pub fn merge<I: RunItem>(&mut self) -> io::Result<Merge<'_, I>> {
        while self.runs.len() > FAN_IN {
            self.pass::<I>()?;
        }
        Merge::new(&self.file, &self.runs)
    }

    /// Merges the runs by groups of [`FAN_IN`] into a new file.
    fn pass<I: RunItem>(&mut self) -> io::Result<()> {
        let mut next = Runs::new(&self.dir)?;
        for group in self.runs.chunks(FAN_IN) {
            let mut merge = Merge::<I>::new(&self.file, group)?;
            let mut w = next.writer()?;
            while let Some(item) = merge.next()? {
                w.push(|buf| item.write(buf))?;
            }
            w.finish()?;
        }
        *self = next;
        Ok(())
    }
}

/// Writes one run ([`Runs::writer`]).
pub struct RunWriter<'r> {
    out: BufWriter<&'r File>,
    buf: Vec<u8>,
    start: u64,
    len: u64,
    runs: &'r mut Vec<(u64, u64)>,
    end: &'r mut u64,
}

impl RunWriter<'_> {
    /// Appends the item that `write` writes.
    pub fn push(&mut self, write: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        self.buf.clear();
        write(&mut self.buf);
        let n = u32::try_from(self.buf.len()).map_err(|_| corrupt())?;
        self.out.write_all(&n.to_le_bytes())?;
        self.out.write_all(&self.buf)?;
        self.len += 4 + u64::from(n);
        Ok(())
    }

    /// Ends the run.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()?;
        if self.len > 0 {
            self.runs.push((self.start, self.len));
            *self.end = self.start + self.len;
        }
        Ok(())
    }
}

/// Reads one run's items through a buffer.
struct Cursor {
    pos: u64,
    end: u64,
    buf: Vec<u8>,
    at: usize,
}

impl Cursor {
    /// Makes sure `n` bytes are buffered from `at`; false at the end of the run.
    fn fill(&mut self, file: &File, n: usize) -> io::Result<bool> {
        if self.buf.len() - self.at >= n {
            return Ok(true);
        }
        self.buf.drain(..self.at);
        self.at = 0;
        let want = (n - self.buf.len()).max(READ_BUFFER) as u64;
        let take = want.min(self.end - self.pos) as usize;
        if self.buf.len() + take < n {
            return Ok(false);
        }
        let old = self.buf.len();
        self.buf.resize(old + take, 0);
        let mut f = file;
        f.seek(SeekFrom::Start(self.pos))?;
        f.read_exact(&mut self.buf[old..])?;
        self.pos += take as u64;
        Ok(true)
    }

    /// The next item's bytes, if any.
    fn next(&mut self, file: &File) -> io::Result<Option<&[u8]>> {
        if !self.fill(file, 4)? {
            return if self.buf.len() == self.at {
                Ok(None)
            } else {
                Err(corrupt())
            };
        }
        let mut len = [0u8; 4];
        len.copy_from_slice(&self.buf[self.at..self.at + 4]);
        let n = u32::from_le_bytes(len) as usize;
        if !self.fill(file, 4 + n)? {
            return Err(corrupt());
        }
        let bytes = &self.buf[self.at + 4..self.at + 4 + n];
        self.at += 4 + n;
        Ok(Some(bytes))
    }
}

/// The items of several runs in key order ([`Runs::merge`]).
pub struct Merge<'f, I: RunItem> {
    file: &'f File,
    cursors: Vec<Cursor>,
    heads: Vec<I>,
    heap: BinaryHeap<Reverse<(I::Key, usize)>>,
    /// The run whose head was handed out last: it moves on at the next call.
    last: Option<usize>,
}

impl<'f, I: RunItem> Merge<'f, I> {
    fn new(file: &'f File, runs: &[(u64, u64)]) -> io::Result<Self> {
        let mut m = Merge {
            file,
            cursors: runs
                .iter()
                .map(|&(pos, len)| Cursor {
                    pos,
                    end: pos + len,
                    buf: Vec::new(),
                    at: 0,
                })
                .collect(),
            heads: runs.iter().map(|_| I::default()).collect(),
            heap: BinaryHeap::with_capacity(runs.len()),
            last: None,
        };
        for i in 0..m.cursors.len() {
            m.advance(i)?;
        }
        Ok(m)
    }

    /// Reads run `i`'s next item into its head.
    fn advance(&mut self, i: usize) -> io::Result<()> {
        if let Some(bytes) = self.cursors[i].next(self.file)? {
            self.heads[i].read(bytes).ok_or_else(corrupt)?;
            self.heap.push(Reverse((self.heads[i].key(), i)));
        }
        Ok(())
    }

    /// The next item in key order, if any.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> io::Result<Option<&I>> {
        if let Some(i) = self.last.take() {
            self.advance(i)?;
        }
        match self.heap.pop() {
            Some(Reverse((_, i))) => {
                self.last = Some(i);
                Ok(Some(&self.heads[i]))
            }
            None => Ok(None),
        }
    }
}

/// Moves to the front the items whose `key` may be another item's too, and says how many; the
/// rest are alone with their key. A key falls in one of 8 bits an item (1 MB for a million
/// items); the items of a bit hit twice go to the front: every item of a key shared, and ~12% of
/// the others (keys sharing a bit). Two passes, so that only the few are sorted when most keys
/// are one item's.
pub fn shared_first<X, K: std::hash::Hash>(items: &mut [X], key: impl Fn(&X) -> K) -> usize {
    let bits = (items.len() * 8).max(64).next_power_of_two();
    // Fixed seeds: the same items are set aside from run to run.
    let hash = ahash::RandomState::with_seeds(1, 2, 3, 4);
    let at = |x: &X| {
        let b = hash.hash_one(key(x)) as usize & (bits - 1);
        (b / 64, 1u64 << (b % 64))
    };
    let mut seen = vec![0u64; bits / 64];
    let mut twice = vec![0u64; bits / 64];
    for x in items.iter() {
        let (w, b) = at(x);
        if seen[w] & b != 0 {
            twice[w] |= b;
        }
        seen[w] |= b;
    }
    drop(seen);
    let mut n = 0;
    for i in 0..items.len() {
        let (w, b) = at(&items[i]);
        if twice[w] & b != 0 {
            items.swap(i, n);
            n += 1;
        }
    }
    n
}

/// Items kept in memory up to a budget, then written as sorted runs; read back in key order.
#[derive(Debug)]
pub struct Spilling<I> {
    items: Vec<I>,
    runs: Option<Runs>,
}

impl<I> Default for Spilling<I> {
    fn default() -> Self {
        Spilling {
            items: Vec::new(),
            runs: None,
        }
    }
}

impl<I: RunItem + Send> Spilling<I>
where
    I::Key: Send,
{
    /// The items in memory.
    pub fn items(&self) -> &[I] {
        &self.items
    }

    /// Adds items.
    pub fn extend(&mut self, items: impl IntoIterator<Item = I>) {
        self.items.extend(items);
    }

    /// The bytes the items in memory take.
    pub fn memory(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<I>()
    }

    /// Whether some items are on disk.
    pub fn spilled(&self) -> bool {
        self.runs.is_some()
    }

    /// Sorts the items in memory and writes them as a run to a file in `dir`.
    pub fn spill(&mut self, dir: &Path) -> io::Result<()> {
        if self.items.is_empty() {
            return Ok(());
        }
        let runs = match &mut self.runs {
            Some(r) => r,
            None => self.runs.insert(Runs::new(dir)?),
        };
        self.items.par_sort_unstable_by_key(I::key);
        let mut w = runs.writer()?;
        for item in &self.items {
            w.push(|buf| item.write(buf))?;
        }
        w.finish()?;
        self.items = Vec::new();
        Ok(())
    }

    /// Every item to `each`: the items of one `group` one after the other, in key order; an item
    /// alone in its group comes in no particular order. In memory, those alone are set aside
    /// ([`shared_first`]) and only the others sorted.
    pub fn for_each_grouped<G: std::hash::Hash>(
        mut self,
        group: impl Fn(&I) -> G,
        mut each: impl FnMut(&I),
    ) -> io::Result<()> {
        if self.runs.is_some() {
            return self.for_each(each);
        }
        let n = shared_first(&mut self.items, group);
        let (shared, alone) = self.items.split_at_mut(n);
        alone.iter().for_each(&mut each);
        shared.par_sort_unstable_by_key(I::key);
        shared.iter().for_each(each);
        Ok(())
    }

    /// Every item, in key order, to `each`.
    pub fn for_each(mut self, mut each: impl FnMut(&I)) -> io::Result<()> {
        let Some(dir) = self.runs.as_ref().map(|r| r.dir.clone()) else {
            self.items.par_sort_unstable_by_key(I::key);
            self.items.iter().for_each(each);
            return Ok(());
        };
        self.spill(&dir)?;
        if let Some(runs) = &mut self.runs {
            let mut merge = runs.merge::<I>()?;
            while let Some(item) = merge.next()? {
                each(item);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A key and a text, sorted by key only.
    #[derive(Debug, Default, Clone, PartialEq, Eq)]
    struct Item(u16, String);

    impl RunItem for Item {
        type Key = u16;
        fn key(&self) -> u16 {
            self.0
        }
        fn write(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(&self.0.to_le_bytes());
            out.extend_from_slice(self.1.as_bytes());
        }
        fn read(&mut self, bytes: &[u8]) -> Option<()> {
            let (k, text) = bytes.split_first_chunk::<2>()?;
            self.0 = u16::from_le_bytes(*k);
            self.1.clear();
            self.1.push_str(std::str::from_utf8(text).ok()?);
            Some(())
        }
    }

    /// The groups of equal keys, each group's texts sorted (their order within a group is free).
    fn groups(items: &[Item]) -> Vec<(u16, Vec<String>)> {
        let mut out: Vec<(u16, Vec<String>)> = Vec::new();
        for it in items {
            match out.last_mut() {
                Some((k, texts)) if *k == it.0 => texts.push(it.1.clone()),
                _ => out.push((it.0, vec![it.1.clone()])),
            }
        }
        for (_, t) in &mut out {
            t.sort();
        }
        out
    }

    /// Adds `items` in batches of `batch`, spilling whenever more than `budget` are in memory.
    fn through_runs(items: &[Item], batch: usize, budget: usize) -> Vec<Item> {
        let dir = tempfile::tempdir().expect("temporary files work in tests");
        let mut s = Spilling::default();
        for chunk in items.chunks(batch.max(1)) {
            s.extend(chunk.iter().cloned());
            if s.items().len() > budget {
                s.spill(dir.path()).expect("temporary files work in tests");
            }
        }
        let mut out = Vec::new();
        s.for_each(|i| out.push(i.clone()))
            .expect("temporary files work in tests");
        out
    }

    proptest! {
        #[test]
        fn any_entries_and_budget_give_the_groups_of_memory(
            items in prop::collection::vec((0u16..40, "[a-zđ]{0,6}"), 0..400),
            batch in 1usize..50,
            budget in 0usize..80,
        ) {
            let items: Vec<Item> = items.into_iter().map(|(k, t)| Item(k, t)).collect();
            let mut sorted = items.clone();
            sorted.sort_by_key(|i| i.0);
            let got = through_runs(&items, batch, budget);
            prop_assert!(got.windows(2).all(|w| w[0].0 <= w[1].0));
            prop_assert_eq!(groups(&got), groups(&sorted));
        }
    }

    proptest! {
        /// A group's items (here, keys of one quarter) come together and in key order, every item
        /// once, in memory and spilled.
        #[test]
        fn a_group_comes_together_in_key_order(
            items in prop::collection::vec((0u16..400, "[a-z]{0,3}"), 0..400),
            spilled in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().expect("temporary files work in tests");
            let items: Vec<Item> = items.into_iter().map(|(k, t)| Item(k, t)).collect();
            let mut s = Spilling::default();
            s.extend(items.iter().cloned());
            if spilled {
                s.spill(dir.path()).expect("temporary files work in tests");
            }
            let mut got = Vec::new();
            s.for_each_grouped(|i| i.0 / 4, |i| got.push(i.clone()))
                .expect("temporary files work in tests");
            let mut closed = std::collections::HashSet::new();
            for w in got.windows(2) {
                if w[0].0 / 4 == w[1].0 / 4 {
                    prop_assert!(w[0].0 <= w[1].0, "{:?} before {:?}", w[0], w[1]);
                } else {
                    prop_assert!(closed.insert(w[0].0 / 4), "group {} twice", w[0].0 / 4);
                }
            }
            if let Some(last) = got.last() {
                prop_assert!(!closed.contains(&(last.0 / 4)), "group {} twice", last.0 / 4);
            }
            let mut want = items.clone();
            want.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            got.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn more_runs_than_one_merge_takes_are_merged_in_passes() {
        let items: Vec<Item> = (0..5000u32)
            .map(|i| Item((i * 7919 % 1000) as u16, format!("t{i}")))
            .collect();
        // One item per run: 5,000 runs, two passes before the last merge.
        let got = through_runs(&items, 1, 0);
        let mut sorted = items.clone();
        sorted.sort_by_key(|i| i.0);
        assert_eq!(groups(&got), groups(&sorted));
        assert_eq!(got.len(), 5000);
    }

    #[test]
    fn a_big_item_goes_through_a_small_buffer() {
        let big = "x".repeat(READ_BUFFER * 3 + 5);
        let items = vec![
            Item(2, big.clone()),
            Item(1, "a".into()),
            Item(2, "b".into()),
        ];
        let got = through_runs(&items, 1, 0);
        assert_eq!(got[0], Item(1, "a".into()));
        assert_eq!(groups(&got)[1].1, ["b".to_string(), big]);
    }

    #[test]
    fn runs_leave_no_file_behind() {
        let dir = tempfile::tempdir().expect("temporary files work in tests");
        let mut s = Spilling::default();
        s.extend([Item(1, "a".into())]);
        s.spill(dir.path()).expect("temporary files work in tests");
        assert!(s.spilled());
        drop(s);
        assert_eq!(
            std::fs::read_dir(dir.path())
                .expect("temporary files work in tests")
                .count(),
            0
        );
    }
}
