//! Real-looking Vietnamese names: Kinh names built from weighted surnames, middle names and given
//! names, and names of ethnic minorities (Ê Đê, Jrai, H'Mông, Thái, Khmer, Tày) with their own
//! shapes, apostrophes included. All synthetic combinations, no real person's data.

use super::rng::Rng;
use crate::normalize::gender::Gender;

const SURNAMES: &[(&str, u32)] = &[
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 50),
    ("Huỳnh", 50),
    ("Phan", 45),
    ("Vũ", 39),
    ("Võ", 39),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 6),
    ("Trương", 6),
    ("Đoàn", 5),
    ("Lâm", 4),
    ("Mai", 4),
    ("Tô", 3),
    ("Cao", 3),
    ("Lương", 3),
    ("Hà", 3),
    ("Tạ", 2),
    ("Vương", 2),
    ("Châu", 2),
    ("Kiều", 1),
    ("La", 1),
    ("Triệu", 2),
    ("Quách", 1),
    ("Thái", 1),
    ("Từ", 1),
];

const MIDDLE_MALE: &[&str] = &[
    "Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Ngọc", "Xuân", "Quang",
    "Thành", "Đình", "Tuấn", "Anh", "Trọng", "Gia", "Hoàng", "Bảo", "Duy", "Nhật", "Tấn", "Phước",
];
const MIDDLE_FEMALE: &[&str] = &[
    "Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Hồng", "Thùy", "Phương",
    "Minh", "Bích", "Hoài", "Diệu", "Khánh", "Tuyết", "Ánh", "Bảo", "Cẩm", "Quỳnh",
];
const GIVEN_MALE: &[&str] = &[
    "Hùng",
    "Dũng",
    "Tuấn",
    "Minh",
    "Nam",
    "Long",
    "Sơn",
    "Hải",
    "Thắng",
    "Cường",
    "Hoàng",
    "Quang",
    "Huy",
    "Đức",
    "Phúc",
    "Khang",
    "Bảo",
    "Trung",
    "Hiếu",
    "Tài",
    "Lộc",
    "Phong",
    "Vinh",
    "Toàn",
    "Thịnh",
    "Tùng",
    "Khoa",
    "Đạt",
    "An",
    "Bình",
    "Hòa",
    "Nghĩa",
    "Quân",
    "Thành",
    "Việt",
    "Kiên",
    "Hưng",
    "Lực",
    "Trí",
    "Nhân",
    "Thuận",
    "Tiến",
    "Tâm",
    "Thiện",
    "Phát",
    "Khải",
    "Duy",
    "Hậu",
    "Lâm",
    "Vũ",
    "Kỳ",
    "Thủy",
    "Ngọc Ánh",
];
const GIVEN_FEMALE: &[&str] = &[
    "Lan",
    "Hương",
    "Hoa",
    "Mai",
    "Linh",
    "Trang",
    "Hà",
    "Thảo",
    "Ngọc",
    "Huyền",
    "Nhung",
    "Hạnh",
    "Yến",
    "Tuyết",
    "Phương",
    "Loan",
    "Dung",
    "Thủy",
    "Vy",
    "Anh",
    "Nhi",
    "Trâm",
    "Quyên",
    "Giang",
    "Oanh",
    "Xuân",
    "Diễm",
    "My",
    "Uyên",
    "Châu",
    "Ánh",
    "Hằng",
    "Liên",
    "Nga",
    "Thư",
    "Vân",
    "Hiền",
    "Thoa",
    "Thúy",
    "Ly",
    "Khuê",
    "Ánh Tuyết",
    "Minh Anh",
    "Bảo Ngọc",
    "Thu Hà",
    "Ngọc Hân",
    "Hoài Thương",
    "Kiều Oanh",
];

/// Draws a sex: male or female, one in two.
pub fn sex(rng: &mut Rng) -> Gender {
    if rng.chance(0.5) {
        Gender::Male
    } else {
        Gender::Female
    }
}

/// Draws a person: a sex, and a name of that sex (one in twenty of an ethnic-minority shape).
pub fn person(rng: &mut Rng) -> (Gender, String) {
    let sex = sex(rng);
    let minority = rng.chance(0.05);
    (sex, full_name(rng, sex, minority))
}

