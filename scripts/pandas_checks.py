#!/usr/bin/env python3
"""The main checks of docs/rules.md the way an analyst would write them in pandas: vectorised
(string methods, regexes, to_datetime, merges, groupby), no Python loop where pandas has a
vectorised way. It is the peer `scripts/bench.py` measures `vaxclean scan` against; it is not part
of the tool.

Requirements: Python 3.9+, pandas 2.x, and openpyxl for .xlsx input
(`pip install pandas openpyxl`).

Usage: python3 scripts/pandas_checks.py DUMP.(csv|xlsx) OUT.csv [--as-of YYYY-MM-DD]

Checks: ID missing / wrong length / Excel-dropped leading zeros / placeholders / unknown province code
/ sex digit and birth year against the CCCD / one number on two people; name missing / digits or
symbols / capitals and spaces / one word; birth date missing / invalid / out of range / year only;
sex missing / invalid / spelling; phone invalid / pre-2018 11 digits; commune not in the
gazetteer; dose date invalid / before the campaign / in the future; the same dose twice. Writes one
row per finding (row, field, code, value).
"""

import argparse
import os
import sys

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")

COLUMNS = {
    "name": "Họ và tên",
    "birth": "Ngày sinh",
    "sex": "Giới tính",
    "id": "Số CMND/CCCD",
    "phone": "Số điện thoại",
    "province": "Tỉnh/Thành phố",
    "district": "Quận/Huyện",
    "commune": "Xã/Phường",
    "dose": "Mũi tiêm",
    "dose_date": "Ngày tiêm",
}


