//! The output folder, as one unit. A run takes an exclusive lock on it, writes every output into a
//! hidden staging folder inside it, and at the end switches the staged outputs in: each one
//! replaces the previous run's, and what the previous run of the same command wrote and this one
//! did not is removed. A run that fails, or is killed, leaves the previous complete outputs as
//! they were; a run killed during the switch itself (a few renames) has left a note in its staging
//! folder, and the next run into the folder finishes the switch before anything else. Leftovers
//! of killed runs are removed by the next run, whatever their age: holding the lock proves that
//! no other run is using them.
//!
//! Outputs hold personal data: files are created readable by their owner only (folders usable by
//! the owner only), or by the owner's group too with `--group-readable`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::i18n::Lang;

/// Who may read the outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    /// The owner only (files 0600, folders 0700 on Unix).
    #[default]
    Owner,
    /// The owner and their group (files 0640, folders 0750 on Unix).
    Group,
}

impl Access {
    #[cfg(unix)]
    fn file_mode(self) -> u32 {
        match self {
            Access::Owner => 0o600,
            Access::Group => 0o640,
        }
    }

    #[cfg(unix)]
    fn dir_mode(self) -> u32 {
        match self {
            Access::Owner => 0o700,
            Access::Group => 0o750,
        }
    }
}

/// What a command writes at the top of its output folder: the entries it owns there, replaced
/// or removed by its next run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outputs {
    /// `scan`.
    Scan,
    /// `export-list` (its province folders are named by the data and remembered in the note of
    /// the run).
    ExportList,
    /// `apply-corrections`.
    Apply,
    /// `report`.
    Report,
    /// `repair`.
    Repair,
}

impl Outputs {
    fn name(self) -> &'static str {
        match self {
            Outputs::Scan => "scan",
            Outputs::ExportList => "export-list",
            Outputs::Apply => "apply-corrections",
            Outputs::Report => "report",
            Outputs::Repair => "repair",
        }
    }

    /// The entries the command always owns, whether or not its last run was noted.
    fn fixed(self) -> &'static [&'static str] {
        match self {
            Outputs::Scan => &["findings.csv", "summary.json"],
            Outputs::ExportList => &["index.csv"],
            Outputs::Apply => &[
                "audit.csv",
                "merged",
                "rejected",
                "import",
                "verification.xlsx",
                "summary.json",
            ],
            Outputs::Report => &["report.xlsx", "report.html"],
            Outputs::Repair => &["audit.csv", "merged", "summary.json"],
        }
    }
}

/// The lock file of an output folder (kept: removing a lock file races with the next run).
pub const LOCK_NAME: &str = ".vaxclean.lock";
/// How a staging folder starts.
const STAGE_PREFIX: &str = ".vaxclean-run-";
/// How the folder of replaced outputs starts (removed at the end of the switch).
const OLD_PREFIX: &str = ".vaxclean-old-";
/// The note, inside a staging folder, that its outputs are complete and being switched in.
const COMMIT_NAME: &str = ".vaxclean-commit";

/// The note of a switch: what is installed and what is removed.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Switch {
    command: String,
    install: Vec<String>,
    remove: Vec<String>,
}

/// What the last run of a command left in the folder.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Manifest {
    entries: Vec<String>,
}

fn manifest_name(command: &str) -> String {
    format!(".vaxclean-{command}.json")
}

/// A staged run: where it writes, and what switching it in means.
#[derive(Debug)]
struct Stage {
    dir: PathBuf,
    outputs: Outputs,
    /// Held for the whole run; released when the process ends, however it ends.
    _lock: File,
    committed: bool,
}

/// An output folder known to be writable.
#[derive(Debug)]
pub struct OutDir {
    path: PathBuf,
    lang: Lang,
    access: Access,
    stage: Option<Stage>,
}

