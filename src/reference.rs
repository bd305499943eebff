//! Reference tables embedded in the binary (ID province and country codes, CMND prefixes, mobile
//! prefixes, the 2020 and 2025 divisions and the table between them). Parsed once, on first use; the sources are listed in
//! `data/README.md`.

use std::sync::LazyLock;

const PROVINCE_CODES_CSV: &str = include_str!("../data/cccd_province_codes.csv");
const COUNTRY_CODES_CSV: &str = include_str!("../data/cccd_birth_country_codes.csv");
const CMND9_PREFIXES_CSV: &str = include_str!("../data/cmnd9_prefixes.csv");
const MOBILE_PREFIXES_CSV: &str = include_str!("../data/mobile_prefixes.csv");
/// The commune gazetteer of the 2021-2022 campaign (statistics-office codes).
pub const ADMIN_UNITS_2020_CSV: &str = include_str!("../data/admin_units_2020.csv");
/// The two-level division since 1 July 2025 (34 provinces, 3,321 communes, no districts).
pub const ADMIN_UNITS_2025_CSV: &str = include_str!("../data/admin_units_2025.csv");
/// Each 2020 commune (by code) → the 2025 commune(s) that took it over.
pub const UNITS_2020_TO_2025_CSV: &str = include_str!("../data/units_2020_to_2025.csv");
/// Each 2020 province → the 2025 province it became part of.
pub const PROVINCES_2020_TO_2025_CSV: &str = include_str!("../data/province_63_to_34_2025.csv");

/// A CCCD province code (digits 1-3) and the province's name.
#[derive(Debug, Clone)]
pub struct ProvinceCode {
    /// Three digits, `001`..`096`.
    pub code: u16,
    /// Short Vietnamese name, e.g. "Hà Nội".
    pub name: String,
}

/// A 9-digit CMND prefix and how sure the table is about it.
#[derive(Debug, Clone)]
pub struct CmndPrefix {
    /// The prefix digits, two or three of them.
    pub prefix: String,
    /// Issuing province(s), as the table writes them.
    pub provinces: String,
    /// `high`, `medium` or `low`.
    pub confidence: String,
}

/// A 10-digit mobile prefix and the 11-digit prefix it replaced in 2018, if any.
#[derive(Debug, Clone)]
pub struct MobilePrefix {
    /// Three digits starting with 0, e.g. `032`.
    pub prefix: String,
    /// The carrier.
    pub carrier: String,
    /// The old four-digit prefix, e.g. `0162`.
    pub old_prefix: Option<String>,
}

fn rows(text: &'static str) -> impl Iterator<Item = csv::StringRecord> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes())
        .into_records()
        .filter_map(Result::ok)
}

fn field(rec: &csv::StringRecord, i: usize) -> String {
    rec.get(i).unwrap_or("").trim().to_string()
}

static PROVINCE_CODES: LazyLock<Vec<ProvinceCode>> = LazyLock::new(|| {
    rows(PROVINCE_CODES_CSV)
        .filter_map(|r| {
            Some(ProvinceCode {
                code: field(&r, 0).parse().ok()?,
                name: field(&r, 1),
            })
        })
        .collect()
});

static PROVINCE_CODE_SET: LazyLock<[bool; 1000]> = LazyLock::new(|| {
    let mut set = [false; 1000];
    for p in PROVINCE_CODES.iter() {
        if let Some(slot) = set.get_mut(usize::from(p.code)) {
            *slot = true;
        }
    }
    set
});

static COUNTRY_CODE_SET: LazyLock<[bool; 1000]> = LazyLock::new(|| {
    let mut set = [false; 1000];
    for r in rows(COUNTRY_CODES_CSV) {
        if let Ok(code) = field(&r, 0).parse::<usize>()
            && let Some(slot) = set.get_mut(code)
        {
            *slot = true;
        }
    }
    set
});

static CMND9_PREFIXES: LazyLock<Vec<CmndPrefix>> = LazyLock::new(|| {
    rows(CMND9_PREFIXES_CSV)
        .map(|r| CmndPrefix {
            prefix: field(&r, 0),
            provinces: field(&r, 1),
            confidence: field(&r, 2),
        })
        .collect()
});

