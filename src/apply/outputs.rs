//! What `apply-corrections` writes, built from one [`Applied`] value (the decisions, the returned
//! workbooks, the source index and the inputs, put together once): the audit rows, the lists sent
//! back, the merged sources' edits, the rejected lists' paths and [`ApplySummary`] (summary.json
//! and the terminal lines); the import rows in [`super::import`], what verification.xlsx shows in
//! [`super::verify`]. The writers themselves live in [`crate::output`]; the command only
//! orchestrates.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::returned::{Layout, Refusal, Returned, ReturnedRow};
use super::source::{SourceIndex, SourceRow};
use super::{Decision, Outcome, Why};
use crate::i18n::Lang;
use crate::input::{InputFile, SourceStamp};
use crate::output::audit::AuditRow;
use crate::output::list_workbook::{ListMeta, ListRow, Typed};
use crate::output::merged::{self, Edit};
use crate::record::Field;
use crate::record::shown::{ListValues, Shown};

/// A run's decisions with everything needed to write them out.
pub struct Applied {
    /// The inputs, deduplicated.
    pub files: Vec<InputFile>,
    /// The returned workbooks that could be read (lists of other data included).
    pub books: Vec<Returned>,
    /// The source rows the returned rows were searched in.
    pub index: SourceIndex,
    /// One decision per returned or deleted row, lists of other data left out.
    pub decisions: Vec<Decision>,
    /// Per workbook, whether it was set aside as a list of other data ([`Refusal::NoMatch`]).
    pub foreign: Vec<bool>,
}

impl Applied {
    /// Puts a run together: workbooks none of whose rows can be found ([`super::foreign`]) are set
    /// aside, their decisions dropped. Returns the refusals of those workbooks too.
    pub fn new(
        files: Vec<InputFile>,
        books: Vec<Returned>,
        index: SourceIndex,
        mut decisions: Vec<Decision>,
    ) -> (Self, Vec<(String, Refusal)>) {
        let causes = super::foreign(&decisions, books.len());
        let mut foreign = vec![false; books.len()];
        let mut refused = Vec::new();
        for (w, cause) in causes {
            foreign[w] = true;
            refused.push((books[w].display.clone(), Refusal::NoMatch(cause)));
        }
        decisions.retain(|d| !foreign[d.workbook]);
        let applied = Applied {
            files,
            books,
            index,
            decisions,
            foreign,
        };
        (applied, refused)
    }

    /// The workbooks whose rows were decided (read, and not a list of other data).
    pub fn workbooks_used(&self) -> usize {
        self.books.len() - self.foreign.iter().filter(|x| **x).count()
    }

    /// A source row's record key: its record id, else `name:row` / `name:sheet:row`.
    pub fn key_of(&self, row: &SourceRow) -> String {
        let source = self
            .files
            .get(row.loc.source as usize)
            .map_or(String::new(), |f| {
                crate::output::export::key_name(f, &self.files)
            });
        let sheet = self
            .index
            .sheets
            .get(row.loc.sheet as usize)
            .map_or("", |s| s.name.as_str());
        crate::output::export::key_from(row.get(Field::RecordId), &source, sheet, row.loc.row)
    }

    /// The returned row a decision is about (`None` for a deleted row).
    pub(super) fn returned_row(&self, d: &Decision) -> Option<&ReturnedRow> {
        d.row.and_then(|i| self.books[d.workbook].rows.get(i))
    }

    /// The sheet row of a decision's row in its workbook (a deleted row's as exported).
    pub(super) fn workbook_row_of(&self, d: &Decision) -> u32 {
        let b = &self.books[d.workbook];
        self.returned_row(d).map_or_else(
            || {
                b.deleted
                    .iter()
                    .find(|x| x.keys == d.keys)
                    .map_or(0, |x| x.sheet_row)
            },
            |r| r.sheet_row,
        )
    }

    /// What was typed in the correction cells of a decision's row, by field.
    fn typed_texts(&self, d: &Decision) -> Vec<(Field, String)> {
        let Some(r) = self.returned_row(d) else {
            return Vec::new();
        };
        r.fixes
            .cells
            .iter()
            .filter(|(_, c)| !c.is_blank())
            .map(|(f, c)| (f, c.display().trim().to_string()))
            .collect()
    }

