//! The command line in Vietnamese: every subcommand's description and examples and every
//! argument's help, keyed by subcommand and argument id, put onto the clap command that the
//! derive definitions in [`super`] build (their doc comments are the English text). A new
//! argument needs its line in [`ARGS`]; a unit test fails on any argument without one.

use clap::{Arg, Command};

/// Where arguments are listed in the Vietnamese help.
const ARGUMENTS: &str = "Tham số";
/// Where options are listed in the Vietnamese help.
const OPTIONS: &str = "Tùy chọn";

/// The help layout, with Vietnamese headings (clap's own say "Usage", "Arguments", "Options").
const TEMPLATE: &str =
    "{before-help}{about-with-newline}\nCách dùng: {usage}\n\n{all-args}{after-help}";

/// The options every subcommand has.
const GLOBAL: &[&str] = &["lang", "quiet", "group_readable", "help", "version"];

/// What each subcommand does (the top level is `""`).
const ABOUT: &[(&str, &str)] = &[
    (
        "",
        "Tìm và sửa các bản ghi sai trong dữ liệu tiêm chủng COVID-19 (tệp Excel và CSV).",
    ),
    (
        "scan",
        "Tìm mọi bản ghi sai trong các tệp dữ liệu Excel và CSV; ghi findings.csv và summary.json.",
    ),
    (
        "export-list",
        "Ghi cho mỗi xã một sổ danh sách cần sửa bằng tiếng Việt, sẵn sàng in ra và điền.",
    ),
    (
        "apply-corrections",
        "Gộp các danh sách đã điền trả về vào dữ liệu: mọi sửa đổi được kiểm tra và ghi lại, dòng không áp dụng được thì trả lại kèm lý do.",
    ),
    (
        "repair",
        "Tự sửa những lỗi chắc chắn (mất số 0 đầu, dấu phân cách, định dạng, tên bị lỗi bảng mã chỉ có một cách đọc, số điện thoại cũ) mà không cần người kiểm tra: bản sao đã sửa của dữ liệu và audit.csv; phần còn lại để cho danh sách.",
    ),
    (
        "report",
        "Tình hình của từng tỉnh, huyện, xã và diễn biến qua từng đêm: report.xlsx, report.html và phần đầu của báo cáo trên màn hình.",
    ),
    (
        "sample",
        "Ghi một tệp dữ liệu giả (tên như thật, số CCCD/CMND hợp lệ, có cài lỗi) để thử công cụ.",
    ),
    (
        "help",
        "In hướng dẫn này, hoặc hướng dẫn của lệnh được nêu.",
    ),
];

/// The examples under each subcommand's help.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "",
        "Ví dụ:
  vaxclean scan fixtures/sample.csv fixtures/sample.xlsx --out ket-qua-quet
  vaxclean export-list du-lieu/ --out danh-sach
  vaxclean scan --help