def read(path):
    if path.lower().endswith((".xlsx", ".xlsm")):
        # Find the header below the title lines, as an analyst would after a first look.
        head = pd.read_excel(path, header=None, nrows=30, dtype=str, engine="openpyxl")
        row = head.index[head.apply(lambda r: r.str.strip().eq(COLUMNS["name"]).any(), axis=1)][0]
        return pd.read_excel(path, header=row, dtype=str, engine="openpyxl")
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dump")
    p.add_argument("out")
    p.add_argument("--as-of", default=pd.Timestamp.today().strftime("%Y-%m-%d"))
    a = p.parse_args()
    today = pd.Timestamp(a.as_of)

    df = read(a.dump)
    df.columns = [str(c).strip() for c in df.columns]
    s = {k: df[v].fillna("").astype(str).str.strip() if v in df else pd.Series("", index=df.index)
         for k, v in COLUMNS.items()}
    out = []

    def flag(mask, field, code, values):
        if mask.any():
            out.append(pd.DataFrame({"row": df.index[mask] + 2, "field": field, "code": code,
                                     "value": values[mask]}))

    # ID numbers.
    raw_id = s["id"].str.replace(r"\.0$", "", regex=True)
    digits = raw_id.str.replace(r"[\s.\-']", "", regex=True)
    n = digits.str.len()
    missing = digits.eq("")
    flag(missing, "id_number", "ID_MISSING", raw_id)
    has_letters = ~missing & digits.str.contains(r"\D")
    flag(has_letters, "id_number", "ID_FORMAT", raw_id)
    ok_digits = ~missing & ~has_letters
    flag(ok_digits & n.isin([8, 10, 11]), "id_number", "ID_LEADING_ZERO_LOST", raw_id)
    flag(ok_digits & ~n.isin([8, 9, 10, 11, 12]), "id_number", "ID_FORMAT", raw_id)
    placeholder = ok_digits & (digits.str.fullmatch(r"(\d)\1+") | digits.isin(["123456789", "123456789012"]))
    flag(placeholder, "id_number", "ID_PLACEHOLDER", raw_id)
    codes = set(pd.read_csv(os.path.join(DATA, "cccd_province_codes.csv"), dtype=str)["code"])
    codes |= set(pd.read_csv(os.path.join(DATA, "cccd_birth_country_codes.csv"), dtype=str)["code"])
    cccd = ok_digits & n.eq(12) & ~placeholder
    flag(cccd & ~digits.str[:3].isin(codes), "id_number", "ID_PROVINCE_CODE", raw_id)
    century_sex = pd.to_numeric(digits.str[3].where(cccd), errors="coerce")
    id_year = 1900 + (century_sex // 2) * 100 + pd.to_numeric(digits.str[4:6].where(cccd), errors="coerce")
    id_female = century_sex % 2 == 1

    # Birth dates.
    birth = pd.to_datetime(s["birth"], format="%d/%m/%Y", errors="coerce")
    iso = pd.to_datetime(s["birth"], format="%Y-%m-%d", errors="coerce")
    birth = birth.fillna(iso)
    year_only = s["birth"].str.fullmatch(r"\d{4}")
    flag(s["birth"].eq(""), "birth_date", "DOB_MISSING", s["birth"])
    flag(s["birth"].ne("") & birth.isna() & ~year_only, "birth_date", "DOB_INVALID", s["birth"])
    flag(year_only, "birth_date", "DOB_YEAR_ONLY", s["birth"])
    flag(iso.notna(), "birth_date", "DOB_FORMAT", s["birth"])
    dose_date = pd.to_datetime(s["dose_date"], format="%d/%m/%Y", errors="coerce")
    out_of_range = birth.notna() & ((birth > today) | (birth < today - pd.DateOffset(years=120))
                                    | (dose_date.notna() & (birth > dose_date)))
    flag(out_of_range, "birth_date", "DOB_OUT_OF_RANGE", s["birth"])
    birth_year = birth.dt.year.fillna(pd.to_numeric(s["birth"].where(year_only), errors="coerce"))
    flag(cccd & birth_year.notna() & id_year.notna() & (birth_year != id_year), "birth_date",
         "ID_BIRTH_YEAR_MISMATCH", s["birth"])

    # Sex.
    sex = s["sex"].str.lower()
    male = sex.isin(["nam", "m", "male", "trai"])
    female = sex.isin(["nữ", "nu", "f", "female", "gái", "gai"])
    flag(sex.eq(""), "gender", "GENDER_MISSING", s["sex"])
    flag(sex.ne("") & ~male & ~female, "gender", "GENDER_INVALID", s["sex"])
    flag((male | female) & ~s["sex"].isin(["Nam", "Nữ"]), "gender", "GENDER_FORMAT", s["sex"])
    flag(cccd & century_sex.notna() & ((male & id_female) | (female & ~id_female)), "gender",
         "ID_GENDER_MISMATCH", s["sex"])

    # Names.
    name = s["name"]
    flag(name.eq(""), "full_name", "NAME_MISSING", name)
    flag(name.str.contains(r"[0-9!@#$%^&*()_+=\[\]{};:\"\\|,.<>/?~]"), "full_name", "NAME_INVALID_CHARS", name)
    clean = name.str.split().str.join(" ").str.title()
    flag(name.ne("") & name.ne(clean), "full_name", "NAME_FORMAT", name)
    flag(name.ne("") & ~name.str.contains(" "), "full_name", "NAME_INCOMPLETE", name)

    # Phones.
    phone = s["phone"].str.replace(r"[\s.\-()]", "", regex=True).str.replace(r"^(\+84|0084|84)", "0", regex=True)
    prefixes = pd.read_csv(os.path.join(DATA, "mobile_prefixes.csv"), dtype=str)
    new = tuple(prefixes["prefix_10digit"])
    old = tuple(prefixes["old_11digit_prefix_converted_2018"].dropna())
    valid = (phone.str.len().eq(10) & phone.str.startswith(new)) | (phone.str.len().eq(11) & phone.str.startswith("02"))
    old_format = phone.str.len().eq(11) & phone.str.startswith(old)
    flag(phone.ne("") & ~valid & ~old_format, "phone", "PHONE_INVALID", s["phone"])
    flag(old_format, "phone", "PHONE_OLD_FORMAT", s["phone"])

    # Places: an exact (case-insensitive) match against the gazetteer.
    gaz = pd.read_csv(os.path.join(DATA, "admin_units_2020.csv"), dtype=str)
    known = pd.Series(True, index=pd.MultiIndex.from_frame(
        gaz[["province", "district", "commune"]].apply(lambda c: c.str.lower())).drop_duplicates())
    key = pd.MultiIndex.from_arrays([s["province"].str.lower(), s["district"].str.lower(), s["commune"].str.lower()])
    flag(~key.isin(known.index), "commune", "ADDRESS_UNKNOWN", s["commune"])

    # Doses.
    flag(s["dose_date"].ne("") & dose_date.isna(), "dose_date", "DOSE_DATE_INVALID", s["dose_date"])
    flag(dose_date.notna() & ((dose_date < pd.Timestamp("2021-03-08")) | (dose_date > today)), "dose_date",
         "DOSE_DATE_INVALID", s["dose_date"])
    person = digits.where(n.isin([9, 12]), name.str.lower() + "|" + s["birth"])
    flag(pd.DataFrame({"p": person, "d": s["dose"]}).duplicated(keep="first") & s["dose"].ne(""),
         "dose_number", "DOSE_DUPLICATE", s["dose"])

    # One number, two people.
    both = pd.DataFrame({"id": digits, "who": name.str.lower() + "|" + s["birth"]})[cccd | (ok_digits & n.eq(9))]
    people_per_id = both.groupby("id")["who"].nunique()
    shared = digits.isin(people_per_id.index[people_per_id > 1])
    flag(shared, "id_number", "ID_DUPLICATE_CONFLICT", raw_id)

    found = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["row", "field", "code", "value"])
    found.sort_values(["row", "field", "code"]).to_csv(a.out, index=False, encoding="utf-8-sig")
    print(f"{len(df)} rows, {len(found)} findings", file=sys.stderr)


if __name__ == "__main__":
    main()