    /// The audit: every change, every row sent back, every row that changed nothing — each
    /// with the team's note, and a row with no record key (one added to the list) included.
    pub fn audit_rows(&self, lang: Lang) -> Vec<AuditRow> {
        let mut out = Vec::new();
        for d in &self.decisions {
            let b = &self.books[d.workbook];
            let wrow = self.workbook_row_of(d);
            let note = self
                .returned_row(d)
                .map_or(String::new(), |r| r.fixes.note.trim().to_string());
            let base = |row: Option<&SourceRow>, key: String| AuditRow {
                record_key: key,
                source: row
                    .and_then(|r| self.files.get(r.loc.source as usize))
                    .map(|f| f.display.clone())
                    .unwrap_or_default(),
                row: row.map_or(0, |r| r.loc.row),
                workbook: b.display.clone(),
                workbook_row: wrow,
                note: note.clone(),
                ..AuditRow::default()
            };
            // The records the row stands for: the matched rows, else its keys, else (a row
            // typed into the list by hand) none, still written once.
            let targets: Vec<(Option<&SourceRow>, String)> = if d.matched.is_empty() {
                let by_key: Vec<_> = d.keys.iter().map(|k| (None, k.clone())).collect();
                if by_key.is_empty() {
                    vec![(None, String::new())]
                } else {
                    by_key
                }
            } else {
                d.matched
                    .iter()
                    .map(|&i| (Some(&self.index.rows[i]), self.key_of(&self.index.rows[i])))
                    .collect()
            };
            match &d.outcome {
                Outcome::Applied => {
                    // Applied all the same; a moved row says so.
                    let (code, note) = if d.moved {
                        (Why::RowMoved.code(), Why::RowMoved.text(lang))
                    } else if d.from_registry {
                        (Why::FromRegistry.code(), Why::FromRegistry.text(lang))
                    } else if d.from_suggestions {
                        (Why::FromSuggestions.code(), Why::FromSuggestions.text(lang))
                    } else {
                        ("", String::new())
                    };
                    for c in &d.changes {
                        let row = &self.index.rows[c.row];
                        let (status, note, code) = if c.certain {
                            let why = Why::CertainFix;
                            (crate::repair::REPAIRED, why.text(lang), why.code())
                        } else {
                            ("applied", note.clone(), code)
                        };
                        out.push(AuditRow {
                            field: c.field.name().to_string(),
                            old: c.old.clone(),
                            new: c.new.clone(),
                            status,
                            reason: note,
                            reason_code: code.to_string(),
                            ..base(Some(row), self.key_of(row))
                        });
                    }
                }
                Outcome::Rejected(sent_back) => {
                    let typed = self.typed_texts(d);
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
                                reason: sent_back.message.clone(),
                                reason_code: sent_back.why.code().to_string(),
                                ..base(*row, key.clone())
                            });
                        }
                    }
                }
                other => {
                    let why = other.unchanged();
                    for (row, key) in &targets {
                        out.push(AuditRow {
                            status: "unchanged",
                            reason: why.text(lang),
                            reason_code: why.code().to_string(),
                            ..base(*row, key.clone())
                        });
                    }
                }
            }
        }
        out
    }

    /// The origin of each row sent back, per workbook, in the order of
    /// [`Applied::rejected_lists`]: what the ledger records for the lists sent back.
    pub fn rejected_origins(&self) -> BTreeMap<usize, Vec<String>> {
        let mut out: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for d in &self.decisions {
            if matches!(d.outcome, Outcome::Rejected(_)) {
                out.entry(d.workbook).or_default().push(d.origin.clone());
            }
        }
        out
    }

    /// The rows to send back, per workbook.
    pub fn rejected_lists(&self) -> BTreeMap<usize, Vec<ListRow>> {
        let mut out: BTreeMap<usize, Vec<ListRow>> = BTreeMap::new();
        for d in &self.decisions {
            let Outcome::Rejected(why) = &d.outcome else {
                continue;
            };
            let row = match self.returned_row(d) {
                Some(r) => ListRow {
                    record_keys: d.keys.clone(),
                    values: ListValues {
                        shown: r.shown().map(|s| s.to_string()),
                        address: r.address().to_string(),
                    },
                    errors: r.errors().lines().map(String::from).collect(),
                    suggestions: r.suggestions().lines().map(String::from).collect(),
                    typed: Typed {
                        fixes: r.fixes.cells.map(|c| c.display().trim().to_string()),
                        status: r.fixes.status.clone(),
                        note: r.fixes.note.clone(),
                    },
                    reason: why.message.clone(),
                    address_fix: r.fixes.address.clone(),
                },
                None => {
                    // A deleted row: its values from the source, when it is still there.
                    let src = d.matched.first().map(|&i| &self.index.rows[i]);
                    let values = match src {
                        // As the exported list showed it.
                        Some(s) => ListValues {
                            shown: Shown::from_fn(|f| s.get(f).to_string()),
                            address: crate::record::address_line(|f| s.get(f)),
                        },
                        None => ListValues::default(),
                    };
                    let keys = if d.matched.is_empty() {
                        d.keys.clone()
                    } else {
                        d.matched
                            .iter()
                            .map(|&i| self.key_of(&self.index.rows[i]))
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

    /// Edits per source, per sheet name ("" for CSV), per row.
    pub fn edits_by_source(&self) -> merged::Edits {
        let index = &self.index;
        let mut out = merged::Edits::new();
        for d in &self.decisions {
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
                let edit = Edit {
                    col,
                    text: c.new.clone(),
                    date,
                };
                merged::add(&mut out, row.loc, sheet, edit);
            }
        }
        out
    }

    /// Where each rejected list goes under `rejected/`, by workbook: the folder of its commune,
    /// numbered from the second list of one commune on.
    pub fn rejected_paths<'a>(&self, workbooks: impl Iterator<Item = &'a usize>) -> Vec<PathBuf> {
        let mut used: HashMap<String, usize> = HashMap::new();
        workbooks
            .map(|&w| {
                let folder = self.books[w].identity.folder();
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
                rel
            })
            .collect()
    }
}

impl Applied {
    /// The hidden sheet of the list sent back for workbook `w`: the unit of the list returned,
    /// this run's export id and sources (path, SHA-256, size).
    pub fn rejected_meta(
        &self,
        w: usize,
        export_id: &str,
        list: &Path,
        as_of: chrono::NaiveDate,
        sources: &[SourceStamp],
    ) -> ListMeta {
        let id = &self.books[w].identity;
        ListMeta {
            export_id: export_id.to_string(),
            created: chrono::Local::now().to_rfc3339(),
            as_of,
            province: id.get("province").to_string(),
            district: id.get("district").to_string(),
            commune: id.get("commune").to_string(),
            commune_code: id.get("commune_code").to_string(),
            list: crate::output::paths::slashed(list),
            division: id.division(),
            undetermined: id.get("undetermined") == "1",
            former: id.get("former").to_string(),
            sources: sources.to_vec(),
            with_reason: true,
        }
    }
}

/// The export id of the lists a run sends back: 16 hex digits of the time, so that each run's
/// lists are told apart.
pub fn export_id() -> String {
    let mut h = Sha256::new();
    h.update(chrono::Local::now().to_rfc3339().as_bytes());
    h.update(b"apply");
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where each source's merged copy goes, under `merged/`: its file name (workbooks as .xlsx),
/// numbered when two sources share a name.
pub fn merged_names(files: &[InputFile]) -> Vec<String> {
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

/// The merged copy that would overwrite a source, if one would.
pub fn overwritten_source(files: &[InputFile], names: &[String], out: &Path) -> Option<PathBuf> {
    let same_file = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b))
    {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    };
    files.iter().zip(names).find_map(|(f, name)| {
        let target = out.join("merged").join(name);
        let hit = files.iter().any(|s| same_file(&s.path, &target)) || same_file(&f.path, &target);
        hit.then_some(target)
    })
}

/// Why a returned workbook was refused, in plain words.
pub fn refusal_message(r: &Refusal, lang: Lang) -> String {
    match r {
        Refusal::Unreadable(e) => lang.pick(
            format!("không đọc được tệp: {e}; mở tệp bằng Excel hoặc LibreOffice, lưu lại dạng .xlsx rồi gửi lại"),
            format!("cannot read the file: {e}; open it in Excel or LibreOffice, save it as .xlsx and send it again"),
        ),
        Refusal::NotOurs => lang
            .pick(
                "không phải danh sách do vaxclean lập (thiếu trang ẩn \"vaxclean\"): có thể đã chép sang tệp mới; gửi lại chính tệp đã nhận (ghi thẳng vào tệp đó); bỏ qua",
                "not a list written by vaxclean (no hidden \"vaxclean\" sheet): perhaps copied into a new file; send back the very file received (filled in place); skipped",
            )
            .into(),
        Refusal::NotInLedger => lang
            .pick(
                "lịch sử (--history) không ghi lần xuất nào đã lập danh sách này (mã lần xuất, tên danh sách): không phải danh sách do nơi này xuất ra, hoặc đã bị sửa trang ẩn; dùng đúng tệp --history của lần xuất, hoặc xin lại danh sách gốc; bỏ qua",
                "the history (--history) records no export that wrote this list (export id, list name): not a list exported here, or its hidden sheet was rewritten; use the --history file of the export, or ask for the original list; skipped",
            )
            .into(),
        Refusal::LayoutChanged(Layout::SheetMissing(found)) => {
            let names = found
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ");
            lang.pick(
                format!("không có trang \"Danh sách\" (tệp có các trang: {names}); đổi tên trang chứa danh sách lại thành \"Danh sách\" rồi gửi lại; bỏ qua"),
                format!("no sheet \"Danh sách\" (the file's sheets: {names}); rename the sheet holding the list back to \"Danh sách\" and send it again; skipped"),
            )
        }
        Refusal::LayoutChanged(Layout::NoHeader) => lang
            .pick(
                "trang \"Danh sách\" không còn dòng tiêu đề cột (STT, Mã bản ghi, …); khôi phục dòng tiêu đề (hoặc chép phần đã ghi sang danh sách gốc) rồi gửi lại; bỏ qua",
                "sheet \"Danh sách\" has lost its header row (STT, Mã bản ghi, …); restore it (or copy what was written into the original list) and send it again; skipped",
            )
            .into(),
        Refusal::LayoutChanged(Layout::Column {
            col,
            expected,
            found,
        }) => {
            let letter = super::returned::column_letters(*col);
            let found = if found.is_empty() {
                lang.pick("để trống", "empty").to_string()
            } else {
                format!("\"{found}\"")
            };
            lang.pick(
                format!("cột {letter} của trang \"Danh sách\" phải là \"{expected}\" nhưng là {found} (cột bị chèn, xoá, đổi tên hoặc đổi chỗ); đưa các cột về như lúc nhận — cột thêm chỉ được đặt sau cột cuối — rồi gửi lại; bỏ qua"),
                format!("column {letter} of sheet \"Danh sách\" must be \"{expected}\" but is {found} (a column inserted, deleted, renamed or moved); put the columns back as received — an added column may only go after the last one — and send it again; skipped"),
            )
        }
        Refusal::NoMatch(Some(cause)) => lang.pick(
            format!(
                "không dòng nào của danh sách khớp với dữ liệu nguồn hiện tại: {cause}; chạy lại với các tệp nguồn đã dùng khi xuất danh sách; bỏ qua"
            ),
            format!("none of the list's rows matches the current sources: {cause}; run again with the sources the list was exported from; skipped"),
        ),
        Refusal::NoMatch(None) => lang
            .pick(
                "không dòng nào của danh sách khớp với dữ liệu nguồn hiện tại (danh sách của dữ liệu khác, hoặc đã quá cũ); kiểm tra --source là dữ liệu đã dùng khi xuất danh sách, hoặc xuất danh sách mới; bỏ qua",
                "none of the list's rows matches the current sources (a list of other data, or far too old); check that --source is the data the list was exported from, or export a new list; skipped",
            )
            .into(),
    }
}

/// `summary.json` of `apply-corrections` (docs/apply-corrections.md). The fields are in the
/// alphabetical order the file has always had.
#[derive(Debug, Clone, Serialize)]
pub struct ApplySummary {
    /// The run's date, `yyyy-mm-dd`.
    pub as_of: String,
    /// Whether the lists were checked against the export ledger (`--history`); without it a list
    /// is only checked against itself.
    pub authenticated: bool,
    /// Whether `--dry-run` was given.
    pub dry_run: bool,
    /// Fields changed, by field name.
    pub fields_changed: BTreeMap<&'static str, u64>,
    /// Rows in the import file.
    pub import_records: usize,
    /// What the ledger found, with `--history`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerFacts>,
    /// Returned rows by [`Outcome::code`].
    pub outcomes: BTreeMap<&'static str, u64>,
    /// Source records with at least one field changed.
    pub records_changed: usize,
    /// Rows sent back, by reason code.
    pub rejected_by_reason: BTreeMap<&'static str, u64>,
    /// Lists sent back.
    pub rejected_lists: usize,
    /// Returned rows decided (deleted rows included).
    pub rows: usize,
    /// How long the run took.
    pub seconds: f64,
    /// The inputs.
    pub sources: Vec<SummarySource>,
    /// The version of vaxclean.
    pub tool_version: &'static str,
    /// The returned workbooks.
    pub workbooks: SummaryWorkbooks,
}

/// One input of [`ApplySummary`].
#[derive(Debug, Clone, Serialize)]
pub struct SummarySource {
    /// The path as given.
    pub path: String,
    /// Whether it could be read.
    pub readable: bool,
    /// Its SHA-256, when it could be hashed.
    pub sha256: Option<String>,
    /// Its size in bytes.
    pub size: u64,
}

/// The returned workbooks of [`ApplySummary`].
#[derive(Debug, Clone, Serialize)]
pub struct SummaryWorkbooks {
    /// Workbooks whose rows were decided; the refused ones are not counted.
    pub read: usize,
    /// Workbooks refused, with why.
    pub refused: Vec<SummaryRefusal>,
}

/// One refused workbook of [`ApplySummary`].
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRefusal {
    /// [`Refusal::code`].
    pub code: &'static str,
    /// The workbook as found.
    pub path: String,
}

/// What [`Applied::summary`] needs beyond the decisions.
pub struct RunFacts<'a> {
    /// The run's date.
    pub as_of: chrono::NaiveDate,
    /// Whether `--dry-run` was given.
    pub dry_run: bool,
    /// Each input's SHA-256, by input.
    pub hashes: &'a [Option<String>],
    /// The refused workbooks.
    pub refused: &'a [(String, Refusal)],
    /// Rows in the import file.
    pub import_records: usize,
    /// Lists sent back.
    pub rejected_lists: usize,
    /// Seconds the run took.
    pub seconds: f64,
    /// How the lists were checked: against the export ledger, and what it found.
    pub ledger: Option<LedgerFacts>,
}

/// What the export ledger (`--history`) found, for [`ApplySummary`].
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct LedgerFacts {
    /// Lists whose hidden sheet differs from the ledger's record.
    pub lists_altered: usize,
    /// Conflict sides opened (or opened again) by this run.
    pub conflicts_opened: usize,
    /// Conflict sides this run settled.
    pub conflicts_resolved: usize,
    /// Conflict sides still open after this run.
    pub conflicts_open: usize,
}

impl Applied {
    /// The counts of the run, for summary.json and the terminal.
    pub fn summary(&self, facts: &RunFacts<'_>) -> ApplySummary {
        let (outcomes, reasons) = super::counts(&self.decisions);
        let mut fields: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut records: BTreeSet<usize> = BTreeSet::new();
        for d in &self.decisions {
            for c in &d.changes {
                *fields.entry(c.field.name()).or_insert(0) += 1;
                records.insert(c.row);
            }
        }
        ApplySummary {
            as_of: facts.as_of.format("%Y-%m-%d").to_string(),
            dry_run: facts.dry_run,
            fields_changed: fields,
            import_records: facts.import_records,
            outcomes,
            records_changed: records.len(),
            rejected_by_reason: reasons,
            rejected_lists: facts.rejected_lists,
            rows: self.decisions.len(),
            seconds: (facts.seconds * 1000.0).round() / 1000.0,
            sources: self
                .files
                .iter()
                .enumerate()
                .map(|(i, f)| SummarySource {
                    path: f.display.clone(),
                    readable: !self.index.errors.iter().any(|(j, _)| *j == i),
                    sha256: facts.hashes.get(i).cloned().flatten(),
                    size: f.size,
                })
                .collect(),
            tool_version: env!("CARGO_PKG_VERSION"),
            workbooks: SummaryWorkbooks {
                read: self.workbooks_used(),
                refused: facts
                    .refused
                    .iter()
                    .map(|(d, r)| SummaryRefusal {
                        code: r.code(),
                        path: d.clone(),
                    })
                    .collect(),
            },
            authenticated: facts.ledger.is_some(),
            ledger: facts.ledger.clone(),
        }
    }
}

impl ApplySummary {
    /// The two lines the terminal shows (without the output folder line).
    pub fn terminal(&self, lang: Lang) -> (String, String) {
        let n = |o: &Outcome| self.outcomes.get(o.code()).copied().unwrap_or(0);
        let items: [(u64, &str, &str); 6] = [
            (n(&Outcome::Applied), "đã sửa", "corrected"),
            (
                n(&Outcome::AlreadyApplied) + n(&Outcome::Duplicate),
                "đã sửa từ trước",
                "already corrected",
            ),
            (n(&Outcome::Confirmed), "thông tin đúng", "confirmed"),
            (
                self.outcomes.get("rejected").copied().unwrap_or(0),
                "bị trả lại",
                "sent back",
            ),
            (n(&Outcome::Pending), "chưa xác minh", "not yet checked"),
            (
                n(&Outcome::Unidentified) + n(&Outcome::MovedAway) + n(&Outcome::Deceased),
                "khác",
                "other",
            ),
        ];
        let items: Vec<String> = items
            .iter()
            .map(|(k, vi, en)| format!("{} {}", lang.count(*k), lang.pick(vi, en)))
            .collect();
        let dry = if self.dry_run {
            lang.pick(
                " (chạy thử: chưa ghi dữ liệu)",
                " (dry run: nothing written but the audit and summary)",
            )
        } else {
            ""
        };
        let first = format!(
            "{} {} {} ({} {}), {} {}: {}.",
            lang.pick("Đã đọc", "Read"),
            lang.count(self.workbooks.read as u64),
            lang.pick("danh sách trả về", "returned lists"),
            lang.count(self.workbooks.refused.len() as u64),
            lang.pick("bị từ chối", "refused"),
            lang.count(self.rows as u64),
            lang.pick("dòng", "rows"),
            items.join(", ")
        );
        let second = format!(
            "{} {} {} {}{dry}.",
            lang.count(self.fields_changed.values().sum()),
            lang.pick("trường của", "fields of"),
            lang.count(self.records_changed as u64),
            lang.pick("bản ghi được cập nhật", "records updated"),
        );
        (first, second)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::returned::DeletedRow;
    use crate::apply::tests::{FIX_NAME, SHOWN_A, book, decided, returned_row, src_row, today};

    const SHOWN_B: [&str; 5] = ["Trần Thị Bình", "01/01/1990", "Nữ", "", "0987654321"];
    const SHOWN_C: [&str; 5] = ["Phạm Văn Cường", "02/02/1992", "Nam", "", "0911111111"];
    const SHOWN_D: [&str; 5] = ["Đỗ Thị Dung", "03/03/1993", "Nữ", "", "0922222222"];
    const NONE: [&str; 5] = ["", "", "", "", ""];
    const BAD_PHONE: [&str; 5] = ["", "", "", "", "12345"];

    /// One list: applied (R1), confirmed (R2), a bad phone (R3), a deleted row (R4).
    fn one_of_each() -> Applied {
        let mut d = src_row("R4", SHOWN_D, 4, 5);
        d.cells[Field::Address.index()] = "Thôn 1".into();
        d.cells[Field::Commune.index()] = "Xã An Bình".into();
        let rows = vec![
            src_row("R1", SHOWN_A, 1, 2),
            src_row("R2", SHOWN_B, 2, 3),
            src_row("R3", SHOWN_C, 3, 4),
            d,
        ];
        let mut list = book(vec![
            returned_row(&["R1"], SHOWN_A, FIX_NAME, "Đã sửa"),
            returned_row(&["R2"], SHOWN_B, NONE, "Thông tin đúng"),
            returned_row(&["R3"], SHOWN_C, BAD_PHONE, "Đã sửa"),
        ]);
        list.deleted.push(DeletedRow {
            sheet_row: 9,
            keys: vec!["R4".into()],
            origin: "e/l.xlsx/9".into(),
        });
        decided(vec![list], rows).0
    }

    #[test]
    fn the_audit_traces_every_row() {
        let audit = one_of_each().audit_rows(Lang::En);
        let got: Vec<_> = audit
            .iter()
            .map(|a| {
                (
                    a.record_key.as_str(),
                    a.source.as_str(),
                    a.row,
                    a.field.as_str(),
                    a.old.as_str(),
                    a.new.as_str(),
                    a.workbook_row,
                    a.status,
                    a.reason_code.as_str(),
                )
            })
            .collect();
        let full_name = Field::FullName.name();
        assert_eq!(
            got,
            [
                (
                    "R1",
                    "d.csv",
                    2,
                    full_name,
                    "Lê Văn An",
                    "Lê Văn Ân",
                    2,
                    "applied",
                    ""
                ),
                // Decided before the source was searched: by its keys.
                ("R2", "", 0, "", "", "", 2, "unchanged", "CONFIRMED"),
                // Rejected before the source was searched: by its keys, with what was typed.
                (
                    "R3",
                    "",
                    0,
                    "phone",
                    "",
                    "12345",
                    2,
                    "rejected",
                    "PHONE_INVALID"
                ),
                ("R4", "d.csv", 5, "", "", "", 9, "rejected", "ROW_DELETED"),
            ]
        );
        assert_eq!(audit[1].reason, "confirmed as right");
        assert_eq!(audit[3].reason, Why::RowDeleted.text(Lang::En));
    }

    #[test]
    fn a_row_typed_into_the_list_is_audited_and_notes_are_kept() {
        let mut typed = returned_row(&[], SHOWN_A, FIX_NAME, "Đã sửa");
        typed.integrity = crate::apply::returned::Integrity::Added;
        typed.fixes.note = "người mới đến".into();
        let mut moved = returned_row(&["R1"], SHOWN_A, NONE, "Đã chuyển đi");
        moved.fixes.note = " chuyển vào Đà Nẵng từ 3/2022 ".into();
        let (applied, _) = decided(
            vec![book(vec![moved, typed])],
            vec![src_row("R1", SHOWN_A, 1, 2)],
        );
        let audit = applied.audit_rows(Lang::En);
        let got: Vec<_> = audit
            .iter()
            .map(|a| {
                (
                    a.record_key.as_str(),
                    a.status,
                    a.reason_code.as_str(),
                    a.note.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "R1",
                    "unchanged",
                    "MOVED_AWAY",
                    "chuyển vào Đà Nẵng từ 3/2022"
                ),
                ("", "rejected", "ROW_ADDED", "người mới đến"),
            ]
        );
        // In the verification list too, where the typed row counts for nobody.
        let rows = applied.verification_rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].note, "chuyển vào Đà Nẵng từ 3/2022");
        assert_eq!(applied.answers().len(), 1);
    }

    #[test]
    fn a_moved_row_is_applied_with_a_note() {
        let mut row = returned_row(&["R1"], SHOWN_A, FIX_NAME, "Đã sửa");
        row.integrity = crate::apply::returned::Integrity::Moved;
        let (applied, _) = decided(vec![book(vec![row])], vec![src_row("R1", SHOWN_A, 1, 2)]);
        let audit = applied.audit_rows(Lang::Vi);
        let got: Vec<_> = audit
            .iter()
            .map(|a| (a.status, a.reason_code.as_str(), a.reason.as_str()))
            .collect();
        assert_eq!(
            got,
            [(
                "applied",
                "ROW_MOVED",
                "dòng đã bị chuyển chỗ trong danh sách"
            )]
        );
    }

    #[test]
    fn verification_says_where_each_row_stands() {
        let rows = one_of_each().verification_rows();
        let got: Vec<_> = rows
            .iter()
            .map(|v| (v.name.as_str(), v.workbook_row, v.keys.as_str(), v.result))
            .collect();
        assert_eq!(
            got,
            [
                // As corrected, not as exported.
                ("Lê Văn Ân", 2, "R1", "Đã sửa"),
                ("Trần Thị Bình", 2, "R2", "Thông tin đúng"),
                ("Phạm Văn Cường", 2, "R3", "Bị trả lại"),
                // A deleted row: from the source.
                ("Đỗ Thị Dung", 9, "R4", "Dòng bị xoá"),
            ]
        );
        assert!(rows[0].reason.is_empty() && !rows[2].reason.is_empty());
        assert_eq!(rows[0].corrected, "Họ và tên");
        assert_eq!(rows[1].corrected, "");
    }

    #[test]
    fn rejected_rows_are_sent_back_per_list() {
        let rows = vec![src_row("R1", SHOWN_A, 1, 2), src_row("R2", SHOWN_B, 2, 3)];
        let first = book(vec![
            returned_row(&["R1"], SHOWN_A, BAD_PHONE, "Đã sửa"),
            returned_row(&["R2"], SHOWN_B, NONE, "Thông tin đúng"),
        ]);
        let mut second = book(vec![returned_row(&["R2"], SHOWN_B, NONE, "???")]);
        second.deleted.push(DeletedRow {
            sheet_row: 3,
            keys: vec!["R1".into()],
            origin: "e/l.xlsx/3".into(),
        });
        let (applied, _) = decided(vec![first, second], rows);
        let lists = applied.rejected_lists();
        let got: Vec<(usize, Vec<Vec<String>>)> = lists
            .iter()
            .map(|(w, rows)| (*w, rows.iter().map(|r| r.record_keys.clone()).collect()))
            .collect();
        assert_eq!(
            got,
            [
                (0, vec![vec!["R1".to_string()]]),
                (1, vec![vec!["R2".to_string()], vec!["R1".to_string()]]),
            ]
        );
        let bad = &lists[&0][0];
        assert_eq!(
            bad.values.shown,
            Shown::from_array(SHOWN_A.map(String::from))
        );
        assert_eq!(bad.typed.fixes.phone, "12345");
        assert_eq!(bad.typed.status, "Đã sửa");
        assert!(!bad.reason.is_empty());
    }

    #[test]
    fn a_deleted_row_is_sent_back_with_the_sources_values() {
        let list = one_of_each().rejected_lists();
        let deleted = &list[&0][1];
        assert_eq!(deleted.record_keys, ["R4"]);
        assert_eq!(
            deleted.values,
            ListValues {
                shown: Shown::from_array(["Đỗ Thị Dung", "03/03/1993", "Nữ", "", "0922222222"]),
                address: "Thôn 1, Xã An Bình",
            }
            .map(|v| v.to_string())
        );
        assert!(deleted.errors.is_empty() && deleted.typed.is_empty());
    }

    #[test]
    fn only_records_that_gain_a_valid_number_are_imported() {
        let with_id = [
            "Trần Thị Bình",
            "01/01/1990",
            "Nữ",
            "025431876",
            "0987654321",
        ];
        let rows = vec![
            src_row("R1", SHOWN_A, 1, 2),
            src_row("R2", with_id, 2, 3),
            src_row("R3", SHOWN_C, 3, 4),
        ];
        let list = book(vec![
            returned_row(&["R1"], SHOWN_A, ["", "", "", "024123987", ""], "Đã sửa"),
            returned_row(&["R2"], with_id, ["", "", "", "024123988", ""], "Đã sửa"),
            returned_row(&["R3"], SHOWN_C, FIX_NAME, "Đã sửa"),
        ]);
        let (applied, _) = decided(vec![list], rows);
        let import = applied.import_rows(today());
        let got: Vec<(&str, &str, &str)> = import
            .iter()
            .map(|r| &r.cells)
            .map(|c| {
                (
                    c[Field::RecordId.index()].as_str(),
                    c[Field::FullName.index()].as_str(),
                    c[Field::IdNumber.index()].as_str(),
                )
            })
            .collect();
        assert_eq!(got, [("R1", "Lê Văn An", "024123987")]);
        // R2 was applied too, but had a valid number before.
        let applied_ids = applied
            .decisions
            .iter()
            .filter(|d| d.outcome == Outcome::Applied && d.fixes.id.is_some())
            .count();
        assert_eq!(applied_ids, 2);
    }

    #[test]
    fn a_list_none_of_whose_rows_is_found_is_set_aside() {
        let other = ["Ngô Văn Xa", "09/09/1999", "Nam", "", "0933333333"];
        let ours = book(vec![returned_row(&["R1"], SHOWN_A, FIX_NAME, "Đã sửa")]);
        let theirs = book(vec![returned_row(&["X9"], other, FIX_NAME, "Đã sửa")]);
        // Nothing tried (all pending): not a list of other data.
        let untried = book(vec![returned_row(&["X8"], other, NONE, "")]);
        let (applied, refused) = decided(
            vec![ours, theirs, untried],
            vec![src_row("R1", SHOWN_A, 1, 2)],
        );
        assert_eq!(applied.foreign, [false, true, false]);
        assert_eq!(applied.workbooks_used(), 2);
        assert_eq!(refused.len(), 1);
        assert!(matches!(refused[0].1, Refusal::NoMatch(None)));
        let books: Vec<usize> = applied.decisions.iter().map(|d| d.workbook).collect();
        assert_eq!(books, [0, 2]);
    }

    #[test]
    fn the_summary_and_the_terminal_count_alike() {
        let applied = one_of_each();
        let refused = vec![("x.xlsx".to_string(), Refusal::NotOurs)];
        let summary = applied.summary(&RunFacts {
            as_of: today(),
            dry_run: false,
            hashes: &[None],
            refused: &refused,
            import_records: 0,
            rejected_lists: 1,
            seconds: 1.23456,
            ledger: None,
        });
        assert_eq!(summary.rows, 4);
        assert!(!summary.authenticated);
        assert_eq!(summary.workbooks.read, 1);
        assert_eq!(summary.records_changed, 1);
        assert_eq!(summary.seconds, 1.235);
        assert_eq!(summary.rejected_by_reason.get("ROW_DELETED"), Some(&1));
        let (first, second) = summary.terminal(Lang::En);
        assert!(first.starts_with("Read 1 returned lists (1 refused), 4 rows: 1 corrected"));
        assert!(
            second.starts_with("1 fields of 1 records updated"),
            "{second}"
        );
        let json = serde_json::to_value(&summary).unwrap_or_default();
        assert_eq!(json["workbooks"]["refused"][0]["code"], "NOT_OURS");
        assert_eq!(json["outcomes"]["rejected"], 2);
    }
}
