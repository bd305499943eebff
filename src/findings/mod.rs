//! Findings: one problem with one field of one row, with its severity, the value found and, where
//! a rule could compute it, the right value. Rules make them; writers print them.

use std::sync::Arc;

use serde::Serialize;

use crate::record::{Field, RowLoc};
use crate::rules::{Code, Detail};

pub mod people;
pub mod store;

/// How serious a finding is (docs/rules.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The record must be fixed on the platform.
    Error,
    /// Probably wrong: a person must look.
    Warning,
    /// Formatting only: right once normalised.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Every severity, most serious first.
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];
}

/// What a finding says about the row it is on, shared by all findings of that row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowInfo {
    /// The platform's record key, if the file has one.
    pub record_id: Box<str>,
    /// Province as found.
    pub province: Box<str>,
    /// District as found.
    pub district: Box<str>,
    /// Commune as found.
    pub commune: Box<str>,
}

/// One problem with one field of one row.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Where the row is.
    pub loc: RowLoc,
    /// The row's key and place.
    pub row: Arc<RowInfo>,
    /// The field the problem is in; `None` for a problem with the whole row.
    pub field: Option<Field>,
    /// The rule's stable code.
    pub code: Code,
    /// The cell as found.
    pub value: Box<str>,
    /// The right value, when a rule could compute it; empty otherwise.
    pub suggestion: Box<str>,
    /// What the message needs besides the code.
    pub detail: Detail,
}

impl Finding {
    /// The finding's severity (fixed by its code).
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// Whether the rules are certain of the suggestion ([`Code::certain`]): `repair` makes it.
    pub fn is_certain(&self) -> bool {
        !self.suggestion.is_empty() && self.code.certain(self.detail)
    }

    /// The finding as the writers read it.
    pub fn view(&self) -> FindingView<'_> {
        FindingView {
            loc: self.loc,
            field: self.field,
            code: self.code,
            detail: self.detail,
            value: self.value.as_bytes(),
            suggestion: self.suggestion.as_bytes(),
            record_id: self.row.record_id.as_bytes(),
            province: self.row.province.as_bytes(),
            district: self.row.district.as_bytes(),
            commune: self.row.commune.as_bytes(),
        }
    }
}

/// A finding whose texts are borrowed, as bytes: read back from the findings store without
/// copying or re-checking them (they were written from text), or from a [`Finding`]
/// ([`Finding::view`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingView<'a> {
    /// Where the row is.
    pub loc: RowLoc,
    /// See [`Finding::field`].
    pub field: Option<Field>,
    /// The rule's stable code.
    pub code: Code,
    /// What the message needs besides the code.
    pub detail: Detail,
    /// The cell as found.
    pub value: &'a [u8],
    /// The right value, or empty.
    pub suggestion: &'a [u8],
    /// See [`RowInfo`].
    pub record_id: &'a [u8],
    /// See [`RowInfo`].
    pub province: &'a [u8],
    /// See [`RowInfo`].
    pub district: &'a [u8],
    /// See [`RowInfo`].
    pub commune: &'a [u8],
}

impl FindingView<'_> {
    /// The finding's severity (fixed by its code).
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// The order of findings.csv within one sheet: row, field, code. Source and sheet are compared
    /// by name by the caller, who has the tables of names.
    pub fn row_order_key(&self) -> (u32, Option<Field>, &'static str) {
        (self.loc.row, self.field, self.code.as_str())
    }
}

/// Collects the findings of one row, creating the shared [`RowInfo`] only when a row has any.
pub struct RowFindings<'o> {
    loc: RowLoc,
    info: Option<Arc<RowInfo>>,
    make_info: &'o dyn Fn() -> RowInfo,
    out: &'o mut Vec<Finding>,
}

impl<'o> RowFindings<'o> {
    /// Findings of the row at `loc`, appended to `out`.
    pub fn new(loc: RowLoc, make_info: &'o dyn Fn() -> RowInfo, out: &'o mut Vec<Finding>) -> Self {
        RowFindings {
            loc,
            info: None,
            make_info,
            out,
        }
    }

    /// Records a finding.
    pub fn push(
        &mut self,
        field: Option<Field>,
        code: Code,
        value: &str,
        suggestion: &str,
        detail: Detail,
    ) {
        let row = self
            .info
            .get_or_insert_with(|| Arc::new((self.make_info)()))
            .clone();
        self.out.push(Finding {
            loc: self.loc,
            row,
            field,
            code,
            value: value.into(),
            suggestion: suggestion.into(),
            detail,
        });
    }

    /// How many findings the output holds (a mark for [`RowFindings::since`]).
    pub(crate) fn mark(&self) -> usize {
        self.out.len()
    }

    /// The findings recorded since `mark`.
    pub(crate) fn since(&self, mark: usize) -> &[Finding] {
        self.out.get(mark..).unwrap_or_default()
    }

    /// Records `f` again, on this row.
    pub(crate) fn again(&mut self, f: &Finding) {
        self.push(f.field, f.code, &f.value, &f.suggestion, f.detail);
    }

    /// The row's shared info, when a finding has been recorded.
    pub fn info(&self) -> Option<Arc<RowInfo>> {
        self.info.clone()
    }
}