impl OutDir {
    /// Creates `path` if needed and checks that a file can be written in it. Files are written
    /// straight into it (each atomically); for a command's output folder use [`OutDir::begin`].
    pub fn prepare(path: &Path, lang: Lang) -> Result<OutDir> {
        let what = || {
            lang.pick(
                format!("không ghi được vào thư mục đầu ra '{}'", path.display()),
                format!("cannot write to the output folder '{}'", path.display()),
            )
        };
        std::fs::create_dir_all(path).with_context(what)?;
        tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(path)
            .with_context(what)?;
        remove_stale_temps(path, 4);
        super::set_workbook_tempdir(path);
        Ok(OutDir {
            path: path.to_path_buf(),
            lang,
            access: Access::Group,
            stage: None,
        })
    }

    /// Opens `path` as the output folder of one run of a command: creates it if needed, takes its
    /// lock (failing at once, with a clear line, when another run holds it), finishes or removes
    /// what killed runs left, and prepares the staging folder the run writes into. Nothing the
    /// previous run wrote changes until [`OutDir::commit`].
    pub fn begin(path: &Path, outputs: Outputs, access: Access, lang: Lang) -> Result<OutDir> {
        let what = || {
            lang.pick(
                format!("không ghi được vào thư mục đầu ra '{}'", path.display()),
                format!("cannot write to the output folder '{}'", path.display()),
            )
        };
        make_dir(path, access).with_context(what)?;
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path.join(LOCK_NAME))
            .with_context(what)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(lang.pick(format!(
                    "thư mục đầu ra '{}' đang được một lần chạy vaxclean khác ghi; chờ lần đó xong rồi chạy lại, hoặc chọn thư mục --out khác",
                    path.display()
                ), format!(
                    "the output folder '{}' is being written by another vaxclean run; run again when it is done, or choose another --out folder",
                    path.display()
                ))),
            // A file system without locks (some network shares): go on unlocked rather than
            // refuse to work there; the staging and the switch still protect the outputs.
            Err(std::fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e).with_context(what),
        }
        recover(path)
            .map_err(|e| held_open(e, cfg!(windows), lang))
            .with_context(what)?;
        let suffix = format!("{}-{:08x}", std::process::id(), rand_u32());
        let dir = path.join(format!("{STAGE_PREFIX}{suffix}"));
        make_dir(&dir, access).with_context(what)?;
        // Workbooks keep their temporary files in the run's own folder: a full disk is that
        // folder's (named in the error), and a killed run's leftovers go with its staging folder.
        super::set_workbook_tempdir(&dir);
        Ok(OutDir {
            path: path.to_path_buf(),
            lang,
            access,
            stage: Some(Stage {
                dir,
                outputs,
                _lock: lock,
                committed: false,
            }),
        })
    }

    /// The folder (where the outputs are once the run is switched in).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where this run writes before it is switched in: the staging folder of a run begun with
    /// [`OutDir::begin`], else the folder itself. Temporary files of the run go here too.
    pub fn work_dir(&self) -> &Path {
        self.stage.as_ref().map_or(&self.path, |s| &s.dir)
    }

    /// Switches the staged outputs in: each replaces the previous run's; what the previous run of
    /// the same command wrote and this one did not is removed. Without a stage, does nothing.
    pub fn commit(&mut self) -> Result<()> {
        let Some(stage) = &mut self.stage else {
            return Ok(());
        };
        let what = || {
            self.lang.pick(
                format!(
                    "không ghi được vào thư mục đầu ra '{}'",
                    self.path.display()
                ),
                format!(
                    "cannot write to the output folder '{}'",
                    self.path.display()
                ),
            )
        };
        let command = stage.outputs.name();
        let mut install: Vec<String> = Vec::new();
        for e in std::fs::read_dir(&stage.dir).with_context(what)? {
            let name = e
                .with_context(what)?
                .file_name()
                .to_string_lossy()
                .into_owned();
            if !name.starts_with('.') {
                install.push(name);
            }
        }
        install.sort();
        let previous = read_manifest(&self.path, command);
        let mut remove: Vec<String> = stage
            .outputs
            .fixed()
            .iter()
            .map(|s| (*s).to_string())
            .chain(previous.entries)
            .filter(|n| !install.contains(n) && is_plain_name(n))
            .collect();
        remove.sort();
        remove.dedup();
        let switch = Switch {
            command: command.to_string(),
            install,
            remove,
        };
        let note = serde_json::to_vec(&switch).with_context(what)?;
        write_synced(&stage.dir.join(COMMIT_NAME), &note, self.access).with_context(what)?;
        stage.committed = true;
        if let Some(ms) = std::env::var("VAXCLEAN_TEST_DIE_IN_SWITCH")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            // Test hook: die halfway through the switch, as a kill or a power cut would.
            if let Some(first) = switch.install.first() {
                let _ = move_aside(&self.path, &stage.dir, first);
            }
            std::thread::sleep(std::time::Duration::from_millis(ms));
            std::process::abort();
        }
        finish_switch(&self.path, &stage.dir, &switch)
            .map_err(|e| held_open(e, cfg!(windows), self.lang))
            .with_context(what)
    }

    /// A write error, said plainly when it is a full disk (or a file size limit): which folder
    /// could not take the file.
    fn explain(&self, e: anyhow::Error) -> anyhow::Error {
        let text = format!("{e:#}");
        let full = e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>().is_some_and(|io| {
                matches!(
                    io.kind(),
                    std::io::ErrorKind::StorageFull | std::io::ErrorKind::FileTooLarge
                )
            })
        }) || ["os error 28", "os error 27", "No space left"]
            .iter()
            .any(|s| text.contains(s));
        if !full {
            return e;
        }
        let folder = self.path.display();
        anyhow::anyhow!(self.lang.pick(format!(
                "thư mục '{folder}' đã hết chỗ (đĩa đầy hoặc vượt giới hạn kích thước tệp); giải phóng chỗ trống rồi chạy lại"
            ), format!(
                "the folder '{folder}' is full (no space left on its disk, or a file size limit); free some space and run again"
            )))
    }

    /// Writes `name` in the folder through `write`, atomically.
    pub fn write<F>(&self, name: &str, write: F) -> Result<PathBuf>
    where
        F: FnOnce(&mut BufWriter<&File>) -> Result<()>,
    {
        self.write_at(Path::new(name), write)
    }

    /// Writes `rel` (a relative path of plain components, such as one built by
    /// [`crate::output::paths::component`]) under the folder, creating its parent folders,
    /// atomically: a temporary file beside it, renamed when complete. In a staged run the file
    /// goes to the staging folder; the path returned is where it will be once switched in.
    pub fn write_at<F>(&self, rel: &Path, write: F) -> Result<PathBuf>
    where
        F: FnOnce(&mut BufWriter<&File>) -> Result<()>,
    {
        let target = self.path.join(rel);
        let staged = self.work_dir().join(rel);
        let what = || {
            self.lang.pick(
                format!("không ghi được '{}'", target.display()),
                format!("cannot write '{}'", target.display()),
            )
        };
        let plain = rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        let (Some(parent), Some(name), true) = (staged.parent(), rel.file_name(), plain) else {
            anyhow::bail!("{}: not a plain relative path", what());
        };
        make_dir(parent, self.access).with_context(what)?;
        let prefix = format!("{TEMP_PREFIX}{}.", name.to_string_lossy());
        let tmp = temp_builder(&prefix, ".tmp", self.access)
            .tempfile_in(parent)
            .with_context(what)?;
        {
            let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
            // A writer that panics (rust_xlsxwriter, when its temporary files cannot be written)
            // fails this file with one line, like any other write error.
            let written = crate::input::guard::caught(|| write(&mut w))
                .unwrap_or_else(|cause| Err(anyhow::anyhow!("{cause}")))
                .and_then(|()| w.flush().map_err(anyhow::Error::from));
            written.map_err(|e| self.explain(e)).with_context(what)?;
        }
        // No fsync: renaming a complete file is what protects against a killed run; the cost of
        // flushing to disk (a fifth of a second on a large scan) buys safety only against power loss.
        tmp.persist(&staged)
            .map_err(|e| e.error)
            .with_context(what)?;
        Ok(target)
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        // A run that was not switched in leaves nothing: the previous outputs stay as they were.
        if let Some(stage) = &self.stage
            && !stage.committed
        {
            let _ = std::fs::remove_dir_all(&stage.dir);
        }
    }
}

