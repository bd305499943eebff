//! A wall around the third-party readers. calamine is well kept, but a damaged workbook can still
//! make it panic (the fuzzer found an `.xls` whose sector table points past its end). A panic there
//! must cost the run one file, not the whole night: [`guarded`] turns it into an error for that
//! file, and the binary's panic hook ([`install_quiet_hook`]) keeps such a panic's message off
//! the terminal, since the file's one error line says it all.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    /// Set while this thread runs inside [`guarded`].
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `read`; a panic inside it becomes `Err` with the panic's message.
pub fn guarded<T>(read: impl FnOnce() -> T) -> Result<T, String> {
    caught(read).map_err(|text| format!("internal error of the reader ({text})"))
}

/// Runs `f` (a third-party writer too: rust_xlsxwriter can panic when its temporary files cannot
/// be written); a panic inside it becomes `Err` with the panic's message, kept off the terminal.
pub fn caught<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = GUARDED.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.set(outer);
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

/// Whether this thread is inside [`guarded`].
pub fn is_guarded() -> bool {
    GUARDED.get()
}

/// Keeps panics caught by [`guarded`] quiet; any other panic is reported as before.
pub fn install_quiet_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !is_guarded() {
            default(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_is_an_error_with_its_message() {
        let r: Result<(), String> = guarded(|| panic!("slice index starts at 9216"));
        let e = r.expect_err("caught");
        assert!(e.contains("slice index starts at 9216"), "{e}");
        assert!(!is_guarded(), "the flag is cleared after a panic");
        assert_eq!(guarded(|| 7), Ok(7));
    }

    #[test]
    fn nested_guards_restore_the_outer_state() {
        let inner = guarded(|| {
            let _ = guarded(|| ());
            is_guarded()
        });
        assert_eq!(inner, Ok(true));
        assert!(!is_guarded());
    }
}
