//! `report.html`: the report in one self-contained file — inline CSS, inline SVG charts, no
//! script, no font or image from the network — readable on a phone (the tables scroll sideways)
//! and printable. Each number cell carries its exact value in `data-v`.

use std::fmt::Write as _;

use super::{FAMILIES, FAMILIES_EN, ReportData};
use crate::i18n::Lang;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Below this width (CSS pixels) the page shows the charts drawn for a phone.
pub const NARROW_MAX_PX: u32 = 640;

/// The page's padding on a phone, each side (CSS pixels).
pub const NARROW_PADDING_PX: u32 = 10;

/// How a chart is drawn: for a wide screen, or for a phone (a narrow viewBox, so that its text,
/// drawn at `font` user units, shows at about that many pixels on a 360-400 px wide screen).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// The class of the `<svg>`: `wide` or `narrow` (the CSS shows one of them).
    pub class: &'static str,
    /// The viewBox width.
    pub width: f64,
    /// The widest the chart is shown, in CSS pixels.
    pub max_px: f64,
    /// The font size, in user units of the viewBox.
    pub font: f64,
}

/// The charts for a screen wider than [`NARROW_MAX_PX`].
pub const WIDE: Layout = Layout {
    class: "wide",
    width: 760.0,
    max_px: 900.0,
    font: 14.0,
};

/// The charts for a phone.
pub const NARROW: Layout = Layout {
    class: "narrow",
    width: 360.0,
    max_px: 480.0,
    font: 13.0,
};