Chạy bằng tiếng Anh: --lang en, hoặc đặt biến môi trường VAXCLEAN_LANG=en.",
    ),
    (
        "scan",
        "Ví dụ:
  vaxclean scan fixtures/sample.csv
  vaxclean scan du-lieu/ --out ket-qua
  vaxclean scan du-lieu.xlsx --sheet \"Danh sach\" --header-row 4 --map id_number=\"So giay to\"
  vaxclean scan du-lieu/*.csv --fail-on error --quiet
  vaxclean scan du-lieu/ --out ket-qua --registry dan-cu-xa.xlsx

Các cột của tệp kết quả được mô tả trong docs/outputs.md.",
    ),
    (
        "export-list",
        "Ví dụ:
  vaxclean export-list fixtures/sample.csv --out danh-sach
  vaxclean export-list du-lieu/ --out danh-sach --province \"Quảng Nam\" --min-severity warning
  vaxclean export-list du-lieu.xlsx --out danh-sach --commune 20308
  vaxclean export-list du-lieu/ --out danh-sach --registry dan-cu-xa.xlsx

Ghi THƯ_MỤC/<tỉnh>/<huyện>/<xã>.xlsx và THƯ_MỤC/index.csv (docs/export-list.md).",
    ),
    (
        "apply-corrections",
        "Ví dụ:
  vaxclean apply-corrections --source du-lieu.csv --corrections danh-sach-tra-ve/ --out ket-qua
  vaxclean apply-corrections --source du-lieu/ --corrections a.xlsx b.xlsx --out ket-qua --dry-run
  vaxclean apply-corrections --source du-lieu/ --corrections tra-ve/ --out ket-qua --registry dan-cu-xa.xlsx

Ghi THƯ_MỤC/merged/, THƯ_MỤC/audit.csv, THƯ_MỤC/rejected/, THƯ_MỤC/import/,
THƯ_MỤC/verification.xlsx và THƯ_MỤC/summary.json (docs/apply-corrections.md). Tệp dữ liệu gốc
không bao giờ bị ghi đè.",
    ),
    (
        "repair",
        "Ví dụ:
  vaxclean repair du-lieu.csv --out sua-tu-dong
  vaxclean repair du-lieu/ --out sua-tu-dong --dry-run

Ghi THƯ_MỤC/merged/ (mỗi tệp dữ liệu với các lỗi chắc chắn đã sửa), THƯ_MỤC/audit.csv (mỗi ô
đã đổi một dòng, trạng thái repaired) và THƯ_MỤC/summary.json (docs/repair.md). Tệp dữ liệu gốc
không bao giờ bị ghi đè.",
    ),
    (
        "report",
        "Ví dụ:
  vaxclean report vaxclean-out --out bao-cao
  vaxclean report quet-huyen-a quet-huyen-b --out bao-cao
  vaxclean report --history vaxclean.sqlite --out bao-cao --sla-days 3

Báo cáo chỉ chứa số đếm, không có thông tin cá nhân (docs/report.md).",
    ),
    (
        "sample",
        "Ví dụ:
  vaxclean sample --people 1000 --out thu.csv
  vaxclean sample --people 500 --out thu.xlsx --title-lines --numeric-ids
  vaxclean sample --people 100000 --out lon.csv --defect-rate 0.2 --seed 7 --truth dap-an.csv
  vaxclean sample --people 2000 --out thu.csv --registry dan-cu.xlsx --registry-key khoa.csv
  vaxclean sample --people 200 --out sach.csv --defect-rate 0 --encoding windows-1258 --delimiter ';'",
    ),
];

/// The help of each argument: `"subcommand.id"` for one subcommand's, `"id"` for an argument
/// that means the same wherever it appears. The subcommand's own entry wins.
const ARGS: &[(&str, &str)] = &[
    // Every subcommand.
    (
        "lang",
        "Ngôn ngữ của thông báo: vi (tiếng Việt) hoặc en (tiếng Anh).",
    ),
    ("quiet", "Chỉ in lỗi, không in gì khác."),
    (
        "group_readable",
        "Cho cả nhóm của người dùng đọc các tệp kết quả (mặc định chỉ người tạo đọc được, vì chúng chứa thông tin cá nhân).",
    ),
    ("help", "In hướng dẫn này."),
    ("version", "In số phiên bản."),
    // Reading dumps.
    (
        "inputs",
        "Tệp dữ liệu (.xlsx .xlsm .xlsb .xls .ods .csv .tsv .txt) hoặc thư mục chứa chúng.",
    ),
    (
        "sheets",
        "Chỉ đọc trang tính này (lặp lại cho nhiều trang); mặc định: mọi trang.",
    ),
    (
        "header_row",
        "Dòng tiêu đề là dòng này (đếm từ 1), thay vì tự tìm.",
    ),
    (
        "maps",
        "Chỉ định một cột: TRƯỜNG=\"Tên cột\" (các trường: record_id, full_name, birth_date, gender, id_number, phone, insurance_number, province, district, commune, address, dose_number, dose_date, vaccine, lot_number, facility).",
    ),
    (
        "config",
        "Tệp TOML chứa cách ghép cột và giá trị mặc định (xem docs/config.md).",
    ),
    (
        "threads",
        "Số luồng xử lý (mặc định 0: một luồng cho mỗi lõi CPU).",
    ),
    (
        "index_memory",
        "Số byte các chỉ mục đối chiếu giữa các bản ghi được giữ trong bộ nhớ trước khi ghi ra tệp tạm (dùng cho kiểm thử).",
    ),
    (
        "as_of",
        "Ngày được coi là hôm nay, dạng YYYY-MM-DD (khi chạy lại dữ liệu cũ, khi kiểm thử).",
    ),
    (
        "gazetteer",
        "Đối chiếu địa danh với tệp CSV danh mục này thay cho danh mục năm 2020 có sẵn (các cột: province_code,province,district_code,district,commune_code,commune).",
    ),
    (
        "registry",
        "Tệp trích xuất dữ liệu dân cư do công an xã xuất (xlsx, xls, ods, csv): mỗi người được đối chiếu với cư dân trong đó, và số giấy tờ, họ tên, ngày sinh, giới tính theo dữ liệu dân cư được đề xuất khi bản ghi khác (lỗi REG_*, docs/rules.md). Đặt sau các tệp đầu vào, hoặc lặp lại cho từng tệp.",
    ),
    (
        "registry_maps",
        "Chỉ định một cột của tệp dân cư: TRƯỜNG=\"Tên cột\" (các trường: id_number, old_id_number, full_name, birth_date, gender, address, commune, district, province).",
    ),
    (
        "history_wait",
        "Số giây chờ khi một lần chạy khác đang ghi vào cùng tệp lịch sử.",
    ),
    (
        "allow_partial",
        "Khi có tệp đầu vào không đọc được, vẫn ghi kết quả của các tệp còn lại (thay cho kết quả lần trước); mặc định lần chạy như vậy không thay đổi gì.",
    ),
    // scan
    (
        "scan.out",
        "Thư mục ghi findings.csv và summary.json (tự tạo nếu chưa có).",
    ),
    (
        "scan.fail_on",
        "Thoát với mã 1 khi có lỗi ở mức này trở lên: error (có lỗi) hoặc warning (có lỗi hoặc cảnh báo).",
    ),
    (
        "scan.history",
        "Ghi lần chạy vào tệp lịch sử này (SQLite; tự tạo nếu chưa có) để so sánh giữa các đêm.",
    ),
    (
        "scan.allow_out_of_order",
        "Ghi một lần chạy có ngày sớm hơn lần mới nhất trong lịch sử (cách an toàn là chạy lại dữ liệu cũ theo thứ tự; tùy chọn này ghi lại ngày của những gì tìm thấy).",
    ),
    (
        "scan.units",
        "Đếm các đơn vị trong summary.json theo đơn vị hành chính năm 2020 như dữ liệu ghi, hoặc gộp vào xã và tỉnh hiện nay (2025); lịch sử luôn giữ đơn vị như đã đọc.",
    ),
    // export-list
    (
        "export-list.out",
        "Thư mục ghi các sổ danh sách và index.csv (tự tạo nếu chưa có).",
    ),
    (
        "export-list.province",
        "Chỉ tỉnh này (tên, viết kiểu nào cũng được; lặp lại cho nhiều tỉnh).",
    ),
    (
        "export-list.district",
        "Chỉ huyện này (tên, viết kiểu nào cũng được; lặp lại cho nhiều huyện).",
    ),
    (
        "export-list.commune",
        "Chỉ xã này (tên viết kiểu nào cũng được, hoặc mã 5 chữ số; lặp lại cho nhiều xã).",
    ),
    (
        "export-list.min_severity",
        "Đưa vào danh sách những người có lỗi ở mức này trở lên: error (lỗi ở số giấy tờ, họ tên, ngày sinh hoặc giới tính), warning (thêm cảnh báo: điện thoại, xã, ngày sinh chỉ có năm, tên một chữ), info (thêm lỗi chỉ về định dạng).",
    ),
    (
        "export-list.include_repairable",
        "Đưa cả những người mà mọi lỗi đều sửa tự động chắc chắn được (mất số 0 đầu, dấu phân cách, định dạng, tên lỗi bảng mã rõ ràng), những lỗi mà lệnh repair tự sửa.",
    ),
    (
        "export-list.units",
        "Chia danh sách theo xã năm 2020 như dữ liệu ghi, hoặc theo xã hiện nay (2025): THƯ_MỤC/<tỉnh>/<xã>.xlsx; người của xã bị chia theo địa chỉ, hoặc vào _can-xac-dinh.xlsx.",
    ),
    (
        "export-list.history",
        "Ghi mỗi danh sách xuất ra vào tệp lịch sử này (tệp mà scan --history dùng), để apply-corrections --history chỉ nhận những danh sách xuất từ đây.",
    ),
    // apply-corrections
    (
        "apply-corrections.sources",
        "Các tệp dữ liệu mà danh sách đã được xuất từ đó (hoặc tệp mới hơn của cùng các bản ghi).",
    ),
    (
        "apply-corrections.corrections",
        "Các sổ danh sách đã điền trả về, hoặc thư mục chứa chúng.",
    ),
    (
        "apply-corrections.out",
        "Thư mục ghi dữ liệu đã gộp, audit.csv, danh sách trả lại, tệp nhập lại, verification.xlsx và summary.json (tự tạo nếu chưa có).",
    ),
    (
        "apply-corrections.dry_run",
        "Kiểm tra mọi thứ nhưng chỉ ghi audit.csv và summary.json.",
    ),
    (
        "apply-corrections.history",
        "Chỉ nhận những danh sách đã được export-list --history ghi vào tệp lịch sử này, đối chiếu từng dòng với dòng đã ghi, và giữ các xung đột giữa các danh sách qua nhiều đợt.",
    ),
    // repair
    (
        "repair.out",
        "Thư mục ghi dữ liệu đã sửa, audit.csv và summary.json (tự tạo nếu chưa có).",
    ),
    (
        "repair.dry_run",
        "Tìm các chỗ sửa nhưng chỉ ghi audit.csv và summary.json.",
    ),
    // report
    (
        "report.scans",
        "Các thư mục do lệnh scan ghi (summary.json của chúng), được cộng lại.",
    ),
    (
        "report.history",
        "Tệp lịch sử do scan --history ghi (thêm diễn biến và các đơn vị quá hạn).",
    ),
    (
        "report.out",
        "Thư mục ghi report.xlsx và report.html (tự tạo nếu chưa có).",
    ),
    (
        "report.sla_days",
        "Số ngày một lỗi được phép chờ trước khi đơn vị của nó bị ghi là quá hạn.",
    ),
    (
        "report.units",
        "Đếm theo đơn vị năm 2020 mà các lần quét đã ghi, hoặc gộp vào xã và tỉnh hiện nay (2025).",
    ),
    // sample
    (
        "sample.people",
        "Số người (mỗi người một dòng cho mỗi mũi tiêm, từ 1 đến 4 mũi).",
    ),
    (
        "sample.rows",
        "Dừng khi đủ số dòng này thay vì theo số người (dùng cho đo tốc độ).",
    ),
    ("sample.out", "Tệp kết quả: .csv, .tsv hoặc .xlsx."),
    (
        "sample.seed",
        "Hạt giống ngẫu nhiên: cùng hạt giống cho cùng một tệp.",
    ),
    (
        "sample.first_record",
        "Số của mã bản ghi đầu tiên (VX000000001 là 1); mặc định: tính từ hạt giống, để các tệp khác hạt giống không trùng mã bản ghi.",
    ),
    (
        "sample.defect_rate",
        "Tỉ lệ người được cài một lỗi (từ 0 đến 1), chia đều cho các loại lỗi.",
    ),
    (
        "sample.defects",
        "Chỉ các loại lỗi này, cách nhau bằng dấu phẩy (danh sách ở docs/sample.md).",
    ),
    (
        "sample.provinces",
        "Chỉ các xã thuộc những tỉnh này (mã 2 chữ số, cách nhau bằng dấu phẩy).",
    ),
    (
        "sample.communes",
        "Chia người cho chừng này xã (mặc định: khoảng một xã cho mỗi 1.000 người).",
    ),
    ("sample.encoding", "Bảng mã của tệp CSV."),
    ("sample.delimiter", "Dấu phân cách của tệp CSV."),
    (
        "sample.numeric_ids",
        "xlsx: ghi số giấy tờ thành ô số (Excel sẽ làm mất số 0 đầu).",
    ),
    (
        "sample.title_lines",
        "Thêm các dòng tiêu đề phía trên dòng tên cột, như tệp xuất từ nền tảng.",
    ),
    (
        "sample.truth",
        "Ghi thêm các lỗi đã cài (những gì lần quét phải tìm ra) vào tệp CSV này.",
    ),
    (
        "sample.as_of",
        "Ngày mà tệp mẫu coi là hôm nay, dạng YYYY-MM-DD.",
    ),
    (
        "sample.registry",
        "Ghi thêm một tệp trích xuất dữ liệu dân cư của các xã trong tệp (.xlsx hoặc .csv), để thử đối chiếu dân cư; dữ liệu khi đó có thêm những sai lệch mà việc đối chiếu phải nhận ra (docs/sample.md).",
    ),
    (
        "sample.registry_units",
        "Các cột địa danh của tệp dân cư: 2025 (xã và tỉnh từ tháng 7/2025) hoặc 2020 (xã, huyện, tỉnh).",
    ),
    (
        "sample.registry_key",
        "Cùng --registry: ghi thêm đáp án (mỗi dòng dữ liệu là cư dân nào) vào tệp CSV này.",
    ),
];

/// The Vietnamese help of argument `id` of subcommand `sub` (`""` for the top level).
pub fn arg_text(sub: &str, id: &str) -> Option<&'static str> {
    let own = format!("{sub}.{id}");
    lookup(ARGS, &own).or_else(|| lookup(ARGS, id))
}

/// The Vietnamese description of subcommand `sub` (`""` for the top level).
pub fn about_text(sub: &str) -> Option<&'static str> {
    lookup(ABOUT, sub)
}

fn lookup(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Puts the Vietnamese texts onto `cmd` (the command the derive definitions build) and its
/// subcommands. An argument without a Vietnamese text keeps its English one (the unit test
/// below makes sure there is none).
pub fn vietnamese(cmd: Command) -> Command {
    let mut cmd = cmd;
    // Building first makes clap add its own arguments (--help, --version, the `help`
    // subcommand) and copy the global ones into every subcommand, so that all can be changed.
    cmd.build();
    localize(cmd, "")
}

fn localize(mut cmd: Command, sub: &str) -> Command {
    if let Some(about) = about_text(sub) {
        cmd = cmd.about(about).long_about(None::<&str>);
    }
    if let Some(examples) = lookup(EXAMPLES, sub) {
        cmd = cmd.after_help(examples).after_long_help(None::<&str>);
    }
    cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("Lệnh")
        .subcommand_value_name("LỆNH");
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().as_str().to_string())
        .collect();
    for id in ids {
        let text = arg_text(sub, &id);
        cmd = cmd.mut_arg(&id, |a| localize_arg(a, text));
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        cmd = cmd.mut_subcommand(&name, |s| localize(s, &name));
    }
    // clap's usage line says "[OPTIONS]"; the Vietnamese one is written once here.
    let usage = cmd.render_usage().to_string();
    let usage = usage
        .trim_start_matches("Usage:")
        .trim()
        .replace("[OPTIONS]", "[TÙY_CHỌN]")
        .replace("<COMMAND>", "<LỆNH>")
        .replace("[COMMAND]", "[LỆNH]");
    cmd.override_usage(usage)
}

fn localize_arg(arg: Arg, text: Option<&str>) -> Arg {
    let Some(text) = text else {
        return arg;
    };
    let mut help = text.to_string();
    let takes_value = arg.get_action().takes_values();
    if takes_value {
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() {
            help.push_str(&format!(" [giá trị: {}]", values.join(", ")));
        }
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if !defaults.is_empty() {
            help.push_str(&format!(" [mặc định: {}]", defaults.join(", ")));
        }
    }
    if let Some(env) = arg.get_env() {
        help.push_str(&format!(" [biến môi trường: {}]", env.to_string_lossy()));
    }
    // The options of every subcommand come last, in one order, as in the English help.
    let id = arg.get_id().as_str();
    let arg = match GLOBAL.iter().position(|g| *g == id) {
        Some(i) => arg.display_order(1000 + i),
        None => arg,
    };
    let heading = if arg.is_positional() {
        ARGUMENTS
    } else {
        OPTIONS
    };
    arg.help(help)
        .long_help(None::<&str>)
        .hide_possible_values(true)
        .hide_default_value(true)
        .hide_env(true)
        .help_heading(heading)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::CommandFactory;

    /// Every argument and subcommand, with the subcommand it belongs to.
    fn walk(cmd: &Command, sub: &str, out: &mut Vec<(String, String, bool)>) {
        out.push((sub.to_string(), String::new(), about_text(sub).is_some()));
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            out.push((sub.to_string(), id.to_string(), arg_text(sub, id).is_some()));
        }
        for s in cmd.get_subcommands() {
            walk(s, s.get_name(), out);
        }
    }

    #[test]
    fn every_argument_and_subcommand_has_a_vietnamese_text() {
        let mut cmd = Cli::command();
        cmd.build();
        let mut all = Vec::new();
        walk(&cmd, "", &mut all);
        let missing: Vec<String> = all
            .iter()
            .filter(|(_, _, found)| !found)
            .map(|(sub, id, _)| format!("{sub}.{id}"))
            .collect();
        assert!(
            missing.is_empty(),
            "no Vietnamese help in src/cli/help.rs for: {missing:?}"
        );
        assert!(all.len() > 60, "the walk saw the whole tree: {}", all.len());
    }

    #[test]
    fn every_subcommand_has_vietnamese_examples() {
        for s in Cli::command().get_subcommands() {
            let ex = lookup(EXAMPLES, s.get_name()).unwrap_or_default();
            assert!(ex.starts_with("Ví dụ:"), "{}", s.get_name());
            assert!(ex.contains(&format!("vaxclean {}", s.get_name())));
        }
    }

    #[test]
    fn no_table_entry_is_left_over() {
        let mut cmd = Cli::command();
        cmd.build();
        let mut all = Vec::new();
        walk(&cmd, "", &mut all);
        for (key, _) in ARGS {
            let used = all
                .iter()
                .any(|(sub, id, _)| !id.is_empty() && (format!("{sub}.{id}") == *key || id == key));
            assert!(used, "'{key}' in ARGS is no argument of the command line");
        }
    }

    #[test]
    fn the_vietnamese_help_has_vietnamese_headings_values_and_defaults() {
        let mut cmd = vietnamese(Cli::command());
        // Words only: where clap wraps a line depends on the terminal.
        let words = |s: String| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let top = words(cmd.render_help().to_string());
        assert!(
            top.contains("Cách dùng: vaxclean [TÙY_CHỌN] <LỆNH>"),
            "{top}"
        );
        assert!(top.contains("Lệnh:") && top.contains("Tùy chọn:"), "{top}");
        assert!(!top.contains("Usage") && !top.contains("Options:"), "{top}");
        assert!(top.contains("[giá trị: vi, en]"), "{top}");
        let scan = cmd
            .find_subcommand_mut("scan")
            .map(|s| words(s.render_long_help().to_string()))
            .unwrap_or_default();
        assert!(scan.contains("Tham số:"), "{scan}");
        assert!(scan.contains("[mặc định: vaxclean-out]"), "{scan}");
        assert!(scan.contains("Ví dụ:"), "{scan}");
        assert!(!scan.contains("Print help"), "{scan}");
    }
}
