//! The output folder: created and checked before the long work starts, and every file written
//! to a temporary name beside its final one, then renamed.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::i18n::Lang;

/// An output folder known to be writable.
#[derive(Debug, Clone)]
pub struct OutDir {
    path: PathBuf,
    lang: Lang,
}

impl OutDir {
    /// Creates `path` if needed and checks that a file can be written in it.
    pub fn prepare(path: &Path, lang: Lang) -> Result<OutDir> {
        let what = || match lang {
            Lang::Vi => format!("không ghi được vào thư mục đầu ra '{}'", path.display()),
            Lang::En => format!("cannot write to the output folder '{}'", path.display()),
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
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
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
        anyhow::anyhow!(match self.lang {
            Lang::Vi => format!(
                "thư mục '{folder}' đã hết chỗ (đĩa đầy hoặc vượt giới hạn kích thước tệp); giải phóng chỗ trống rồi chạy lại"
            ),
            Lang::En => format!(
                "the folder '{folder}' is full (no space left on its disk, or a file size limit); free some space and run again"
            ),
        })
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
    /// atomically: a temporary file beside it, renamed when complete.
    pub fn write_at<F>(&self, rel: &Path, write: F) -> Result<PathBuf>
    where
        F: FnOnce(&mut BufWriter<&File>) -> Result<()>,
    {
        let target = self.path.join(rel);
        let what = || match self.lang {
            Lang::Vi => format!("không ghi được '{}'", target.display()),
            Lang::En => format!("cannot write '{}'", target.display()),
        };
        let plain = rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        let (Some(parent), Some(name), true) = (target.parent(), rel.file_name(), plain) else {
            anyhow::bail!("{}: not a plain relative path", what());
        };
        std::fs::create_dir_all(parent).with_context(what)?;
        let prefix = format!("{TEMP_PREFIX}{}.", name.to_string_lossy());
        let tmp = temp_builder(&prefix, ".tmp")
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
        tmp.persist(&target)
            .map_err(|e| e.error)
            .with_context(what)?;
        Ok(target)
    }
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

/// A builder for a temporary file named `prefix…suffix`, readable by others like any new file
/// (tempfile makes them private by default).
pub fn temp_builder<'a>(prefix: &'a str, suffix: &'a str) -> tempfile::Builder<'a, 'a> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix).suffix(suffix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o644));
    }
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