fn css() -> String {
    format!(
        "
:root{{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bad:#c2410c;--good:#15803d;--bar:#2563eb}}
*{{box-sizing:border-box}}
html{{-webkit-text-size-adjust:100%;text-size-adjust:100%}}
body{{margin:0;padding:16px;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:var(--ink);max-width:1100px;margin:auto}}
h1{{font-size:1.35rem;margin:.2rem 0}}
h2{{font-size:1.1rem;margin:1.6rem 0 .5rem;border-bottom:2px solid var(--line);padding-bottom:.2rem}}
.muted{{color:var(--muted)}}
.note{{color:var(--muted);font-size:.85rem}}
.cards{{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:12px 0}}
.card{{border:1px solid var(--line);border-radius:8px;padding:10px}}
.card b{{display:block;font-size:1.35rem}}
.scroll{{overflow-x:auto;-webkit-overflow-scrolling:touch}}
table{{border-collapse:collapse;width:100%;font-size:.9rem}}
th,td{{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}}
th{{background:#eef2ff;position:sticky;top:0}}
td.n{{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}}
#units td:first-child,#units th:first-child{{position:sticky;left:0;z-index:1;background:#fff}}
#units th:first-child{{background:#eef2ff}}
tr.l0 td,#units tr.l0 td:first-child{{font-weight:700;background:#f3f4f6}}
tr.l1 td{{font-weight:700}}
tr.l2 td{{font-weight:600}}
tr.l3 td:first-child{{padding-left:1.6em}}
tr.group td:first-child{{font-style:italic}}
.bad{{color:var(--bad)}}
svg{{display:block;width:100%;height:auto}}
svg text{{font-family:system-ui,Arial,sans-serif;fill:var(--ink)}}
svg.wide{{max-width:{wide_max}px}}
svg.narrow{{display:none;max-width:{narrow_max}px}}
@media (max-width:{narrow}px){{
body{{padding:{pad}px;font-size:15px}}
svg.wide{{display:none}}
svg.narrow{{display:block}}
table{{font-size:.85rem}}
#units td:first-child{{min-width:9em;max-width:12em}}
.cards{{grid-template-columns:1fr 1fr}}
}}
@media print{{body{{padding:0;font-size:11px}}.scroll{{overflow:visible}}th,#units td:first-child{{position:static}}h2{{break-after:avoid}}tr{{break-inside:avoid}}svg.narrow{{display:none}}svg.wide{{display:block}}}}
",
        wide_max = WIDE.max_px,
        narrow_max = NARROW.max_px,
        narrow = NARROW_MAX_PX,
        pad = NARROW_PADDING_PX,
    )
}

fn num(v: u64, lang: Lang) -> String {
    format!("<td class=\"n\" data-v=\"{v}\">{}</td>", lang.count(v))
}

fn pct(x: f64, lang: Lang) -> String {
    let s = format!("{:.1}%", x * 100.0);
    let s = if lang == Lang::Vi {
        s.replace('.', ",")
    } else {
        s
    };
    format!("<td class=\"n\" data-v=\"{x:.4}\">{s}</td>")
}

/// A text cut to `n` characters, with an ellipsis when cut.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn svg_open(layout: Layout, height: f64, label: &str) -> String {
    format!(
        "<svg class=\"{}\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {height:.0}\" font-size=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        layout.class,
        esc(label),
        layout.width,
        layout.font
    )
}

/// A horizontal bar chart: on a wide screen the names left of the bars, on a phone each name on
/// its own line above its bar.
fn bars(items: &[(String, u64)], title: &str, layout: Layout, lang: Lang) -> String {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1) as f64;
    let f = layout.font;
    let narrow = layout.width < WIDE.width;
    // Room for the value after the longest bar: about 0.6 em per digit.
    let value_room = f * 0.62 * (lang.count(max as u64).chars().count() as f64) + 8.0;
    let (label_w, row_h) = if narrow {
        (0.0, f * 2.9)
    } else {
        (layout.width * 0.36, f * 1.7)
    };
    let bar_room = layout.width - label_w - value_room;
    let height = row_h * items.len() as f64 + f;
    let mut s = svg_open(layout, height, title);
    // About 0.55 em per character.
    let chars = ((if narrow { layout.width } else { label_w - 8.0 }) / (f * 0.55)) as usize;
    for (i, (name, n)) in items.iter().enumerate() {
        let y = f * 0.5 + row_h * i as f64;
        let w = bar_room * (*n as f64) / max;
        let (label_x, label_y, anchor, bar_y, bar_h) = if narrow {
            (0.0, y + f, "start", y + f * 1.35, f * 1.05)
        } else {
            (label_w - 6.0, y + f, "end", y + f * 0.2, f * 1.15)
        };
        let _ = write!(
            s,
            "<text x=\"{label_x:.1}\" y=\"{label_y:.1}\" text-anchor=\"{anchor}\">{}</text><rect x=\"{label_w:.1}\" y=\"{bar_y:.1}\" width=\"{w:.1}\" height=\"{bar_h:.1}\" fill=\"#2563eb\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            esc(&cut(name, chars)),
            label_w + w + 4.0,
            bar_y + bar_h * 0.85,
            lang.count(*n)
        );
    }
    s.push_str("</svg>");
    s
}

/// A line chart of series over the runs' dates (at most about one date label per 90 units of
/// width, the last always shown).
fn lines(
    dates: &[String],
    series: &[(&str, &str, Vec<u64>)],
    layout: Layout,
    lang: Lang,
) -> String {
    let f = layout.font;
    let w = layout.width;
    let max = series
        .iter()
        .flat_map(|s| s.2.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let left = f * 0.62 * lang.count(max).chars().count() as f64 + 10.0;
    let (right, top) = (f, f);
    let plot_h = if w < WIDE.width { 180.0 } else { 240.0 };
    let axis = top + plot_h;
    // The legend below the dates, one line per series.
    let legend_top = axis + f * 2.6;
    let h = legend_top + f * 1.5 * series.len() as f64;
    let n = dates.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            left + (w - left - right) / 2.0
        } else {
            left + (w - left - right) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: u64| top + plot_h * (1.0 - v as f64 / max as f64);
    let mut s = svg_open(layout, h, "trend");
    let _ = write!(
        s,
        "<line x1=\"{left:.1}\" y1=\"{axis:.1}\" x2=\"{:.1}\" y2=\"{axis:.1}\" stroke=\"#9ca3af\"/><line x1=\"{left:.1}\" y1=\"{top:.1}\" x2=\"{left:.1}\" y2=\"{axis:.1}\" stroke=\"#9ca3af\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><text x=\"{:.1}\" y=\"{axis:.1}\" text-anchor=\"end\">0</text>",
        w - right,
        left - 4.0,
        top + f * 0.35,
        lang.count(max),
        left - 4.0,
    );
    // Every `every`-th date and the last; one too close to the last is left out.
    let every = n.div_ceil(((w / 90.0) as usize).max(2)).max(1);
    let shown =
        |i: usize| i + 1 == n || (i.is_multiple_of(every) && n - 1 - i >= every.div_ceil(2));
    for (i, d) in dates.iter().enumerate() {
        if !shown(i) {
            continue;
        }
        let anchor = if n > 1 && i == 0 {
            "start"
        } else if n > 1 && i + 1 == n {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
            x(i),
            axis + f * 1.4,
            esc(d)
        );
    }
    for (k, (name, color, values)) in series.iter().enumerate() {
        let pts: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\" points=\"{}\"/>",
            pts.join(" ")
        );
        for (i, v) in values.iter().enumerate() {
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{color}\"/>",
                x(i),
                y(*v)
            );
        }
        let ly = legend_top + f * 1.5 * k as f64;
        let _ = write!(
            s,
            "<rect x=\"{left:.1}\" y=\"{:.1}\" width=\"{f:.0}\" height=\"{f:.0}\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{ly:.1}\">{}</text>",
            ly - f * 0.85,
            left + f * 1.4,
            esc(name)
        );
    }
    s.push_str("</svg>");
    s
}

/// The notes under the units table.
fn notes(lang: Lang) -> [&'static str; 2] {
    if lang == Lang::Vi {
        super::xlsx::SUMMARY_NOTES
    } else {
        [
            "Unrecognised communes: commune names the gazetteer does not hold (misspelt, left empty), gathered in one line per district (per province when the district is not recognised either); the number of different names in brackets.",
            "A person with rows in two units counts in each; every figure of the report (totals, each level, trend) adds up the units.",
        ]
    }
}

/// One card of the totals: its label over the figure as shown, with the figure's key and value
/// for scripts (`data-k`, `data-v`); `bad` marks a figure that should be low.
fn card(h: &mut String, label: &str, key: &str, value: &str, shown: &str, bad: bool) {
    let class = if bad { " class=\"bad\"" } else { "" };
    let _ = write!(
        h,
        "<div class=\"card\">{label}<b{class} data-k=\"{key}\" data-v=\"{value}\">{shown}</b></div>"
    );
}

/// The whole page.
pub fn render(data: &ReportData, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let t = |a: &'static str, b: &'static str| if vi { a } else { b };
    let fam = if vi { FAMILIES } else { FAMILIES_EN };
    let totals = data.totals();
    let day = data
        .as_of
        .map_or_else(String::new, |d| d.format("%d/%m/%Y").to_string());
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} {}</title><style>{}</style></head><body>",
        if vi { "vi" } else { "en" },
        t(
            "Báo cáo làm sạch dữ liệu tiêm chủng",
            "Vaccination data cleaning report"
        ),
        esc(&day),
        css()
    );
    let _ = write!(
        h,
        "<header><h1>{}</h1><p class=\"muted\">{} {} · vaxclean {}</p></header>",
        t(
            "Báo cáo làm sạch dữ liệu tiêm chủng COVID-19",
            "COVID-19 vaccination data cleaning report"
        ),
        t("Ngày", "Date"),
        esc(&day),
        env!("CARGO_PKG_VERSION")
    );
    let share = super::percent(totals.share_clean(), lang);
    h.push_str("<section class=\"cards\" id=\"totals\">");
    let count = |h: &mut String, label, key, n: u64, bad| {
        card(h, label, key, &n.to_string(), &lang.count(n), bad);
    };
    count(&mut h, t("Số dòng", "Rows"), "rows", totals.rows, false);
    count(
        &mut h,
        t("Số người", "People"),
        "people",
        totals.people,
        false,
    );
    count(
        &mut h,
        t("Người có lỗi", "People with errors"),
        "people_with_errors",
        totals.people_with_errors,
        true,
    );
    let clean = format!("{:.4}", totals.share_clean());
    card(
        &mut h,
        t("Tỷ lệ sạch", "Clean"),
        "share_clean",
        &clean,
        &share,
        false,
    );
    if let Some(last) = data.trend.last() {
        count(
            &mut h,
            t("Phát hiện mới", "New findings"),
            "new",
            last.new,
            false,
        );
        count(
            &mut h,
            t("Đã được sửa", "Fixed"),
            "fixed",
            last.fixed,
            false,
        );
        count(&mut h, t("Còn tồn đọng", "Open"), "open", last.open, false);
    }
    h.push_str("</section>");

    let by_unit = t("Người có lỗi theo địa bàn", "People with errors by unit");
    let chart = data.chart_units(lang);
    let _ = write!(
        h,
        "<section><h2>{by_unit}</h2>{}{}</section>",
        bars(&chart, by_unit, WIDE, lang),
        bars(&chart, by_unit, NARROW, lang)
    );
    if data.from_history {
        let dates: Vec<String> = data
            .trend
            .iter()
            .map(|r| r.as_of.format("%d/%m").to_string())
            .collect();
        let open: Vec<u64> = data.trend.iter().map(|r| r.open).collect();
        let people: Vec<u64> = data.trend.iter().map(|r| r.people_with_errors).collect();
        let series = [
            (
                t("Phát hiện còn tồn đọng", "Open findings"),
                "#c2410c",
                open,
            ),
            (t("Người có lỗi", "People with errors"), "#2563eb", people),
        ];
        let _ = write!(
            h,
            "<section><h2>{}</h2>{}{}",
            t("Xu hướng qua các lần quét", "Trend across runs"),
            lines(&dates, &series, WIDE, lang),
            lines(&dates, &series, NARROW, lang)
        );
        let _ = write!(
            h,
            "<div class=\"scroll\"><table id=\"trend\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            t("Ngày", "Date"),
            t("Số dòng", "Rows"),
            t("Người có lỗi", "With errors"),
            t("Phát hiện", "Findings"),
            t("Mới", "New"),
            t("Đã được sửa", "Fixed"),
            t("Còn tồn đọng", "Open")
        );
        for r in &data.trend {
            let _ = write!(
                h,
                "<tr><td>{}</td>{}{}{}{}{}{}</tr>",
                r.as_of.format("%d/%m/%Y"),
                num(r.rows, lang),
                num(r.people_with_errors, lang),
                num(r.findings, lang),
                num(r.new, lang),
                num(r.fixed, lang),
                num(r.open, lang)
            );
        }
        h.push_str("</tbody></table></div></section>");
        let _ = write!(
            h,
            "<section><h2>{} {} {}</h2>",
            t("Địa bàn có lỗi chờ quá", "Units with errors waiting over"),
            data.sla_days,
            t("ngày", "days")
        );
        if data.overdue.is_empty() {
            let _ = write!(h, "<p class=\"muted\">{}</p>", t("Không có.", "None."));
        } else {
            let _ = write!(
                h,
                "<div class=\"scroll\"><table id=\"overdue\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                t("Tỉnh/thành phố", "Province"),
                t("Quận/huyện", "District"),
                t("Xã/phường", "Commune"),
                t("Số người", "People"),
                t("Lỗi còn mở", "Open errors"),
                t("Số ngày chờ", "Days waiting")
            );
            for o in &data.overdue {
                let commune = if o.group {
                    super::group_name(o.names, lang)
                } else {
                    o.unit.commune.clone()
                };
                let _ = write!(
                    h,
                    "<tr{}><td>{}</td><td>{}</td><td>{}</td>{}{}<td class=\"n bad\" data-v=\"{}\">{}</td></tr>",
                    if o.group { " class=\"group\"" } else { "" },
                    esc(&o.unit.province),
                    esc(&o.unit.district),
                    esc(&commune),
                    num(o.people, lang),
                    num(o.open_errors, lang),
                    o.days,
                    o.days
                );
            }
            h.push_str("</tbody></table></div>");
        }
        h.push_str("</section>");
    }

    let _ = write!(
        h,
        "<section><h2>{}</h2><div class=\"scroll\"><table id=\"units\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>",
        t("Chi tiết theo địa bàn", "By unit"),
        t("Địa bàn", "Unit"),
        t("Số dòng", "Rows"),
        t("Số người", "People"),
        t("Người có lỗi", "With errors"),
        t("Tỷ lệ sạch", "Clean")
    );
    for f in fam {
        let _ = write!(h, "<th>{}</th>", esc(f));
    }
    h.push_str("</tr></thead><tbody>");
    let mut rows = vec![(0u8, {
        let mut all = totals.clone();
        all.unit = crate::pipeline::UnitKey::new(t("Toàn bộ", "All"), "", "");
        all
    })];
    rows.extend(data.tree().into_iter().map(|(l, u)| (l + 1, u)));
    for (level, u) in rows {
        let name = match level {
            0 | 1 => u.unit.province.clone(),
            2 => u.unit.district.clone(),
            _ => u.commune_name(lang),
        };
        let name = if name.is_empty() {
            t("(chưa rõ)", "(unknown)")
        } else {
            name.as_str()
        };
        let _ = write!(
            h,
            "<tr class=\"l{level}{}\" data-unit=\"{}|{}|{}\"><td>{}</td>{}{}{}{}",
            if u.group { " group" } else { "" },
            esc(&u.unit.province),
            esc(&u.unit.district),
            esc(&u.unit.commune),
            esc(name),
            num(u.rows, lang),
            num(u.people, lang),
            num(u.people_with_errors, lang),
            pct(u.share_clean(), lang)
        );
        for n in u.families {
            h.push_str(&num(n, lang));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></div>");
    for n in notes(lang) {
        let _ = write!(h, "<p class=\"note\">{}</p>", esc(n));
    }
    h.push_str("</section>");
    let _ = writeln!(
        h,
        "<footer><p class=\"muted\">{}</p></footer></body></html>",
        t(
            "Báo cáo chỉ gồm số liệu tổng hợp, không có thông tin cá nhân.",
            "Counts only: the report holds no personal data."
        )
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    /// Each `<svg …>` tag's class, viewBox width and font size.
    fn charts(page: &str) -> Vec<(String, f64, f64)> {
        let attr = |tag: &str, name: &str| -> String {
            let at = tag.find(&format!(" {name}=\"")).map(|i| i + name.len() + 3);
            at.and_then(|i| tag[i..].split('"').next().map(str::to_string))
                .unwrap_or_default()
        };
        page.match_indices("<svg ")
            .map(|(i, _)| {
                let tag = &page[i..i + page[i..].find('>').unwrap_or(0)];
                let width = attr(tag, "viewBox")
                    .split(' ')
                    .nth(2)
                    .and_then(|w| w.parse().ok())
                    .unwrap_or(0.0);
                let font = attr(tag, "font-size").parse().unwrap_or(0.0);
                (attr(tag, "class"), width, font)
            })
            .collect()
    }

    #[test]
    fn on_a_390_px_phone_the_charts_text_stays_at_least_11_px() {
        let data = ReportData {
            units: vec![super::super::UnitLine {
                unit: crate::pipeline::UnitKey::new("Tỉnh A", "Huyện B", "Xã C"),
                names: 1,
                people: 10,
                people_with_errors: 4,
                ..Default::default()
            }],
            trend: vec![
                crate::history::RunInfo {
                    id: 1,
                    as_of: chrono::NaiveDate::default(),
                    rows: 1,
                    people: 1,
                    people_with_errors: 1,
                    findings: 1,
                    new: 1,
                    fixed: 0,
                    open: 1,
                };
                2
            ],
            from_history: true,
            ..ReportData::default()
        };
        let page = render(&data, Lang::Vi);
        assert!(
            page.contains(
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            )
        );
        let found = charts(&page);
        assert_eq!(found.len(), 4, "two charts, each drawn wide and narrow");
        // The CSS shows the narrow drawings below the breakpoint, the wide ones above it.
        let css = css();
        assert!(css.contains(&format!("@media (max-width:{NARROW_MAX_PX}px)")));
        assert!(css.contains("svg.narrow{display:block}"));
        assert!(css.contains("svg.wide{display:none}"));
        // The text's size is the SVG's own (scaled with its viewBox), never fixed by the CSS.
        assert!(!css.contains("svg text{font:"));
        let shown_px = |screen: f64, padding: f64, layout: Layout| {
            let width = (screen - 2.0 * padding).min(layout.max_px);
            layout.font * width / layout.width
        };
        for (class, width, font) in &found {
            let layout = if class == "narrow" { NARROW } else { WIDE };
            assert_eq!((*width, *font), (layout.width, layout.font), "{class}");
            let px = if class == "narrow" {
                // A 390 px phone, and the narrowest common one (360 px).
                let at_390 = shown_px(390.0, f64::from(NARROW_PADDING_PX), layout);
                assert!(shown_px(360.0, f64::from(NARROW_PADDING_PX), layout) >= 11.0);
                at_390
            } else {
                // The narrowest screen that shows the wide drawing.
                shown_px(f64::from(NARROW_MAX_PX) + 1.0, 16.0, layout)
            };
            assert!(px >= 11.0, "{class}: {px:.1} px");
        }
        // Nor do they grow huge on a wide screen.
        assert!(shown_px(2000.0, 16.0, WIDE) <= 18.0);
        assert!(shown_px(f64::from(NARROW_MAX_PX), 10.0, NARROW) <= 18.0);
    }

    #[test]
    fn the_page_needs_nothing_from_the_network() {
        let page = render(&ReportData::default(), Lang::Vi);
        assert!(!page.contains("<script"));
        assert!(!page.contains("src="));
        assert!(!page.contains("href="));
        assert!(!page.contains("@import"));
        assert!(!page.contains("url("));
    }
}
