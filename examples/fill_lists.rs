//! Fills every correction list under a folder the way a hamlet team that trusts the suggestions
//! would (see `vaxclean::sample::fill`), for the apply-corrections benchmark.
//!
//! Usage: `cargo run --release --example fill_lists -- LISTS_DIR RETURNED_DIR`

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use vaxclean::sample::fill::Sheets;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for e in std::fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let p = e?.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "xlsx") {
            out.push(p);
        }
    }
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(lists), Some(returned)) = (args.get(1), args.get(2)) else {
        bail!("usage: fill_lists LISTS_DIR RETURNED_DIR");
    };
    let (lists, returned) = (Path::new(lists), Path::new(returned));
    let mut files = Vec::new();
    walk(lists, &mut files)?;
    let fixed: usize = files
        .par_iter()
        .map(|f| -> Result<usize> {
            let mut s = Sheets::load(f)?;
            let n = s.accept_suggestions();
            s.save(&returned.join(f.strip_prefix(lists)?))?;
            Ok(n)
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .sum();
    println!("{} lists, {fixed} rows corrected", files.len());
    Ok(())
}