/// Whether `name` is one plain entry name (a note is data read back from disk).
fn is_plain_name(name: &str) -> bool {
    let p = Path::new(name);
    !name.is_empty()
        && !name.starts_with('.')
        && p.components().count() == 1
        && matches!(p.components().next(), Some(std::path::Component::Normal(_)))
}

fn read_manifest(dir: &Path, command: &str) -> Manifest {
    std::fs::read(dir.join(manifest_name(command)))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Moves `dir/name` into the folder of replaced outputs beside `stage` (if it exists).
fn move_aside(dir: &Path, stage: &Path, name: &str) -> std::io::Result<()> {
    let target = dir.join(name);
    if std::fs::symlink_metadata(&target).is_err() {
        return Ok(());
    }
    let old = old_dir_of(dir, stage);
    std::fs::create_dir_all(&old)?;
    let aside = old.join(name);
    if std::fs::symlink_metadata(&aside).is_ok() {
        remove_any(&aside)?;
    }
    std::fs::rename(&target, &aside)
}

fn old_dir_of(dir: &Path, stage: &Path) -> PathBuf {
    let suffix = stage
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .trim_start_matches(STAGE_PREFIX)
                .to_string()
        })
        .unwrap_or_default();
    dir.join(format!("{OLD_PREFIX}{suffix}"))
}