/// Builds a name for a person of `sex`. `minority` picks an ethnic-minority name shape.
pub fn full_name(rng: &mut Rng, sex: Gender, minority: bool) -> String {
    if minority {
        return minority_name(rng, sex);
    }
    let surname = rng.weighted(SURNAMES);
    let (middles, givens) = match sex {
        Gender::Male => (MIDDLE_MALE, GIVEN_MALE),
        Gender::Female => (MIDDLE_FEMALE, GIVEN_FEMALE),
    };
    let given = rng.pick(givens);
    match rng.below(20) {
        // Two middle names, or a compound surname such as "Tôn Nữ".
        0 => format!(
            "{surname} {} {} {given}",
            rng.pick(middles),
            rng.pick(middles)
        ),
        1 if sex == Gender::Female => format!("{surname} {} Nữ {given}", rng.pick(SURNAMES).0),
        2 => format!("{surname} {given}"),
        _ => format!("{surname} {} {given}", rng.pick(middles)),
    }
}

fn minority_name(rng: &mut Rng, sex: Gender) -> String {
    let female = sex == Gender::Female;
    match rng.below(6) {
        // Ê Đê: H'/Y + given + clan.
        0 => {
            let given = rng.pick(&[
                "Hen", "Yim", "Bia", "Năm", "Ngông", "Moan", "Blúi", "Đăm", "Kđăm", "Nu",
            ]);
            let clan = rng.pick(&[
                "Niê",
                "Êban",
                "Mlô",
                "Ayun",
                "Byă",
                "Kbuôr",
                "Niê Kdăm",
                "Hđơk",
                "Adrơng",
            ]);
            if female {
                format!("H'{given} {clan}")
            } else {
                format!("Y {given} {clan}")
            }
        }
        // Jrai: clan first.
        1 => {
            let clan = rng.pick(&["Ksor", "Rơ Mah", "Siu", "Rơ Lan", "Nay", "Kpă"]);
            let given = rng.pick(&["Plih", "Bloanh", "H'Lan", "Thuyên", "Nhiên", "Kơn"]);
            format!("{clan} {given}")
        }
        // H'Mông: surname + A/Seo/Mí or Thị + given.
        2 => {
            let surname = rng.pick(&[
                "Mùa", "Giàng", "Sùng", "Vàng", "Thào", "Lầu", "Hờ", "Ly", "Hạng",
            ]);
            let mid = if female {
                "Thị"
            } else {
                rng.pick(&["A", "Seo", "Mí", "A"])
            };
            let given = rng.pick(&[
                "Páo", "Dình", "Sử", "Chư", "Pó", "Dế", "Mỷ", "Sua", "Chứ", "Mai",
            ]);
            format!("{surname} {mid} {given}")
        }
        // Thái.
        3 => {
            let surname = rng.pick(&["Lò", "Cầm", "Lường", "Quàng", "Tòng", "Vi"]);
            let mid = if female { "Thị" } else { "Văn" };
            let given = rng.pick(&["Pâng", "Ngọc", "Hặc", "Xiêng", "Ún", "Muôn", "Phóng"]);
            format!("{surname} {mid} {given}")
        }
        // Khmer.
        4 => {
            let surname = rng.pick(&["Thạch", "Danh", "Sơn", "Kim", "Lâm", "Chau"]);
            let given = rng.pick(&[
                "Sa Phia",
                "Sô Phal",
                "Rinh",
                "Kha",
                "Sà Rương",
                "Sóc",
                "Đa Ra",
            ]);
            if female {
                format!("{surname} Thị {given}")
            } else {
                format!("{surname} {given}")
            }
        }
        // Tày, Nùng.
        _ => {
            let surname = rng.pick(&["Nông", "Hoàng", "Lục", "Bế", "Đàm", "Ma"]);
            let mid = if female { "Thị" } else { "Văn" };
            let given = rng.pick(&["Dền", "Pẻng", "Slình", "Páo", "Thìn", "Nhình"]);
            format!("{surname} {mid} {given}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_have_two_to_five_words() {
        let mut rng = Rng::new(3);
        for i in 0..2000 {
            let sex = if i % 2 == 0 {
                Gender::Male
            } else {
                Gender::Female
            };
            let name = full_name(&mut rng, sex, i % 7 == 0);
            let words = name.split(' ').count();
            assert!((2..=5).contains(&words), "{name}");
            assert!(!name.chars().any(|c| c.is_ascii_digit()), "{name}");
        }
    }
}
