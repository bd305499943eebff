//! Inputs named twice are read once: `a.csv a.csv`, a file and the folder holding it, two links
//! to one file, or two copies of one dump under different names. Each copy would make every row a
//! `DOSE_DUPLICATE` and every record key shared. Files are the same when their canonical paths
//! are, or when their bytes are (only files of equal size are hashed, so this costs nothing on
//! a normal night).

use std::collections::HashMap;
use std::path::PathBuf;

use crate::input::InputFile;

/// An input left out, and the one read in its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Twin {
    /// The input left out, as given.
    pub skipped: String,
    /// The input read, as given.
    pub kept: String,
    /// Whether it is the same file (else: another file with the same bytes).
    pub same_file: bool,
}

/// `files` with each file kept once, in the order given (the first one named is kept), and the
/// ones left out.
pub fn dedupe(files: Vec<InputFile>) -> (Vec<InputFile>, Vec<Twin>) {
    let mut kept: Vec<InputFile> = Vec::with_capacity(files.len());
    let mut twins = Vec::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    for f in files {
        let canonical = std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone());
        if let Some(&i) = by_path.get(&canonical) {
            twins.push(Twin {
                skipped: f.display,
                kept: kept[i].display.clone(),
                same_file: true,
            });
            continue;
        }
        by_path.insert(canonical, kept.len());
        kept.push(f);
    }
    // Same bytes under another name: only files of one size can be.
    let mut by_size: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, f) in kept.iter().enumerate() {
        by_size.entry(f.size).or_default().push(i);
    }
    let mut drop = vec![false; kept.len()];
    let mut groups: Vec<Vec<usize>> = by_size.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    for group in groups {
        let mut by_hash: HashMap<String, usize> = HashMap::new();
        for i in group {
            // A file that cannot be hashed is left to its reader, which says why.
            let Some(hash) = crate::pipeline::sha256_of(&kept[i].path) else {
                continue;
            };
            match by_hash.get(&hash) {
                Some(&first) => {
                    drop[i] = true;
                    twins.push(Twin {
                        skipped: kept[i].display.clone(),
                        kept: kept[first].display.clone(),
                        same_file: false,
                    });
                }
                None => {
                    by_hash.insert(hash, i);
                }
            }
        }
    }
    let kept = kept
        .into_iter()
        .zip(drop)
        .filter(|(_, d)| !d)
        .map(|(f, _)| f)
        .collect();
    (kept, twins)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Format;

    fn file(path: &std::path::Path, display: &str) -> InputFile {
        InputFile {
            path: path.to_path_buf(),
            display: display.to_string(),
            format: Format::Csv,
            size: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            from_folder: false,
        }
    }

    #[test]
    fn a_file_named_twice_or_copied_is_read_once() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.csv");
        let c = dir.path().join("c.csv");
        std::fs::write(&a, "x,y\n1,2\n")?;
        std::fs::write(&b, "x,y\n1,2\n")?; // a copy
        std::fs::write(&c, "x,y\n1,3\n")?; // same size, other bytes
        let twice = dir.path().join(".").join("a.csv");
        let (kept, twins) = dedupe(vec![
            file(&a, "a.csv"),
            file(&twice, "./a.csv"),
            file(&b, "b.csv"),
            file(&c, "c.csv"),
        ]);
        let names: Vec<&str> = kept.iter().map(|f| f.display.as_str()).collect();
        assert_eq!(names, ["a.csv", "c.csv"]);
        assert_eq!(
            twins,
            [
                Twin {
                    skipped: "./a.csv".into(),
                    kept: "a.csv".into(),
                    same_file: true
                },
                Twin {
                    skipped: "b.csv".into(),
                    kept: "a.csv".into(),
                    same_file: false
                }
            ]
        );
        Ok(())
    }
}
