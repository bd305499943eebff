//! `vaxclean apply-corrections`: read the returned lists, decide every row with the scan's rules
//! ([`crate::apply`]), then write the merged sources, audit.csv, the lists sent back, the import
//! file, verification.xlsx and summary.json (DESIGN §7). The sources are only ever read. Exit 0
//! when the run went through, 2 when a source or a returned workbook could not be used (the
//! others are still applied).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, bail};
use rayon::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::apply::returned::{self, Refusal, Returned};
use crate::apply::source::{self, SourceIndex, SourceRow};
use crate::apply::{self, Context, Decision, Outcome};
use crate::cli::ApplyArgs;
use crate::exit;
use crate::findings::people::SHOWN;
use crate::i18n::Lang;
use crate::input::{InputFile, discover};
use crate::normalize::identifiers::{IdReading, read_id};
use crate::output::atomic::{OutDir, Outputs};
use crate::output::audit::{self, AuditRow};
use crate::output::export::Folder;
use crate::output::list_workbook::{self, ListMeta, ListRow};
use crate::output::merged::{self, Edit, SheetEdits};
use crate::output::verification::{self, VerificationRow};
use crate::record::{Cell, Field};
use crate::settings::{Ui, resolve_read};

/// Where each source's merged copy goes, under `merged/`: its file name (workbooks as .xlsx),
/// numbered when two sources share a name.
fn merged_names(files: &[InputFile]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    files
        .iter()
        .map(|f| {
            let stem = f
                .path
                .file_stem()
                .map_or_else(|| "nguon".to_string(), |s| s.to_string_lossy().into_owned());
            let name = if merged::is_csv(&f.path) {
                f.path.file_name().map_or_else(
                    || format!("{stem}.csv"),
                    |n| n.to_string_lossy().into_owned(),
                )
            } else {
                format!("{stem}.xlsx")
            };
            let name = crate::output::paths::component(&name);
            let n = seen.entry(name.to_lowercase()).or_insert(0);
            *n += 1;
            if *n == 1 { name } else { format!("{n}-{name}") }
        })
        .collect()
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// A source row's record key: its record id, else `name:row` / `name:sheet:row`.
fn key_of(row: &SourceRow, files: &[InputFile], index: &SourceIndex) -> String {
    let source = files
        .get(row.loc.source as usize)
        .map_or(String::new(), |f| crate::output::export::key_name(f, files));
    let sheet = index
        .sheets
        .get(row.loc.sheet as usize)
        .map_or("", |s| s.name.as_str());
    crate::output::export::key_from(row.get(Field::RecordId), &source, sheet, row.loc.row)
}

/// Runs `apply-corrections`.
pub fn run(args: &ApplyArgs, ui: Ui) -> Result<u8> {
    let started = Instant::now();
    let lang = ui.lang;
    let config = resolve_read(&args.read, lang)?;
    let today = config.today;
    let mut out = OutDir::begin(&args.out, Outputs::Apply, ui.access, lang)?;
    let (files, input_errors) = discover(&args.sources);
    let (files, twins) = crate::input::dedupe(files);
    super::report_twins(&twins, ui)?;
    let names = merged_names(&files);
    // The sources are never written: refuse an output folder that would overwrite one.
    for (f, name) in files.iter().zip(&names) {
        let target = out.path().join("merged").join(name);
        if files.iter().any(|s| same_file(&s.path, &target)) || same_file(&f.path, &target) {
            bail!(match lang {
                Lang::Vi => format!(
                    "'{}' là dữ liệu nguồn; chọn thư mục --out khác để không ghi đè lên nó",
                    target.display()
                ),
                Lang::En => format!(
                    "'{}' is a source; choose another --out folder so that it is not overwritten",
                    target.display()
                ),
            });
        }
    }

    // The returned workbooks, read in parallel.
    let (paths, missing) = returned::discover(&args.corrections);
    let read: Vec<(String, Result<Returned, Refusal>)> = paths
        .par_iter()
        .map(|(p, d)| (d.clone(), returned::read(p, d)))
        .collect();
    let mut refused: Vec<(String, Refusal)> = missing
        .into_iter()
        .map(|(d, e)| (d, Refusal::Unreadable(e)))
        .collect();
    let mut books: Vec<Returned> = Vec::new();
    for (d, r) in read {
        match r {
            Ok(b) => books.push(b),
            Err(e) => refused.push((d, e)),
        }
    }

    let ctx = Context {
        today,
        lang,
        returned: &books,
    };
    let wanted = apply::wanted(&ctx);
    let threads = if config.threads == 0 {
        std::thread::available_parallelism().map_or(2, usize::from)
    } else {
        config.threads
    };
    let index = source::index(&files, &config.read, &wanted, today, threads);
    let mut decisions = apply::decide(&ctx, &index);

    // A workbook none of whose rows can be found belongs to other data.
    let mut no_match = vec![false; books.len()];
    for (w, flag) in no_match.iter_mut().enumerate() {
        let mine: Vec<&Decision> = decisions.iter().filter(|d| d.workbook == w).collect();
        let tried = mine
            .iter()
            .filter(|d| !d.matched.is_empty() || is_stale(&d.outcome))
            .count();
        // Found as exported or as corrected; rows that are all stale mean other (or much older) data.
        let stale = mine.iter().filter(|d| is_stale(&d.outcome)).count();
        let found = tried - stale;
        *flag = tried > 0 && found == 0;
    }
    for (w, flag) in no_match.iter().enumerate() {
        if *flag {
            // Keys shared by two inputs or people are a cause worth naming.
            let cause = decisions.iter().find_map(|d| match &d.outcome {
                Outcome::Rejected(r) if d.workbook == w && r.code == "KEY_SHARED" => {
                    Some(r.message.clone())
                }
                _ => None,
            });
            refused.push((books[w].display.clone(), Refusal::NoMatch(cause)));
        }
    }
    decisions.retain(|d| !no_match[d.workbook]);

    let failed_sources: Vec<String> = input_errors
        .iter()
        .map(|e| e.render(lang))
        .chain(index.errors.iter().map(|(_, e)| e.render(lang)))
        .collect();
    let mut stderr = std::io::stderr().lock();
    for e in &failed_sources {
        writeln!(stderr, "vaxclean: {}", crate::util::printable(e))?;
    }
    for (d, why) in &refused {
        let line = format!("'{d}': {}", refusal_message(why, lang));
        writeln!(stderr, "vaxclean: {}", crate::util::printable(&line))?;
    }
    drop(stderr);

    // The audit: every change, every row sent back, every row that changed nothing.
    let audit_rows = audit_rows(&decisions, &books, &files, &index, lang);
    let audit_path = out.write("audit.csv", |w| audit::write(w, &audit_rows))?;

    let hashes: Vec<Option<String>> = files
        .par_iter()
        .map(|f| crate::pipeline::sha256_of(&f.path))
        .collect();
    let mut written: Vec<PathBuf> = vec![audit_path];
    let mut import_count = 0usize;
    let mut rejected_lists = 0usize;
    if !args.dry_run {
        // Merged sources.
        let edits = edits_by_source(&decisions, &index);
        let merged_paths: Vec<Result<PathBuf>> = files
            .par_iter()
            .enumerate()
            .filter(|(i, _)| !index.errors.iter().any(|(j, _)| j == i))
            .map(|(i, f)| {
                let rel = Path::new("merged").join(&names[i]);
                let none = HashMap::new();
                let mine = edits.get(&(i as u32)).unwrap_or(&none);
                out.write_at(&rel, |w| {
                    if merged::is_csv(&f.path) {
                        let sheet_edits = mine.values().next().cloned().unwrap_or_default();
                        merged::write_csv(&f.path, w, &sheet_edits)
                    } else {
                        merged::write_xlsx(&f.path, &mut *w, mine)
                    }
                })
            })
            .collect();
        for p in merged_paths {
            written.push(p?);
        }
        // Lists sent back.
        let sources_meta: Vec<(String, String, u64)> = files
            .iter()
            .zip(&hashes)
            .map(|(f, h)| (f.display.clone(), h.clone().unwrap_or_default(), f.size))
            .collect();
        let lists = rejected_lists_of(&decisions, &books, &index, &files);
        let export_id = {
            let mut h = Sha256::new();
            h.update(chrono::Local::now().to_rfc3339().as_bytes());
            h.update(b"apply");
            h.finalize()
                .iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        let mut used: HashMap<String, usize> = HashMap::new();
        for (w, rows) in lists {
            let id = &books[w].identity;
            let folder = Folder {
                province: Some(id.get("province").to_string()).filter(|s| !s.is_empty()),
                district: Some(id.get("district").to_string()).filter(|s| !s.is_empty()),
                commune: Some(id.get("commune").to_string()).filter(|s| !s.is_empty()),
                commune_code: Some(id.get("commune_code").to_string()).filter(|s| !s.is_empty()),
            };
            let mut rel = Path::new("rejected").join(folder.path());
            let key = rel.to_string_lossy().to_lowercase();
            let n = used.entry(key).or_insert(0);
            *n += 1;
            if *n > 1 {
                let stem = rel
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                rel.set_file_name(format!("{stem} ({n}).xlsx"));
            }
            let meta = ListMeta {
                export_id: export_id.clone(),
                created: chrono::Local::now().to_rfc3339(),
                as_of: today,
                province: id.get("province").to_string(),
                district: id.get("district").to_string(),
                commune: id.get("commune").to_string(),
                commune_code: id.get("commune_code").to_string(),
                sources: sources_meta.clone(),
                with_reason: true,
            };
            written.push(out.write_at(&rel, |w| {
                list_workbook::write(&mut *w, &meta, rows)?;
                Ok(())
            })?);
            rejected_lists += 1;
        }
        // The import file.
        let import = import_rows(
            &decisions,
            &books,
            &index,
            &files,
            chrono::Datelike::year(&today),
        );
        import_count = import.len();
        if !import.is_empty() {
            written.push(out.write_at(Path::new("import/nhap-lai.xlsx"), |w| {
                verification::write_import(&mut *w, &import)?;
                Ok(())
            })?);
        }
        let ver = verification_rows(&decisions, &books, &index);
        written.push(out.write("verification.xlsx", |w| {
            verification::write_verification(&mut *w, &ver)?;
            Ok(())
        })?);
    }

    let (outcomes, reasons) = apply::counts(&decisions);
    let mut fields: BTreeMap<&str, u64> = BTreeMap::new();
    let mut records: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
    for d in &decisions {
        for c in &d.changes {
            *fields.entry(c.field.name()).or_insert(0) += 1;
            records.insert(c.row);
        }
    }
    let summary = json!({
        "tool_version": env!("CARGO_PKG_VERSION"),
        "as_of": today.format("%Y-%m-%d").to_string(),
        "dry_run": args.dry_run,
        "sources": files.iter().zip(&hashes).enumerate().map(|(i, (f, h))| json!({
            "path": f.display,
            "size": f.size,
            "sha256": h,
            "readable": !index.errors.iter().any(|(j, _)| *j == i),
        })).collect::<Vec<_>>(),
        "workbooks": {
            "read": books.len() - no_match.iter().filter(|x| **x).count(),
            "refused": refused.iter().map(|(d, r)| json!({"path": d, "code": r.code()})).collect::<Vec<_>>(),
        },
        "rows": decisions.len(),
        "outcomes": outcomes,
        "rejected_by_reason": reasons,
        "fields_changed": fields,
        "records_changed": records.len(),
        "import_records": import_count,
        "rejected_lists": rejected_lists,
        "seconds": (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
    });
    let summary_path = out.write("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &summary)?;
        w.write_all(b"\n")?;
        Ok(())
    })?;
    written.push(summary_path);
    // A source or a returned list that could not be read makes the run incomplete: unless asked,
    // it changes nothing in the output folder.
    let unreadable = refused
        .iter()
        .any(|(_, r)| matches!(r, Refusal::Unreadable(_)));
    let failed = !failed_sources.is_empty() || unreadable;
    if !super::finish_outputs(&mut out, failed, args.allow_partial, ui)? {
        return Ok(exit::TROUBLE);
    }

    if !ui.quiet {
        let n = |k: &str| outcomes.get(k).copied().unwrap_or(0);
        let items: [(u64, &str, &str); 6] = [
            (n("applied"), "đã sửa", "corrected"),
            (
                n("already_applied") + n("duplicate"),
                "đã sửa từ trước",
                "already corrected",
            ),
            (n("confirmed"), "thông tin đúng", "confirmed"),
            (n("rejected"), "bị trả lại", "sent back"),
            (n("pending"), "chưa xác minh", "not yet checked"),
            (
                n("unidentified") + n("moved") + n("deceased"),
                "khác",
                "other",
            ),
        ];
        let items: Vec<String> = items
            .iter()
            .map(|(k, vi, en)| format!("{} {}", lang.count(*k), lang.pick(vi, en)))
            .collect();
        let dry = if args.dry_run {
            lang.pick(
                " (chạy thử: chưa ghi dữ liệu)",
                " (dry run: nothing written but the audit and summary)",
            )
        } else {
            ""
        };
        let mut stdout = std::io::stdout().lock();
        writeln!(
            stdout,
            "{} {} {} ({} {}), {} {}: {}.",
            lang.pick("Đã đọc", "Read"),
            lang.count(books.len() as u64),
            lang.pick("danh sách trả về", "returned lists"),
            lang.count(refused.len() as u64),
            lang.pick("bị từ chối", "refused"),
            lang.count(decisions.len() as u64),
            lang.pick("dòng", "rows"),
            items.join(", ")
        )?;
        writeln!(
            stdout,
            "{} {} {} {}{dry}.\n{}: {}",
            lang.count(fields.values().sum()),
            lang.pick("trường của", "fields of"),
            lang.count(records.len() as u64),
            lang.pick("bản ghi được cập nhật", "records updated"),
            lang.pick("Kết quả", "Output"),
            out.path().display()
        )?;
    }
    let trouble = !failed_sources.is_empty() || !refused.is_empty();
    Ok(if trouble { exit::TROUBLE } else { exit::OK })
}

/// A row whose records were not found (stale, or behind keys shared by two inputs or people).
fn is_stale(o: &Outcome) -> bool {
    matches!(o, Outcome::Rejected(r) if r.code.starts_with("STALE_") || r.code == "KEY_SHARED")
}

fn refusal_message(r: &Refusal, lang: Lang) -> String {
    match (r, lang) {
        (Refusal::Unreadable(e), Lang::Vi) => format!("không đọc được tệp: {e}"),
        (Refusal::Unreadable(e), Lang::En) => format!("cannot read the file: {e}"),
        (Refusal::NotOurs, Lang::Vi) => {
            "không phải danh sách do vaxclean lập (thiếu trang ẩn \"vaxclean\"); bỏ qua".into()
        }
        (Refusal::NotOurs, Lang::En) => {
            "not a list written by vaxclean (no hidden \"vaxclean\" sheet); skipped".into()
        }
        (Refusal::LayoutChanged, Lang::Vi) => {
            "các cột của trang \"Danh sách\" đã bị thay đổi; bỏ qua".into()
        }
        (Refusal::LayoutChanged, Lang::En) => {
            "the columns of sheet \"Danh sách\" were changed; skipped".into()
        }
        (Refusal::NoMatch(Some(cause)), Lang::Vi) => format!(
            "không dòng nào của danh sách khớp với dữ liệu nguồn hiện tại: {cause}; bỏ qua"
        ),
        (Refusal::NoMatch(Some(cause)), Lang::En) => format!(
            "none of the list's rows matches the current sources: {cause}; skipped"
        ),
        (Refusal::NoMatch(None), Lang::Vi) => {
            "không dòng nào của danh sách khớp với dữ liệu nguồn hiện tại (danh sách của dữ liệu khác, hoặc đã quá cũ); bỏ qua".into()
        }
        (Refusal::NoMatch(None), Lang::En) => {
            "none of the list's rows matches the current sources (a list of other data, or far too old); skipped".into()
        }
    }
}

/// Edits per source, per sheet name ("" for CSV), per row.
fn edits_by_source(
    decisions: &[Decision],
    index: &SourceIndex,
) -> HashMap<u32, HashMap<String, SheetEdits>> {
    let mut out: HashMap<u32, HashMap<String, SheetEdits>> = HashMap::new();
    for d in decisions {
        if d.outcome != Outcome::Applied {
            continue;
        }
        for c in &d.changes {
            let row = &index.rows[c.row];
            let Some(col) = index
                .columns
                .get(&row.loc.sheet)
                .and_then(|cols| cols[c.field.index()])
            else {
                continue;
            };
            let sheet = index
                .sheets
                .get(row.loc.sheet as usize)
                .map(|s| s.name.clone())
                .unwrap_or_default();
            let date = (c.field == Field::BirthDate && row.birth_is_date)
                .then(|| chrono::NaiveDate::parse_from_str(&c.new, "%d/%m/%Y").ok())
                .flatten();
            out.entry(row.loc.source)
                .or_default()
                .entry(sheet)
                .or_default()
                .entry(row.loc.row)
                .or_default()
                .push(Edit {
                    col,
                    text: c.new.clone(),
                    date,
                });
        }
    }
    out
}

fn typed_texts(b: &Returned, d: &Decision) -> Vec<(Field, String)> {
    let Some(r) = d.row.and_then(|i| b.rows.get(i)) else {
        return Vec::new();
    };
    SHOWN
        .iter()
        .zip(&r.fixes.cells)
        .filter(|(_, c)| !c.is_blank())
        .map(|(f, c)| (*f, c.display().trim().to_string()))
        .collect()
}

fn audit_rows(
    decisions: &[Decision],
    books: &[Returned],
    files: &[InputFile],
    index: &SourceIndex,
    lang: Lang,
) -> Vec<AuditRow> {
    let mut out = Vec::new();
    for d in decisions {
        let b = &books[d.workbook];
        let wrow = d.row.and_then(|i| b.rows.get(i)).map_or_else(
            || {
                b.deleted
                    .iter()
                    .find(|x| x.keys == d.keys)
                    .map_or(0, |x| x.sheet_row)
            },
            |r| r.sheet_row,
        );
        let base = |row: Option<&SourceRow>, key: String| AuditRow {
            record_key: key,
            source: row
                .and_then(|r| files.get(r.loc.source as usize))
                .map(|f| f.display.clone())
                .unwrap_or_default(),
            row: row.map_or(0, |r| r.loc.row),
            workbook: b.display.clone(),
            workbook_row: wrow,
            ..AuditRow::default()
        };
        // The records the row stands for: the matched rows, else its keys.
        let targets: Vec<(Option<&SourceRow>, String)> = if d.matched.is_empty() {
            d.keys.iter().map(|k| (None, k.clone())).collect()
        } else {
            d.matched
                .iter()
                .map(|&i| (Some(&index.rows[i]), key_of(&index.rows[i], files, index)))
                .collect()
        };
        match &d.outcome {
            Outcome::Applied => {
                let moved = if d.moved {
                    lang.pick(
                        "dòng đã bị chuyển chỗ trong danh sách",
                        "the row was moved in the list",
                    )
                } else {
                    ""
                };
                for c in &d.changes {
                    let row = &index.rows[c.row];
                    out.push(AuditRow {
                        field: c.field.name().to_string(),
                        old: c.old.clone(),
                        new: c.new.clone(),
                        status: "applied",
                        reason: moved.to_string(),
                        reason_code: if d.moved {
                            "ROW_MOVED".into()
                        } else {
                            String::new()
                        },
                        ..base(Some(row), key_of(row, files, index))
                    });
                }
            }
            Outcome::Rejected(why) => {
                let typed = typed_texts(b, d);
                for (row, key) in &targets {
                    let fields: Vec<(Option<Field>, String)> = if typed.is_empty() {
                        vec![(None, String::new())]
                    } else {
                        typed.iter().map(|(f, v)| (Some(*f), v.clone())).collect()
                    };
                    for (field, new) in fields {
                        out.push(AuditRow {
                            field: field.map_or(String::new(), |f| f.name().to_string()),
                            old: match (row, field) {
                                (Some(r), Some(f)) => r.get(f).to_string(),
                                _ => String::new(),
                            },
                            new,
                            status: "rejected",
                            reason: why.message.clone(),
                            reason_code: why.code.to_string(),
                            ..base(*row, key.clone())
                        });
                    }
                }
            }
            other => {
                let (code, text) = match other {
                    Outcome::AlreadyApplied => (
                        "ALREADY_APPLIED",
                        lang.pick("đã sửa từ trước", "already corrected"),
                    ),
                    Outcome::Duplicate => (
                        "DUPLICATE",
                        lang.pick(
                            "trùng với một danh sách khác đã áp dụng",
                            "the same as another list, applied there",
                        ),
                    ),
                    Outcome::Confirmed => (
                        "CONFIRMED",
                        lang.pick("xác nhận thông tin đúng", "confirmed as right"),
                    ),
                    Outcome::Unidentified => (
                        "UNIDENTIFIED",
                        lang.pick("không xác định được", "could not be identified"),
                    ),
                    Outcome::MovedAway => ("MOVED_AWAY", lang.pick("đã chuyển đi", "moved away")),
                    Outcome::Deceased => ("DECEASED", lang.pick("đã mất", "deceased")),
                    _ => ("PENDING", lang.pick("chưa xác minh", "not yet checked")),
                };
                for (row, key) in &targets {
                    out.push(AuditRow {
                        status: "unchanged",
                        reason: text.to_string(),
                        reason_code: code.to_string(),
                        ..base(*row, key.clone())
                    });
                }
            }
        }
    }
    out
}

/// The rows to send back, per workbook.
fn rejected_lists_of(
    decisions: &[Decision],
    books: &[Returned],
    index: &SourceIndex,
    files: &[InputFile],
) -> BTreeMap<usize, Vec<ListRow>> {
    let mut out: BTreeMap<usize, Vec<ListRow>> = BTreeMap::new();
    for d in decisions {
        let Outcome::Rejected(why) = &d.outcome else {
            continue;
        };
        let b = &books[d.workbook];
        let row = match d.row.and_then(|i| b.rows.get(i)) {
            Some(r) => {
                let typed = |c: &Cell<String>| c.display().trim().to_string();
                ListRow {
                    record_keys: d.keys.clone(),
                    values: std::array::from_fn(|i| r.locked[i + 2].clone()),
                    errors: r.locked[8].lines().map(String::from).collect(),
                    suggestions: r.locked[9].lines().map(String::from).collect(),
                    typed: [
                        typed(&r.fixes.cells[0]),
                        typed(&r.fixes.cells[1]),
                        typed(&r.fixes.cells[2]),
                        typed(&r.fixes.cells[3]),
                        typed(&r.fixes.cells[4]),
                        r.fixes.status.clone(),
                        r.fixes.note.clone(),
                    ],
                    reason: why.message.clone(),
                }
            }
            None => {
                // A deleted row: its values from the source, when it is still there.
                let src = d.matched.first().map(|&i| &index.rows[i]);
                let values: [String; 6] = match src {
                    Some(s) => {
                        let mut v: [String; 6] = std::array::from_fn(|i| {
                            SHOWN
                                .get(i)
                                .map_or(String::new(), |f| s.get(*f).to_string())
                        });
                        v[5] = [
                            Field::Address,
                            Field::Commune,
                            Field::District,
                            Field::Province,
                        ]
                        .iter()
                        .map(|f| s.get(*f))
                        .filter(|x| !x.is_empty())
                        .collect::<Vec<_>>()
                        .join(", ");
                        v
                    }
                    None => Default::default(),
                };
                let keys = if d.matched.is_empty() {
                    d.keys.clone()
                } else {
                    d.matched
                        .iter()
                        .map(|&i| key_of(&index.rows[i], files, index))
                        .collect()
                };
                ListRow {
                    record_keys: keys,
                    values,
                    reason: why.message.clone(),
                    ..ListRow::default()
                }
            }
        };
        out.entry(d.workbook).or_default().push(row);
    }
    out
}

/// Records that had no valid ID number and have one now.
fn import_rows(
    decisions: &[Decision],
    books: &[Returned],
    index: &SourceIndex,
    files: &[InputFile],
    year: i32,
) -> Vec<[String; 16]> {
    let mut out = Vec::new();
    for d in decisions {
        if d.outcome != Outcome::Applied {
            continue;
        }
        if d.fixes[3].is_none() {
            continue;
        }
        let Some(r) = d.row.and_then(|i| books[d.workbook].rows.get(i)) else {
            continue;
        };
        // A number Excel damaged (lost zeros) is no valid number on the platform either.
        let before = Cell::Text(r.shown()[3].to_string());
        if matches!(read_id(&before, year), IdReading::Valid { .. }) {
            continue;
        }
        for &i in &d.matched {
            let row = &index.rows[i];
            let mut cells: [String; 16] = row.cells.clone();
            cells[0] = key_of(row, files, index);
            for (k, f) in SHOWN.iter().enumerate() {
                if let Some(v) = &d.fixes[k] {
                    cells[f.index()] = v.clone();
                }
            }
            out.push(cells);
        }
    }
    out
}

fn verification_rows(
    decisions: &[Decision],
    books: &[Returned],
    index: &SourceIndex,
) -> Vec<VerificationRow> {
    decisions
        .iter()
        .map(|d| {
            let b = &books[d.workbook];
            let id = &b.identity;
            let r = d.row.and_then(|i| b.rows.get(i));
            let src = d.matched.first().map(|&i| &index.rows[i]);
            let shown = |k: usize| -> String {
                r.map(|r| r.shown()[k].to_string())
                    .or_else(|| src.map(|s| s.get(SHOWN[k]).to_string()))
                    .unwrap_or_default()
            };
            let (result, reason) = match &d.outcome {
                Outcome::Rejected(why) if why.code == "ROW_DELETED" => {
                    ("Dòng bị xoá", why.message.clone())
                }
                Outcome::Rejected(why) => ("Bị trả lại", why.message.clone()),
                o => (o.label(), String::new()),
            };
            VerificationRow {
                unit: [
                    id.get("province").to_string(),
                    id.get("district").to_string(),
                    id.get("commune").to_string(),
                ],
                workbook: b.display.clone(),
                workbook_row: r.map_or_else(
                    || {
                        b.deleted
                            .iter()
                            .find(|x| x.keys == d.keys)
                            .map_or(0, |x| x.sheet_row)
                    },
                    |r| r.sheet_row,
                ),
                keys: d.keys.join(", "),
                name: shown(0),
                birth: shown(1),
                id: shown(3),
                result,
                reason,
            }
        })
        .collect()
}
