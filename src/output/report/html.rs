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

const CSS: &str = "
:root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bad:#c2410c;--good:#15803d;--bar:#2563eb}
*{box-sizing:border-box}
body{margin:0;padding:16px;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:var(--ink);max-width:1100px;margin:auto}
h1{font-size:1.35rem;margin:.2rem 0}
h2{font-size:1.1rem;margin:1.6rem 0 .5rem;border-bottom:2px solid var(--line);padding-bottom:.2rem}
.muted{color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px}
.card b{display:block;font-size:1.35rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eef2ff;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.l0 td{font-weight:700;background:#f3f4f6}
tr.l1 td{font-weight:700}
tr.l2 td{font-weight:600}
tr.l3 td:first-child{padding-left:1.6em}
.bad{color:var(--bad)}
svg{max-width:100%;height:auto}
svg text{font:12px system-ui,Arial,sans-serif;fill:var(--ink)}
@media print{body{padding:0;font-size:11px}.scroll{overflow:visible}th{position:static}h2{break-after:avoid}tr{break-inside:avoid}}
";

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

/// A horizontal bar chart.
fn bars(items: &[(String, u64)], title: &str) -> String {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (230.0, 440.0, 22.0);
    let height = row_h * items.len() as f64 + 30.0;
    let mut s = format!(
        "<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {height}\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(title),
        label_w + bar_w + 70.0
    );
    for (i, (name, n)) in items.iter().enumerate() {
        let y = 10.0 + row_h * i as f64;
        let w = bar_w * (*n as f64) / (max as f64);
        let short: String = name.chars().take(32).collect();
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"#2563eb\"/><text x=\"{:.1}\" y=\"{:.1}\">{n}</text>",
            label_w - 6.0,
            y + 14.0,
            esc(&short),
            y + 3.0,
            row_h - 6.0,
            label_w + w + 4.0,
            y + 14.0
        );
    }
    s.push_str("</svg>");
    s
}

/// A line chart of series over the runs' dates.
fn lines(dates: &[String], series: &[(&str, &str, Vec<u64>)]) -> String {
    let (w, h, left, bottom, top) = (700.0, 280.0, 60.0, 40.0, 20.0);
    let max = series
        .iter()
        .flat_map(|s| s.2.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let n = dates.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            left + (w - left - 20.0) / 2.0
        } else {
            left + (w - left - 20.0) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: u64| top + (h - top - bottom) * (1.0 - v as f64 / max);
    let mut s = format!(
        "<svg role=\"img\" aria-label=\"trend\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\"><line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#9ca3af\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" stroke=\"#9ca3af\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>",
        h - bottom,
        w - 20.0,
        h - bottom,
        h - bottom,
        left - 6.0,
        top + 4.0,
        max as u64,
        left - 6.0,
        h - bottom
    );
    for (i, d) in dates.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x(i),
            h - bottom + 18.0,
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
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            left + 10.0 + 220.0 * k as f64,
            h - 14.0,
            left + 26.0 + 220.0 * k as f64,
            h - 4.0,
            esc(name)
        );
    }
    s.push_str("</svg>");
    s
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
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} {}</title><style>{CSS}</style></head><body>",
        if vi { "vi" } else { "en" },
        t(
            "Báo cáo làm sạch dữ liệu tiêm chủng",
            "Vaccination data cleaning report"
        ),
        esc(&day)
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
    let share = format!("{:.1}%", totals.share_clean() * 100.0);
    let share = if vi { share.replace('.', ",") } else { share };
    let _ = write!(
        h,
        "<section class=\"cards\" id=\"totals\"><div class=\"card\">{}<b data-k=\"rows\" data-v=\"{}\">{}</b></div><div class=\"card\">{}<b data-k=\"people\" data-v=\"{}\">{}</b></div><div class=\"card\">{}<b class=\"bad\" data-k=\"people_with_errors\" data-v=\"{}\">{}</b></div><div class=\"card\">{}<b data-k=\"share_clean\" data-v=\"{:.4}\">{share}</b></div>",
        t("Số dòng", "Rows"),
        totals.rows,
        lang.count(totals.rows),
        t("Số người", "People"),
        totals.people,
        lang.count(totals.people),
        t("Người có lỗi", "People with errors"),
        totals.people_with_errors,
        lang.count(totals.people_with_errors),
        t("Tỷ lệ sạch", "Clean"),
        totals.share_clean()
    );
    if let Some(last) = data.trend.last() {
        let _ = write!(
            h,
            "<div class=\"card\">{}<b data-k=\"new\" data-v=\"{}\">{}</b></div><div class=\"card\">{}<b data-k=\"fixed\" data-v=\"{}\">{}</b></div><div class=\"card\">{}<b data-k=\"open\" data-v=\"{}\">{}</b></div>",
            t("Phát hiện mới", "New findings"),
            last.new,
            lang.count(last.new),
            t("Đã được sửa", "Fixed"),
            last.fixed,
            lang.count(last.fixed),
            t("Còn tồn đọng", "Open"),
            last.open,
            lang.count(last.open)
        );
    }
    h.push_str("</section>");

    let _ = write!(
        h,
        "<section><h2>{}</h2>{}</section>",
        t("Người có lỗi theo địa bàn", "People with errors by unit"),
        bars(
            &data.chart_units(),
            t("Người có lỗi theo địa bàn", "People with errors by unit")
        )
    );
    if data.from_history {
        let dates: Vec<String> = data
            .trend
            .iter()
            .map(|r| r.as_of.format("%d/%m").to_string())
            .collect();
        let open: Vec<u64> = data.trend.iter().map(|r| r.open).collect();
        let people: Vec<u64> = data.trend.iter().map(|r| r.people_with_errors).collect();
        let _ = write!(
            h,
            "<section><h2>{}</h2>{}</section>",
            t("Xu hướng qua các lần quét", "Trend across runs"),
            lines(
                &dates,
                &[
                    (
                        t("Phát hiện còn tồn đọng", "Open findings"),
                        "#c2410c",
                        open
                    ),
                    (t("Người có lỗi", "People with errors"), "#2563eb", people),
                ]
            )
        );
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
                "<div class=\"scroll\"><table id=\"overdue\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                t("Tỉnh/thành phố", "Province"),
                t("Quận/huyện", "District"),
                t("Xã/phường", "Commune"),
                t("Lỗi còn mở", "Open errors"),
                t("Số ngày chờ", "Days waiting")
            );
            for o in &data.overdue {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td>{}<td class=\"n bad\" data-v=\"{}\">{}</td></tr>",
                    esc(&o.unit.province),
                    esc(&o.unit.district),
                    esc(&o.unit.commune),
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
            0 | 1 => &u.unit.province,
            2 => &u.unit.district,
            _ => &u.unit.commune,
        };
        let name = if name.is_empty() {
            t("(chưa rõ)", "(unknown)")
        } else {
            name.as_str()
        };
        let _ = write!(
            h,
            "<tr class=\"l{level}\" data-unit=\"{}|{}|{}\"><td>{}</td>{}{}{}{}",
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
    h.push_str("</tbody></table></div></section>");
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