/// The two-digit groups (`00`..`99`) that some prefix of the CMND table starts with.
static CMND9_GROUPS: LazyLock<[bool; 100]> = LazyLock::new(|| {
    let mut set = [false; 100];
    for p in CMND9_PREFIXES.iter() {
        if let Some(two) = p.prefix.get(..2).and_then(|t| t.parse::<usize>().ok())
            && let Some(slot) = set.get_mut(two)
        {
            *slot = true;
        }
    }
    set
});

static MOBILE_PREFIXES: LazyLock<Vec<MobilePrefix>> = LazyLock::new(|| {
    rows(MOBILE_PREFIXES_CSV)
        .map(|r| {
            let old = field(&r, 2);
            MobilePrefix {
                prefix: field(&r, 0),
                carrier: field(&r, 1),
                old_prefix: (!old.is_empty()).then_some(old),
            }
        })
        .collect()
});

/// All 63 CCCD province codes.
pub fn province_codes() -> &'static [ProvinceCode] {
    &PROVINCE_CODES
}

/// Whether `code` (digits 1-3 of a CCCD) is a province's birth-registration code.
pub fn is_province_code(code: u16) -> bool {
    PROVINCE_CODE_SET
        .get(usize::from(code))
        .copied()
        .unwrap_or(false)
}

/// Whether `code` is in the circular's table of birth countries (medium confidence).
pub fn is_country_code(code: u16) -> bool {
    COUNTRY_CODE_SET
        .get(usize::from(code))
        .copied()
        .unwrap_or(false)
}

/// The 9-digit CMND prefixes.
pub fn cmnd9_prefixes() -> &'static [CmndPrefix] {
    &CMND9_PREFIXES
}

/// The CMND prefix entry that `digits` (a 9-digit CMND) starts with, if any.
pub fn cmnd9_prefix_of(digits: &str) -> Option<&'static CmndPrefix> {
    CMND9_PREFIXES
        .iter()
        .filter(|p| digits.starts_with(p.prefix.as_str()))
        .max_by_key(|p| p.prefix.len())
}

/// Whether some prefix of the CMND table starts with the two digits `group` (`0`..`99`): no
/// province ever issued a 9-digit CMND starting `00` or `39`..`99`.
pub fn is_cmnd9_group(group: u16) -> bool {
    CMND9_GROUPS
        .get(usize::from(group))
        .copied()
        .unwrap_or(false)
}

/// The mobile prefixes, current and converted.
pub fn mobile_prefixes() -> &'static [MobilePrefix] {
    &MOBILE_PREFIXES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_whole() {
        assert_eq!(province_codes().len(), 63);
        assert!(is_province_code(1));
        assert!(is_province_code(79));
        assert!(!is_province_code(3));
        assert!(!is_province_code(0));
        assert!(is_country_code(101));
        assert!(is_country_code(295));
        assert!(!is_country_code(96));
        assert_eq!(cmnd9_prefixes().len(), 45);
        assert_eq!(mobile_prefixes().len(), 36);
        assert_eq!(ADMIN_UNITS_2020_CSV.lines().count(), 10_600);
    }

    #[test]
    fn cmnd_prefix_prefers_the_longest() {
        let p = cmnd9_prefix_of("230123456").map(|p| p.prefix.as_str());
        assert_eq!(p, Some("230"));
        let p = cmnd9_prefix_of("012345678").map(|p| p.prefix.as_str());
        assert_eq!(p, Some("01"));
        assert!(cmnd9_prefix_of("991234567").is_none());
    }

    #[test]
    fn cmnd_groups_are_00_to_38_less_00() {
        let groups: Vec<u16> = (0..100).filter(|g| is_cmnd9_group(*g)).collect();
        assert_eq!(groups, (1..=38).collect::<Vec<u16>>());
    }

    #[test]
    fn country_codes_are_101_to_295() {
        let codes: Vec<u16> = (0..1000).filter(|c| is_country_code(*c)).collect();
        assert_eq!(codes, (101..=295).collect::<Vec<u16>>());
    }
}