fn remove_any(path: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
}

/// Completes a switch whose note is written. Every step can be done again: a switch cut short
/// is finished by doing it again from the start.
fn finish_switch(dir: &Path, stage: &Path, switch: &Switch) -> std::io::Result<()> {
    for name in switch.install.iter().filter(|n| is_plain_name(n)) {
        let src = stage.join(name);
        if std::fs::symlink_metadata(&src).is_err() {
            continue; // switched in before the cut
        }
        move_aside(dir, stage, name).map_err(stuck(dir, name))?;
        std::fs::rename(&src, dir.join(name)).map_err(stuck(dir, name))?;
    }
    for name in switch.remove.iter().filter(|n| is_plain_name(n)) {
        move_aside(dir, stage, name).map_err(stuck(dir, name))?;
    }
    let manifest = Manifest {
        entries: switch.install.clone(),
    };
    let bytes = serde_json::to_vec(&manifest).map_err(std::io::Error::other)?;
    let path = dir.join(manifest_name(&switch.command));
    let tmp = dir.join(format!("{TEMP_PREFIX}{}", manifest_name(&switch.command)));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, &path)?;
    // The switch is done: without its note, what is left of the stage is only removed. Removing
    // may fail where a file is still open (Windows); the next run removes it then.
    std::fs::remove_file(stage.join(COMMIT_NAME))?;
    let old = old_dir_of(dir, stage);
    if std::fs::symlink_metadata(&old).is_ok() {
        let _ = std::fs::remove_dir_all(&old);
    }
    let _ = std::fs::remove_dir_all(stage);
    Ok(())
}

/// An output that could not be moved out of the way or into place during a switch.
#[derive(Debug, thiserror::Error)]
#[error("'{}': {source}", path.display())]
struct Stuck {
    path: PathBuf,
    source: std::io::Error,
}

/// Names the output `dir/name` in an error of the switch.
fn stuck(dir: &Path, name: &str) -> impl FnOnce(std::io::Error) -> std::io::Error {
    let path = dir.join(name);
    move |source| std::io::Error::new(source.kind(), Stuck { path, source })
}

