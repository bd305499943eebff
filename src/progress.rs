//! The progress bar: on stderr only, and only when stderr is a terminal and `--quiet` is off.
//! Configured here and nowhere else.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::i18n::Lang;

/// A byte-counting progress bar that may be hidden.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar over `total_bytes`, shown only where a person is watching.
    pub fn new(total_bytes: u64, quiet: bool, lang: Lang) -> Self {
        let visible = !quiet && std::io::stderr().is_terminal();
        let bar = if visible {
            ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        let template = lang.pick(
            "{spinner} đang đọc [{bar:30}] {bytes}/{total_bytes} ({eta} còn lại)",
            "{spinner} reading [{bar:30}] {bytes}/{total_bytes} ({eta} left)",
        );
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar }
    }

    /// A bar that never shows.
    pub fn hidden() -> Self {
        Progress {
            bar: ProgressBar::hidden(),
        }
    }

    /// `bytes` more have been read.
    pub fn inc(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    /// Removes the bar from the screen.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
