//! The hamlets of a list: the people are grouped by the hamlet (thôn, ấp, bản, tổ dân phố…) their
//! address names, each group under a sub-heading, so a hamlet team finds its people together.

/// The hamlet (thôn, ấp, bản, tổ dân phố, khu phố…) an address names: the first of its parts, cut
/// at commas and semicolons, that starts with such a word, as written (spaces tidied).
pub fn hamlet_of(address: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    // Written with their accents: "Tô Hiến Thành" or "Láng Hạ" are streets, not "tổ" or "làng".
    const WORDS: [&str; 21] = [
        "thôn",
        "ấp",
        "bản",
        "buôn",
        "làng",
        "xóm",
        "sóc",
        "khóm",
        "khu phố",
        "kp",
        "tổ dân phố",
        "tdp",
        "tổ",
        "khu",
        "khu dân cư",
        "kdc",
        "cụm",
        "đội",
        "plei",
        "bon",
        "tiểu khu",
    ];
    // Without accents, only before a number ("Thon 3", "To 12").
    const BARE: [&str; 8] = ["thon", "ap", "to", "khu pho", "xom", "doi", "ban", "khu"];
    address.split([',', ';']).find_map(|part| {
        let tidy = part.split_whitespace().collect::<Vec<_>>().join(" ");
        let lower: String = tidy.nfc().collect::<String>().to_lowercase();
        let accented = WORDS.iter().any(|w| {
            lower
                .strip_prefix(w)
                .is_some_and(|rest| rest.starts_with(' '))
        });
        let folded = crate::normalize::text::fold(&tidy);
        let bare = BARE.iter().any(|w| {
            folded
                .strip_prefix(w)
                .and_then(|rest| rest.strip_prefix(' '))
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        });
        (accented || bare).then_some(tidy)
    })
}

/// The order of hamlets: by name, numbers by value ("Thôn 2" before "Thôn 10"), accents and case
/// aside; no hamlet last.
pub fn hamlet_order(hamlet: Option<&str>) -> (bool, Vec<(String, u64)>) {
    let Some(h) = hamlet else {
        return (true, Vec::new());
    };
    let folded = crate::normalize::text::fold(h);
    let mut out = Vec::new();
    for word in folded.split(' ') {
        let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            out.push((word.to_string(), 0));
        } else {
            let n = digits.parse::<u64>().unwrap_or(u64::MAX);
            out.push((String::new(), n));
            let rest = &word[digits.len()..];
            if !rest.is_empty() {
                out.push((rest.to_string(), 0));
            }
        }
    }
    (false, out)
}

/// Puts `items` in hamlet order ([`hamlet_of`] the address `address` gives), keeping their order
/// within a hamlet.
pub fn group_by_hamlet<T>(items: &mut [T], address: impl Fn(&T) -> &str) {
    items.sort_by_cached_key(|t| hamlet_order(hamlet_of(address(t)).as_deref()));
}

/// The sub-heading of a hamlet's rows.
pub fn hamlet_heading(hamlet: Option<&str>) -> String {
    match hamlet {
        Some(h) => h.to_string(),
        None => NO_HAMLET.to_string(),
    }
}

/// The sub-heading of the rows whose address names no hamlet.
pub const NO_HAMLET: &str = "Chưa rõ thôn/tổ dân phố";