/// Whether `code`, a raw OS error of Windows, is what moving or replacing a file that another
/// program holds open gives: a sharing violation (32), a lock violation (33) or, for a folder
/// holding such a file, access denied (5).
fn is_held_open(code: i32) -> bool {
    matches!(code, 5 | 32 | 33)
}

/// A failed switch said plainly when (on Windows) another program holds an output open, as
/// Excel does with a workbook a person is looking at: which file, and what to do. Any other
/// error is returned as it was.
fn held_open(e: std::io::Error, windows: bool, lang: Lang) -> anyhow::Error {
    let found = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Stuck>())
        .and_then(|s| {
            let code = s.source.raw_os_error()?;
            (windows && is_held_open(code)).then(|| (s.path.display().to_string(), code))
        });
    match found {
        Some((path, 5)) => anyhow::anyhow!(lang.pick(
            format!("không thay được '{path}': tệp này (hoặc một tệp trong thư mục này) đang mở trong một chương trình khác như Excel, hoặc bạn không có quyền sửa nó; đóng tệp trong Excel rồi chạy lại"),
            format!("cannot replace '{path}': it (or a file in it) is open in another program such as Excel, or you may not change it; close the file in Excel and run again"),
        )),
        Some((path, _)) => anyhow::anyhow!(lang.pick(
            format!("không thay được '{path}': tệp đang mở trong một chương trình khác như Excel; đóng tệp trong Excel rồi chạy lại"),
            format!("cannot replace '{path}': the file is open in another program such as Excel; close the file in Excel and run again"),
        )),
        None => anyhow::Error::from(e),
    }
}

/// What killed runs left in `dir` (the lock is held, so no run is using any of it): a switch cut
/// short is finished, a staging folder without its note is removed, so are replaced outputs.
fn recover(dir: &Path) -> std::io::Result<()> {
    let mut stages = Vec::new();
    let mut olds = Vec::new();
    for e in std::fs::read_dir(dir)?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(STAGE_PREFIX) {
            stages.push(e.path());
        } else if name.starts_with(OLD_PREFIX) {
            olds.push(e.path());
        }
    }
    stages.sort();
    for stage in stages {
        let note = std::fs::read(stage.join(COMMIT_NAME))
            .ok()
            .and_then(|b| serde_json::from_slice::<Switch>(&b).ok());
        match note {
            Some(switch) => finish_switch(dir, &stage, &switch)?,
            None => remove_any(&stage)?,
        }
    }
    for old in olds {
        if std::fs::symlink_metadata(&old).is_ok() {
            remove_any(&old)?;
        }
    }
    remove_stale_temps(dir, 4);
    Ok(())
}

/// Creates `dir` and its parents with the mode `access` asks for.
fn make_dir(dir: &Path, access: Access) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(access.dir_mode());
    }
    #[cfg(not(unix))]
    let _ = access;
    b.create(dir)
}

/// Writes `bytes` to `path` and flushes them to the disk (the note of a switch must be whole
/// before the switch starts).
fn write_synced(path: &Path, bytes: &[u8], access: Access) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).truncate(true).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(access.file_mode());
    }
    #[cfg(not(unix))]
    let _ = access;
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// A random number for staging folder names (two runs never share one: the lock is exclusive,
/// and the process id is in the name too).
fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish() as u32
}

/// How every temporary file of ours starts, so that one a killed run left behind is known.
pub const TEMP_PREFIX: &str = ".vaxclean-tmp.";

/// A temporary file older than this is left over from a killed run (ours live seconds).
const STALE: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes, under `dir` (to `depth` levels), the temporary files of ours that a killed run left
/// behind. Only names starting with [`TEMP_PREFIX`] and older than ten minutes are touched: a run
/// writing in the same folder now is not disturbed.
fn remove_stale_temps(dir: &Path, depth: u8) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let Ok(kind) = e.file_type() else { continue };
        let path = e.path();
        if kind.is_dir() && depth > 0 {
            remove_stale_temps(&path, depth - 1);
        } else if kind.is_file() && e.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE);
            if old {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// A builder for a temporary file named `prefix…suffix`, readable as `access` says.
pub fn temp_builder<'a>(
    prefix: &'a str,
    suffix: &'a str,
    access: Access,
) -> tempfile::Builder<'a, 'a> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix).suffix(suffix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(access.file_mode()));
    }
    #[cfg(not(unix))]
    let _ = access;
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writer_that_panics_or_fills_the_disk_fails_its_file_with_one_clear_error() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let out = OutDir::prepare(&dir.path().join("o"), Lang::En)?;
        let e = out
            .write("a.xlsx", |_| {
                panic!("rust_xlsxwriter: No such file or directory")
            })
            .expect_err("a panic is an error");
        let text = format!("{e:#}");
        assert!(
            text.contains("cannot write") && text.contains("a.xlsx"),
            "{text}"
        );
        let e = out
            .write("b.xlsx", |_| {
                Err(std::io::Error::from(std::io::ErrorKind::StorageFull).into())
            })
            .expect_err("a full disk is an error");
        let text = format!("{e:#}");
        assert!(text.contains("is full"), "{text}");
        assert!(text.contains(&out.path().display().to_string()), "{text}");
        assert!(!out.path().join("a.xlsx").exists() && !out.path().join("b.xlsx").exists());
        Ok(())
    }

    #[test]
    fn an_output_held_open_on_windows_says_to_close_it_in_excel() {
        let dir = Path::new("ket-qua");
        for code in [32, 33, 5] {
            let e = stuck(dir, "report.xlsx")(std::io::Error::from_raw_os_error(code));
            let vi = format!("{:#}", held_open(e, true, Lang::Vi));
            let want = format!("không thay được '{}'", dir.join("report.xlsx").display());
            assert!(vi.starts_with(&want), "{vi}");
            assert!(vi.contains("đóng tệp trong Excel rồi chạy lại"), "{vi}");
            assert!(!vi.contains("os error"), "{vi}");
            let e = stuck(dir, "report.xlsx")(std::io::Error::from_raw_os_error(code));
            let en = format!("{:#}", held_open(e, true, Lang::En));
            assert!(en.contains("close the file in Excel and run again"), "{en}");
        }
        // Other errors, and the same numbers on other systems (5 is EIO, 32 EPIPE on Linux), are
        // left as they are, naming the output.
        let e = stuck(dir, "findings.csv")(std::io::Error::from_raw_os_error(32));
        let text = format!("{:#}", held_open(e, false, Lang::Vi));
        assert!(
            text.contains("findings.csv") && text.contains("os error 32"),
            "{text}"
        );
        let e = stuck(dir, "findings.csv")(std::io::Error::from_raw_os_error(2));
        let text = format!("{:#}", held_open(e, true, Lang::Vi));
        assert!(!text.contains("Excel"), "{text}");
        let plain = std::io::Error::from_raw_os_error(32);
        assert!(!format!("{:#}", held_open(plain, true, Lang::Vi)).contains("Excel"));
    }

    #[test]
    fn writes_whole_files_and_leaves_no_temporaries() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let out = OutDir::prepare(&dir.path().join("a/b"), Lang::En)?;
        out.write("x.txt", |w| Ok(w.write_all(b"hello")?))?;
        assert_eq!(std::fs::read_to_string(out.path().join("x.txt"))?, "hello");
        // A failed write leaves the old file.
        let failed = out.write("x.txt", |w| {
            w.write_all(b"half")?;
            anyhow::bail!("interrupted")
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(out.path().join("x.txt"))?, "hello");
        let names: Vec<_> = std::fs::read_dir(out.path())?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["x.txt"]);
        Ok(())
    }
}
