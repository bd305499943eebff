//! Our own reader of xlsx workbooks, for speed: the shared strings and each sheet's XML are
//! scanned byte by byte in chunks as they inflate, where calamine walks every XML event through
//! quick-xml. On a dump's sheet, quick-xml's events are most of calamine's reading time; with
//! this reader a whole scan takes about half the time calamine takes only to read the file
//! (docs/BENCHMARKS.md).
//!
//! It gives every cell calamine would give, in the same order, with the same position and
//! value (tests compare the two on generated and hand-made workbooks). It only reads what a
//! dump is made of; anything else it hands back to calamine rather than guess:
//! - at open (the package's parts, the styles, the shared strings) the whole workbook
//!   ([`open`] is `Err`, nothing has been read);
//! - in a sheet (a comment or CDATA inside a cell, an element it does not know, a value whose
//!   reading it would have to guess, a broken part) the rest of the sheet: [`Book::stream`]
//!   says how many cells it gave, and the caller has calamine read the sheet again and skip
//!   those.
//!
//! The small parts (relationships, workbook, styles) are read with quick-xml like calamine
//! does; only the two big ones (shared strings, sheets) have the byte scanner.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{ExcelDateTime, ExcelDateTimeType};
use memchr::{memchr, memmem};
use quick_xml::events::{BytesStart, Event};

use crate::record::Cell;

/// Why the fast reader handed a workbook or a sheet back to calamine (tests read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported(pub &'static str);

/// A sheet given back to calamine part-way: the cells already given and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bail {
    /// Cells given before the reader stopped (calamine's reading skips as many).
    pub cells: u64,
    /// What the reader met.
    pub why: &'static str,
}

/// What a cell's number format makes of a number (as calamine decides it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumFormat {
    Other,
    DateTime,
    TimeDelta,
}

/// A worksheet, chart sheet or dialog sheet of the workbook.
#[derive(Debug, Clone)]
struct SheetPart {
    /// Its name, as shown on its tab.
    name: String,
    /// Whether it is a worksheet (the other kinds hold no rows).
    worksheet: bool,
    part: String,
}

/// The shared strings, one text with the end of each string.
#[derive(Default)]
struct Strings {
    text: String,
    ends: Vec<usize>,
}

impl Strings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }
}

/// An open workbook: its sheets, shared strings and number formats.
pub struct Book {
    zip: zip::ZipArchive<BufReader<File>>,
    /// Lower-cased part names with `/` for `\`, to the names in the zip.
    names: HashMap<String, String>,
    /// The sheets, in the workbook's order.
    sheets: Vec<SheetPart>,
    strings: Strings,
    formats: Vec<NumFormat>,
    is_1904: bool,
}

/// Opens a workbook: reads its package, workbook, styles and shared strings. `Err` when any
/// of them is something this reader does not read (then calamine reads the whole workbook).
pub fn open(path: &Path) -> Result<Book, Unsupported> {
    let file = File::open(path).map_err(|_| Unsupported("the file cannot be opened"))?;
    let zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|_| Unsupported("not a zip"))?;
    let mut names = HashMap::with_capacity(zip.len());
    for name in zip.file_names() {
        let name = name.map_err(|_| Unsupported("a part's name"))?;
        names.insert(
            name.replace('\\', "/").to_ascii_lowercase(),
            name.to_string(),
        );
    }
    let mut book = Book {
        zip,
        names,
        sheets: Vec::new(),
        strings: Strings::default(),
        formats: Vec::new(),
        is_1904: false,
    };
    let (dir, workbook) = book.package()?;
    book.read_strings(&format!("{dir}sharedStrings.xml"))?;
    book.read_styles(&format!("{dir}styles.xml"))?;
    let rels = book.relationships(&format!("{dir}_rels/{workbook}.rels"))?;
    book.read_workbook(&dir, &format!("{dir}{workbook}"), &rels)?;
    Ok(book)
}

/// A quick-xml reader of a small part, configured like calamine's.
type SmallXml<'z> = quick_xml::Reader<BufReader<zip::read::ZipFile<'z, BufReader<File>>>>;

/// The value of attribute `key` (exact name), undecoded.
fn raw_attr<'e>(e: &'e BytesStart<'_>, key: &str) -> Result<Option<&'e str>, Unsupported> {
    for a in e.attributes() {
        let a = a.map_err(|_| Unsupported("a malformed attribute"))?;
        if a.key.as_ref() == key {
            return Ok(Some(match a.value {
                std::borrow::Cow::Borrowed(v) => v,
                std::borrow::Cow::Owned(_) => return Err(Unsupported("an attribute")),
            }));
        }
    }
    Ok(None)
}

/// An attribute's value with its entities decoded.
fn decoded(v: &str) -> Result<String, Unsupported> {
    quick_xml::escape::unescape(v)
        .map(|s| s.into_owned())
        .map_err(|_| Unsupported("an unknown entity"))
}

impl Book {
    /// The names of the worksheets, in the workbook's order (chart and dialog sheets hold no
    /// rows and are left out).
    pub fn worksheets(&self) -> Vec<String> {
        self.sheets
            .iter()
            .filter(|s| s.worksheet)
            .map(|s| s.name.clone())
            .collect()
    }

    /// The zip's name of part `path`, looked up as calamine does: without regard to case, the
    /// zip's names with `/` for `\\` (the path's own backslashes stay); else the path itself.
    fn part_name(&self, path: &str) -> String {
        let key = path.to_ascii_lowercase();
        self.names
            .get(&key)
            .cloned()
            .unwrap_or_else(|| path.to_string())
    }

    /// Part `path` to read; `None` when the zip has no such part.
    fn part(
        &mut self,
        path: &str,
    ) -> Result<Option<zip::read::ZipFile<'_, BufReader<File>>>, Unsupported> {
        let name = self.part_name(path);
        match self.zip.by_name(&name) {
            Ok(part) => Ok(Some(part)),
            Err(zip::result::ZipError::FileNotFound) => Ok(None),
            Err(_) => Err(Unsupported("a part cannot be read")),
        }
    }

    fn small_xml(&mut self, path: &str) -> Result<Option<SmallXml<'_>>, Unsupported> {
        let Some(part) = self.part(path)? else {
            return Ok(None);
        };
        let mut xml = quick_xml::Reader::from_reader(BufReader::new(part));
        let config = xml.config_mut();
        config.check_end_names = false;
        config.trim_text(false);
        config.check_comments = false;
        config.expand_empty_elements = true;
        Ok(Some(xml))
    }

    /// The folder and name of the workbook part, from the package's relationships.
    fn package(&mut self) -> Result<(String, String), Unsupported> {
        let Some(mut xml) = self.small_xml("_rels/.rels")? else {
            return Err(Unsupported("no package relationships"));
        };
        let mut buf = Vec::new();
        let mut target = None;
        // As calamine: nothing counts before the `<Relationships>` start.
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e)) if e.local_name().as_ref() == "Relationships" => break,
                Ok(Event::Eof) | Err(_) => return Err(Unsupported("package relationships")),
                _ => (),
            }
        }
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e)) if e.local_name().as_ref() == "Relationship" => {
                    let office = raw_attr(&e, "Type")?
                        .is_some_and(|t| t.ends_with("/relationships/officeDocument"));
                    if office && let Some(t) = raw_attr(&e, "Target")? {
                        target = Some(decoded(t)?);
                    }
                }
                Ok(Event::End(e)) if e.local_name().as_ref() == "Relationships" => break,
                Ok(Event::Eof) | Err(_) => return Err(Unsupported("package relationships")),
                _ => (),
            }
        }
        let target = target.ok_or(Unsupported("no workbook in the package"))?;
        let (dir, name) = match target.rfind('/') {
            Some(i) => target.split_at(i + 1),
            None => ("", target.as_str()),
        };
        let name = if name.is_empty() {
            "workbook.xml"
        } else {
            name
        };
        Ok((
            dir.strip_prefix('/').unwrap_or(dir).to_string(),
            name.to_string(),
        ))
    }

    /// The workbook's relationships: id → (target, type).
    fn relationships(
        &mut self,
        path: &str,
    ) -> Result<HashMap<String, (String, String)>, Unsupported> {
        let Some(mut xml) = self.small_xml(path)? else {
            return Err(Unsupported("no workbook relationships"));
        };
        let mut rels = HashMap::new();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e)) if e.local_name().as_ref() == "Relationship" => {
                    if let Some(id) = raw_attr(&e, "Id")? {
                        let target = raw_attr(&e, "Target")?.unwrap_or_default();
                        let typ = raw_attr(&e, "Type")?.unwrap_or_default();
                        rels.insert(id.to_string(), (target.to_string(), typ.to_string()));
                    }
                }
                Ok(Event::End(e)) if e.local_name().as_ref() == "Relationships" => break,
                Ok(Event::Eof) | Err(_) => return Err(Unsupported("workbook relationships")),
                _ => (),
            }
        }
        Ok(rels)
    }

    /// The sheets (names, kinds, parts) and the date system.
    fn read_workbook(
        &mut self,
        dir: &str,
        path: &str,
        rels: &HashMap<String, (String, String)>,
    ) -> Result<(), Unsupported> {
        let Some(mut xml) = self.small_xml(path)? else {
            return Ok(());
        };
        let (mut sheets, mut is_1904) = (Vec::new(), false);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e)) if e.local_name().as_ref() == "sheet" => {
                    let (mut name, mut id) = (String::new(), None);
                    for a in e.attributes() {
                        let a = a.map_err(|_| Unsupported("a malformed attribute"))?;
                        let key = a.key.as_ref();
                        match key {
                            "name" => name = decoded(&a.value)?,
                            "state"
                                if !matches!(
                                    a.value.as_ref(),
                                    "visible" | "hidden" | "veryHidden"
                                ) =>
                            {
                                return Err(Unsupported("a sheet state"));
                            }
                            _ if key == "id" || key.ends_with(":id") => {
                                id = Some(a.value.to_string());
                            }
                            _ => {}
                        }
                    }
                    let (target, typ) = rels
                        .get(id.as_deref().unwrap_or(""))
                        .ok_or(Unsupported("a sheet without its part"))?;
                    let part = match target.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("{dir}{target}"),
                    };
                    let worksheet = match typ.rsplit('/').next() {
                        Some("worksheet") => true,
                        Some("chartsheet" | "dialogsheet") => false,
                        _ => return Err(Unsupported("a sheet kind")),
                    };
                    sheets.push(SheetPart {
                        name,
                        worksheet,
                        part,
                    });
                }
                // calamine reads the defined names and refuses an entity it cannot resolve.
                Ok(Event::Start(e)) if e.local_name().as_ref() == "definedName" => {
                    if let Some(name) = raw_attr(&e, "name")? {
                        decoded(name)?;
                        let end = e.name().as_ref().to_string();
                        let mut inner = Vec::new();
                        loop {
                            inner.clear();
                            match xml.read_event_into(&mut inner) {
                                Ok(Event::GeneralRef(r)) => {
                                    let known = quick_xml::escape::resolve_xml_entity(&r).is_some()
                                        || matches!(r.resolve_char_ref(), Ok(Some(_)));
                                    if !known {
                                        return Err(Unsupported("a defined name's entity"));
                                    }
                                }
                                Ok(Event::End(e)) if e.name().as_ref() == end => break,
                                Ok(Event::Eof) | Err(_) => {
                                    return Err(Unsupported("a defined name"));
                                }
                                _ => (),
                            }
                        }
                    }
                }
                Ok(Event::Start(e)) if e.local_name().as_ref() == "workbookPr" => {
                    if let Some(v) = raw_attr(&e, "date1904")? {
                        is_1904 = v == "1" || v == "true";
                    }
                }
                Ok(Event::End(e)) if e.local_name().as_ref() == "workbook" => break,
                Ok(Event::Eof) | Err(_) => return Err(Unsupported("the workbook part")),
                _ => (),
            }
        }
        drop(xml);
        self.sheets = sheets;
        self.is_1904 = is_1904;
        Ok(())
    }

    /// Whether every attribute of part `path` is one quick-xml reads, its entities known
    /// (calamine reads the styles' fonts, fills and borders too, and refuses the workbook on
    /// one it cannot read).
    fn check_attributes(&mut self, path: &str) -> Result<(), Unsupported> {
        let Some(mut xml) = self.small_xml(path)? else {
            return Ok(());
        };
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e)) => {
                    for a in e.attributes() {
                        let a = a.map_err(|_| Unsupported("a malformed attribute"))?;
                        decoded(&a.value)?;
                    }
                }
                Ok(Event::Eof) => return Ok(()),
                Err(_) => return Err(Unsupported("a part quick-xml refuses")),
                _ => (),
            }
        }
    }

    /// What each cell style's number format makes of numbers.
    fn read_styles(&mut self, path: &str) -> Result<(), Unsupported> {
        let mut custom: HashMap<String, String> = HashMap::new();
        let mut formats = Vec::new();
        let (mut buf, mut inner, mut body) = (Vec::new(), Vec::new(), Vec::new());
        let broken = Unsupported("the styles");
        self.check_attributes(path)?;
        let Some(mut xml) = self.small_xml(path)? else {
            return Ok(());
        };
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e)) if e.local_name().as_ref() == "numFmts" => loop {
                    inner.clear();
                    match xml.read_event_into(&mut inner) {
                        Ok(Event::Start(e)) if e.local_name().as_ref() == "numFmt" => {
                            let id = raw_attr(&e, "numFmtId")?.map(str::to_string);
                            let code = raw_attr(&e, "formatCode")?.map(decoded).transpose()?;
                            if let (Some(id), Some(code)) = (id, code) {
                                custom.insert(id, code);
                            }
                        }
                        Ok(Event::End(e)) if e.local_name().as_ref() == "numFmts" => break,
                        Ok(Event::Eof) | Err(_) => return Err(broken),
                        _ => (),
                    }
                },
                Ok(Event::Start(e)) if e.local_name().as_ref() == "cellXfs" => loop {
                    inner.clear();
                    match xml.read_event_into(&mut inner) {
                        Ok(Event::Start(e)) if e.local_name().as_ref() == "xf" => {
                            formats.push(match raw_attr(&e, "numFmtId")? {
                                None => NumFormat::Other,
                                Some(id) => match custom.get(id) {
                                    Some(code) => custom_format(code),
                                    None => builtin_format(id.as_bytes()),
                                },
                            });
                            // Its body, to its end, as calamine reads it (an `xf` inside is
                            // part of the body; the first `xf` end closes it).
                            loop {
                                body.clear();
                                match xml.read_event_into(&mut body) {
                                    Ok(Event::End(e)) if e.local_name().as_ref() == "xf" => break,
                                    Ok(Event::Eof) | Err(_) => return Err(broken),
                                    _ => (),
                                }
                            }
                        }
                        Ok(Event::End(e)) if e.local_name().as_ref() == "cellXfs" => break,
                        Ok(Event::Eof) | Err(_) => return Err(broken),
                        _ => (),
                    }
                },
                Ok(Event::End(e)) if e.local_name().as_ref() == "styleSheet" => break,
                Ok(Event::Eof) | Err(_) => return Err(broken),
                _ => (),
            }
        }
        drop(xml);
        self.formats = formats;
        Ok(())
    }

    /// The shared strings, scanned in chunks.
    fn read_strings(&mut self, path: &str) -> Result<(), Unsupported> {
        let Some(part) = self.part(path)? else {
            return Ok(());
        };
        let mut chunks = Chunks::new(part);
        let mut strings = Strings::default();
        let mut text = String::new();
        let (mut inside, mut open) = (false, 0u32);
        loop {
            let b = chunks.rest();
            let step = if inside {
                strings_unit(b, chunks.eof, &mut text, &mut open)
            } else {
                match token(b, chunks.eof) {
                    Step::Done((Tok::Open { name, attrs, empty }, n)) if local(name) == b"sst" => {
                        match attr(attrs, b"uniqueCount") {
                            Ok(count) => {
                                if let Some(count) = count.and_then(number) {
                                    strings.ends.reserve(count.min(1 << 20));
                                }
                            }
                            Err(why) => return Err(Unsupported(why)),
                        }
                        inside = true;
                        Step::Done((if empty { Unit::End } else { Unit::Other }, n))
                    }
                    Step::Done((Tok::Close { .. }, _)) => Step::Bail(OUT_OF_PLACE),
                    Step::Done((_, n)) => Step::Done((Unit::Other, n)),
                    Step::More => Step::More,
                    Step::Bail(why) => Step::Bail(why),
                }
            };
            match step {
                Step::Done((Unit::String, n)) => {
                    strings.push(&text);
                    chunks.pos += n;
                }
                Step::Done((Unit::End, _)) => break,
                Step::Done((Unit::Other, n)) => chunks.pos += n,
                Step::More => {
                    if !chunks.more().map_err(Unsupported)? {
                        return Err(Unsupported("the shared strings end too soon"));
                    }
                }
                Step::Bail(why) => return Err(Unsupported(why)),
            }
        }
        drop(chunks);
        self.strings = strings;
        Ok(())
    }

    /// Streams the cells of sheet `name` to `cell` (0-based row and column, value), in the
    /// sheet's order, until `cell` says `false` or the sheet ends. `Err` tells how many cells
    /// were given before the reader met something it does not read.
    pub fn stream(
        &mut self,
        name: &str,
        mut cell: impl FnMut(u32, u32, Cell<&str>) -> bool,
    ) -> Result<(), Bail> {
        let bail = |why| Bail { cells: 0, why };
        let part = self
            .sheets
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.part.clone())
            .ok_or(bail("no such sheet"))?;
        let zip_name = self.part_name(&part);
        let Book {
            zip,
            strings,
            formats,
            is_1904,
            ..
        } = self;
        let part = zip
            .by_name(&zip_name)
            .map_err(|_| bail("the sheet cannot be read"))?;
        let mut sheet = SheetScan {
            strings,
            formats,
            is_1904: *is_1904,
            phase: Phase::Before,
            open: 0,
            row: 0,
            col: 0,
            cells: 0,
            text: String::new(),
        };
        let mut chunks = Chunks::new(part);
        loop {
            let step = sheet.unit(chunks.rest(), chunks.eof);
            let why = match step {
                Step::Done((SheetUnit::Cell(row, col, value), n)) => {
                    chunks.pos += n;
                    sheet.col = col.wrapping_add(1);
                    sheet.cells += 1;
                    if !cell(row, col, sheet.handed(value)) {
                        return Ok(());
                    }
                    continue;
                }
                Step::Done((SheetUnit::Other, n)) => {
                    chunks.pos += n;
                    continue;
                }
                Step::Done((SheetUnit::End, _)) => return Ok(()),
                Step::More => match chunks.more() {
                    Ok(true) => continue,
                    Ok(false) => "the sheet ends too soon",
                    Err(why) => why,
                },
                Step::Bail(why) => why,
            };
            return Err(Bail {
                cells: sheet.cells,
                why,
            });
        }
    }
}

/// Calamine's reading of a custom number format: a date if its first section has a date or
/// time letter outside quotes, brackets and escapes; a duration if it has `[h]`, `[m]` or
/// `[s]`; otherwise a number.
fn custom_format(code: &str) -> NumFormat {
    let (mut escaped, mut quoted, mut am_pm, mut elapsed) = (false, false, false, false);
    let (mut brackets, mut prev) = (0u8, ' ');
    for c in code.chars() {
        if escaped {
            escaped = false;
        } else if matches!(c, '_' | '\\' | '*') {
            escaped = true;
        } else if quoted {
            quoted = c != '"';
        } else if c == '"' {
            quoted = true;
        } else if c == ';' {
            return NumFormat::Other;
        } else if c == '[' {
            // calamine's `+= 1` on a u8: wraps in a release build.
            brackets = brackets.wrapping_add(1);
        } else if c == ']' {
            if brackets == 1 && elapsed {
                return NumFormat::TimeDelta;
            }
            brackets = brackets.saturating_sub(1);
        } else if brackets == 0 && !am_pm && matches!(c, 'a' | 'A') {
            am_pm = true;
        } else if brackets == 0
            && if am_pm {
                matches!(c, 'p' | 'm' | '/' | 'P' | 'M')
            } else {
                "dmhysDMHYS".contains(c)
            }
        {
            return NumFormat::DateTime;
        } else if !(elapsed && c.eq_ignore_ascii_case(&prev)) {
            elapsed = prev == '[' && "mhsMHS".contains(c);
        }
        prev = c;
    }
    NumFormat::Other
}

/// What Excel's built-in number formats (by id) make of numbers.
fn builtin_format(id: &[u8]) -> NumFormat {
    // Only an id's plain spelling names a built-in format ("014" is none).
    let Some(id) = number(id).filter(|_| id.len() == 1 || id[0] != b'0') else {
        return NumFormat::Other;
    };
    match id {
        14..=22 | 27..=36 | 45 | 47 | 50..=58 => NumFormat::DateTime,
        46 => NumFormat::TimeDelta,
        _ => NumFormat::Other,
    }
}

/// A run of ASCII digits as a number (no sign, no spaces; at most 15 digits).
fn number(v: &[u8]) -> Option<usize> {
    if v.is_empty() || v.len() > 15 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(v.iter().fold(0, |n, d| n * 10 + usize::from(d - b'0')))
}

/// The bytes of a part as it inflates; `buf[pos..end]` is what is left to scan.
struct Chunks<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
}

/// Bytes read from a part at a time.
const CHUNK: usize = 1 << 20;
/// The largest element (a cell, a shared string) the reader holds; bigger goes to calamine.
const MAX_ELEMENT: usize = 64 << 20;

impl<R: Read> Chunks<R> {
    fn new(src: R) -> Self {
        Chunks {
            src,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            eof: false,
        }
    }

    fn rest(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Reads more of the part after what is left; `false` at its end.
    fn more(&mut self) -> Result<bool, &'static str> {
        if self.eof {
            return Ok(false);
        }
        self.buf.copy_within(self.pos..self.end, 0);
        self.end -= self.pos;
        self.pos = 0;
        if self.end == self.buf.len() {
            if self.buf.len() >= MAX_ELEMENT {
                return Err("an element too big");
            }
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let before = self.end;
        while self.end < self.buf.len() {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err("the part cannot be inflated"),
            }
        }
        Ok(self.end > before || !self.eof)
    }
}

/// What scanning from a point gave: a thing and the bytes it took, a need for more bytes, or
/// something the reader hands to calamine.
enum Step<T> {
    Done((T, usize)),
    More,
    Bail(&'static str),
}

/// Propagates `More` and `Bail`, gives a `Done`'s thing and length.
macro_rules! step {
    ($e:expr) => {
        match $e {
            Step::Done(done) => done,
            Step::More => return Step::More,
            Step::Bail(why) => return Step::Bail(why),
        }
    };
}

/// One piece of XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    /// A start tag (`empty` for `<x/>`, which is also its end).
    Open {
        name: &'a [u8],
        attrs: &'a [u8],
        empty: bool,
    },
    Close {
        name: &'a [u8],
    },
    /// Text up to the next tag, undecoded.
    Text(&'a [u8]),
    /// The XML declaration, a processing instruction or a comment.
    Skip,
}

/// The name without its namespace prefix (what follows the first `:`, as quick-xml says).
fn local(name: &[u8]) -> &[u8] {
    match name.iter().position(|&c| c == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The piece of XML at the start of `b`.
fn token(b: &[u8], eof: bool) -> Step<Tok<'_>> {
    let Some(&first) = b.first() else {
        return if eof {
            Step::Bail("the part ends too soon")
        } else {
            Step::More
        };
    };
    if first != b'<' {
        // Texts in a sheet are short: a plain loop beats memchr's set-up.
        let (text, n) = match b.iter().position(|&c| c == b'<') {
            Some(i) => (&b[..i], i),
            None if eof => (b, b.len()),
            None => return Step::More,
        };
        if !text_ok(text) {
            return Step::Bail("text quick-xml refuses");
        }
        return Step::Done((Tok::Text(text), n));
    }
    match b.get(1) {
        None => Step::More,
        Some(b'/') => match b.iter().position(|&c| c == b'>') {
            Some(i) => {
                // quick-xml trims the end of an end tag's name only.
                let name = trim_xml_end(&b[2..i]);
                if !name_ok(name) {
                    return Step::Bail("an end tag's name");
                }
                Step::Done((Tok::Close { name }, i + 1))
            }
            None => Step::More,
        },
        Some(b'?') => match memmem::find(b, b"?>") {
            // Only the XML declaration is skipped; other instructions go to calamine.
            Some(i)
                if b.starts_with(b"<?xml")
                    && b.get(5).is_some_and(|&c| is_xml_space(c) || c == b'?') =>
            {
                Step::Done((Tok::Skip, i + 2))
            }
            Some(_) => Step::Bail("a processing instruction"),
            None => Step::More,
        },
        Some(b'!') => {
            if b.len() < 4 {
                Step::More
            } else if b.starts_with(b"<!--") {
                match memmem::find(&b[4..], b"-->") {
                    Some(i) if std::str::from_utf8(&b[4..4 + i]).is_ok() => {
                        Step::Done((Tok::Skip, i + 7))
                    }
                    Some(_) => Step::Bail("a comment quick-xml refuses"),
                    None => Step::More,
                }
            } else {
                Step::Bail("CDATA or a declaration")
            }
        }
        Some(_) => {
            // The tag ends at the first '>' outside quotes; its name at the first XML space.
            let (mut end, mut quote, mut split) = (1, 0u8, 0);
            loop {
                let Some(&c) = b.get(end) else {
                    return Step::More;
                };
                if quote != 0 {
                    if c == quote {
                        quote = 0;
                    }
                } else if c == b'>' {
                    break;
                } else if c == b'"' || c == b'\'' {
                    quote = c;
                } else if split == 0 && is_xml_space(c) {
                    split = end;
                }
                end += 1;
            }
            let inner = &b[1..end];
            let (inner, empty) = match inner.strip_suffix(b"/") {
                Some(inner) => (inner, true),
                None => (inner, false),
            };
            let split = if split == 0 {
                inner.len()
            } else {
                (split - 1).min(inner.len())
            };
            let (name, attrs) = inner.split_at(split);
            if !name_ok(name) || (!attrs.is_ascii() && std::str::from_utf8(attrs).is_err()) {
                return Step::Bail("a tag quick-xml reads otherwise");
            }
            Step::Done((Tok::Open { name, attrs, empty }, end + 1))
        }
    }
}

/// The undecoded value of attribute `key` (exact name) in a tag's attributes.
fn attr<'a>(attrs: &'a [u8], key: &[u8]) -> Result<Option<&'a [u8]>, &'static str> {
    attrs_of(attrs, [key]).map(|[v]| v)
}

/// The undecoded values of attributes `keys` (exact names), in one pass over a tag's
/// attributes (the first of each name, as [`attr`]).
fn attrs_of<'a, const N: usize>(
    mut attrs: &'a [u8],
    keys: [&[u8]; N],
) -> Result<[Option<&'a [u8]>; N], &'static str> {
    const MALFORMED: &str = "a malformed attribute";
    let mut found = [None; N];
    loop {
        attrs = trim_xml_start(attrs);
        if attrs.is_empty() {
            return Ok(found);
        }
        // A name, '=' (spaces around it), a quoted value: anything else quick-xml refuses.
        let eq = attrs.iter().position(|&c| c == b'=').ok_or(MALFORMED)?;
        let name = trim_xml_end(&attrs[..eq]);
        if name.is_empty() || name.iter().any(|&c| is_xml_space(c)) {
            return Err(MALFORMED);
        }
        let rest = trim_xml_start(&attrs[eq + 1..]);
        let quote = *rest
            .first()
            .filter(|&&q| q == b'"' || q == b'\'')
            .ok_or(MALFORMED)?;
        let close = rest[1..]
            .iter()
            .position(|&c| c == quote)
            .ok_or(MALFORMED)?;
        // Keys are compared by length first: a cell's are one letter each. calamine keeps the
        // last of a repeated one and may stop before it: such a tag is not ours to read.
        if let Some(k) = keys
            .iter()
            .position(|&k| k.len() == name.len() && k == name)
        {
            if found[k].is_some() {
                return Err("a repeated attribute");
            }
            found[k] = Some(&rest[1..1 + close]);
        }
        attrs = &rest[close + 2..];
    }
}

/// XML's white space (quick-xml's): space, tab, line feed, carriage return.
fn is_xml_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn trim_xml_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&c| is_xml_space(c)).count();
    &b[n..]
}

fn trim_xml_end(b: &[u8]) -> &[u8] {
    let n = b.iter().rev().take_while(|&&c| is_xml_space(c)).count();
    &b[..b.len() - n]
}

/// Whether a tag's name is one this reader reads: ASCII letters, digits, `_`, `-`, `.` and `:`
/// (quick-xml's local name is what follows the first `:`).
fn name_ok(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':'))
}

/// Whether a text run is one quick-xml reads: UTF-8, every `&` an entity it knows.
fn text_ok(raw: &[u8]) -> bool {
    // Most texts of a sheet are a few ASCII digits: one plain pass says yes.
    if raw.iter().all(|&c| c < 0x80 && c != b'&') {
        return true;
    }
    std::str::from_utf8(raw).is_ok_and(|s| quick_xml::escape::unescape(s).is_ok())
}

/// Appends a text run, decoded as calamine's reader does: line ends made `\n` (XML 1.0), then
/// the entities and character references resolved.
fn push_text(raw: &[u8], out: &mut String) -> Result<(), &'static str> {
    let s = std::str::from_utf8(raw).map_err(|_| "text that is not UTF-8")?;
    if memchr::memchr2(b'&', b'\r', raw).is_none() {
        out.push_str(s);
        return Ok(());
    }
    let s = if s.contains('\r') {
        std::borrow::Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    let s = quick_xml::escape::unescape(&s).map_err(|_| "an unknown entity")?;
    out.push_str(&s);
    Ok(())
}

/// Excel's `_xHHHH_` escapes (a UTF-16 unit each) resolved, as calamine does.
fn unescape_excel(s: &str) -> std::borrow::Cow<'_, str> {
    fn unit(s: &[u8], at: usize) -> Option<u16> {
        let e = s.get(at..at + 7)?;
        if e[0] != b'_'
            || e[1] != b'x'
            || e[6] != b'_'
            || !e[2..6].iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&e[2..6]).ok()?, 16).ok()
    }
    let b = s.as_bytes();
    let next = |from: usize| {
        let mut at = from;
        while let Some(i) = memchr(b'_', &b[at..]) {
            if let Some(u) = unit(b, at + i) {
                return Some((at + i, u));
            }
            at += i + 1;
        }
        None
    };
    let Some(mut found) = next(0) else {
        return std::borrow::Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    loop {
        let (at, u) = found;
        out.push_str(&s[copied..at]);
        let mut after = at + 7;
        match u {
            0xD800..=0xDBFF => match unit(b, after) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let c = 0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                    after += 7;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(u)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = after;
        match next(after) {
            Some(f) => found = f,
            None => break,
        }
    }
    out.push_str(&s[copied..]);
    std::borrow::Cow::Owned(out)
}

/// What one step of the shared strings gave.
enum Unit {
    /// A string (in the caller's text).
    String,
    /// The end of the strings.
    End,
    Other,
}

/// One step inside `<sst>`: a whole `<si>`, the end, or something skipped.
fn strings_unit(b: &[u8], eof: bool, text: &mut String, open: &mut u32) -> Step<Unit> {
    let (tok, n) = step!(token(b, eof));
    match tok {
        Tok::Open { name, empty, .. } if local(name) == b"si" => {
            text.clear();
            if empty {
                return Step::Done((Unit::String, n));
            }
            let (_, m) = step!(rich_text(&b[n..], eof, name, text));
            Step::Done((Unit::String, n + m))
        }
        Tok::Close { name } if local(name) == b"sst" => Step::Done((Unit::End, n)),
        Tok::Open { empty, .. } => {
            *open += u32::from(!empty);
            Step::Done((Unit::Other, n))
        }
        Tok::Close { .. } => match open.checked_sub(1) {
            Some(o) => {
                *open = o;
                Step::Done((Unit::Other, n))
            }
            None => Step::Bail(OUT_OF_PLACE),
        },
        Tok::Text(_) | Tok::Skip => Step::Done((Unit::Other, n)),
    }
}

/// The text of a shared string or an inline string, up to the end tag named `closing`: every
/// `<t>` outside phonetic runs, each trimmed of ASCII spaces unless it preserves them, with
/// Excel's escapes resolved.
fn rich_text(b: &[u8], eof: bool, closing: &[u8], out: &mut String) -> Step<()> {
    let (mut at, mut depth, mut phonetic) = (0, 0u32, false);
    let mut value = String::new();
    loop {
        let (tok, n) = step!(token(&b[at..], eof));
        at += n;
        match tok {
            Tok::Close { name } if depth == 0 && name == closing => return Step::Done(((), at)),
            // An end tag that closes more than was opened here (quick-xml's stack, which
            // calamine's errors follow, is not ours to guess).
            Tok::Close { name } if depth == 0 || name == closing => {
                return Step::Bail(OUT_OF_PLACE);
            }
            Tok::Close { name } => {
                depth -= 1;
                if local(name) == b"rPh" {
                    phonetic = false;
                }
            }
            Tok::Open { name, attrs, empty } if local(name) == b"t" && !phonetic => {
                let preserve = match attr(attrs, b"xml:space") {
                    Ok(v) => v == Some(b"preserve"),
                    Err(why) => return Step::Bail(why),
                };
                value.clear();
                if !empty {
                    at += step!(text_to_end(&b[at..], eof, name, &mut value)).1;
                }
                let v = if preserve {
                    value.as_str()
                } else {
                    value.trim_matches([' ', '\t', '\r', '\n'])
                };
                out.push_str(&unescape_excel(v));
            }
            Tok::Open { name, empty, .. } => {
                if !empty {
                    depth += 1;
                }
                if local(name) == b"rPh" {
                    phonetic = !empty;
                }
            }
            Tok::Text(_) | Tok::Skip => {}
        }
    }
}

/// The text up to the end tag named `name` (comments skipped, as calamine skips them), decoded
/// and appended to `out`; an element inside is given to calamine.
fn text_to_end(b: &[u8], eof: bool, name: &[u8], out: &mut String) -> Step<()> {
    let mut at = 0;
    loop {
        let (tok, n) = step!(token(&b[at..], eof));
        at += n;
        match tok {
            Tok::Text(raw) => {
                if let Err(why) = push_text(raw, out) {
                    return Step::Bail(why);
                }
            }
            Tok::Close { name: end } if end == name => return Step::Done(((), at)),
            Tok::Skip => {}
            _ => return Step::Bail(OUT_OF_PLACE),
        }
    }
}

/// Why the reader gives up on an end tag it did not expect.
const OUT_OF_PLACE: &str = "an end tag out of place";

/// Where the sheet's scan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before `<sheetData>`.
    Before,
    /// In the sheet's data.
    Data,
}

/// A cell's value as scanned, before it is handed over.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Empty,
    /// A number with its style's format.
    Number(f64, Option<NumFormat>),
    Shared(usize),
    /// The scan's text.
    Text,
    /// An ISO date's text (the scan's text).
    Iso,
    Bool(bool),
    Error,
}

/// What one step of a sheet gave.
enum SheetUnit {
    /// A cell: its row, column and value.
    Cell(u32, u32, Value),
    End,
    Other,
}

struct SheetScan<'b> {
    strings: &'b Strings,
    formats: &'b [NumFormat],
    is_1904: bool,
    phase: Phase,
    /// Elements open: before the data, the sheet's; in the data, its rows.
    open: u32,
    /// Where the next cell without a reference goes.
    row: u32,
    col: u32,
    /// Cells given.
    cells: u64,
    /// The text of the last cell scanned.
    text: String,
}

/// A cell reference's 0-based row and column (`B12` → 11, 1).
fn cell_ref(r: &[u8]) -> Option<(u32, u32)> {
    let letters = r.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let digits = &r[letters..];
    if letters == 0 || letters > 3 || digits.is_empty() || digits.len() > 7 {
        return None;
    }
    let col = r[..letters].iter().fold(0u32, |n, c| {
        n * 26 + u32::from(c.to_ascii_uppercase() - b'A') + 1
    });
    let row = u32::try_from(number(digits)?).ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// Whether a `<dimension ref>` is one calamine reads (`A1` or `A1:C9`).
fn dimension_ok(v: &[u8]) -> bool {
    let mut parts = v.split(|&c| c == b':');
    let ok = |p: Option<&[u8]>| p.is_some_and(|p| cell_ref(p).is_some());
    match (parts.next(), parts.next(), parts.next()) {
        (first, None, None) => ok(first),
        (first, second @ Some(_), None) => ok(first) && ok(second),
        _ => false,
    }
}

impl SheetScan<'_> {
    /// One step of the sheet: a whole cell, a row's start or end, something skipped, the end.
    /// Nothing changes unless the step is whole (a `More` is scanned again with more bytes).
    fn unit(&mut self, b: &[u8], eof: bool) -> Step<SheetUnit> {
        let (tok, n) = step!(token(b, eof));
        match (self.phase, tok) {
            (Phase::Before, Tok::Open { name, attrs, empty }) => match local(name) {
                b"sheetData" if empty => Step::Done((SheetUnit::End, n)),
                b"sheetData" => {
                    self.phase = Phase::Data;
                    self.open = 0;
                    Step::Done((SheetUnit::Other, n))
                }
                b"dimension" if !attr(attrs, b"ref").is_ok_and(|r| r.is_some_and(dimension_ok)) => {
                    Step::Bail("a sheet's dimension")
                }
                _ => {
                    self.open += u32::from(!empty);
                    Step::Done((SheetUnit::Other, n))
                }
            },
            (Phase::Before, Tok::Close { .. }) => match self.open.checked_sub(1) {
                Some(open) => {
                    self.open = open;
                    Step::Done((SheetUnit::Other, n))
                }
                None => Step::Bail(OUT_OF_PLACE),
            },
            (Phase::Before, _) => Step::Done((SheetUnit::Other, n)),
            (Phase::Data, Tok::Open { name, attrs, empty }) => match local(name) {
                b"row" => {
                    let r = match attr(attrs, b"r") {
                        Ok(r) => r,
                        Err(why) => return Step::Bail(why),
                    };
                    if let Some(r) = r {
                        let Some(r) = number(r).and_then(|r| u32::try_from(r).ok()) else {
                            return Step::Bail("a row number");
                        };
                        let Some(r) = r.checked_sub(1) else {
                            return Step::Bail("a row number");
                        };
                        self.row = r;
                    }
                    if empty {
                        self.row = self.row.wrapping_add(1);
                        self.col = 0;
                    } else {
                        self.open += 1;
                    }
                    Step::Done((SheetUnit::Other, n))
                }
                b"c" => {
                    let ((row, col, value), m) = step!(self.cell(&b[n..], eof, attrs, empty));
                    Step::Done((SheetUnit::Cell(row, col, value), n + m))
                }
                _ => Step::Bail("an element in the sheet's data"),
            },
            (Phase::Data, Tok::Close { name }) => match (local(name), self.open.checked_sub(1)) {
                (b"sheetData", _) => Step::Done((SheetUnit::End, n)),
                (b"row", Some(open)) => {
                    self.open = open;
                    self.row = self.row.wrapping_add(1);
                    self.col = 0;
                    Step::Done((SheetUnit::Other, n))
                }
                (_, Some(open)) => {
                    self.open = open;
                    Step::Done((SheetUnit::Other, n))
                }
                // It would close the sheet's data (or more) without saying so.
                (_, None) => Step::Bail(OUT_OF_PLACE),
            },
            (Phase::Data, Tok::Text(_)) => Step::Done((SheetUnit::Other, n)),
            (Phase::Data, Tok::Skip) => Step::Bail("a comment in the sheet's data"),
        }
    }

    /// A cell after its start tag: its position (from its reference, else the row's and the
    /// column after the last cell), its value and the bytes up to its end.
    fn cell(&mut self, b: &[u8], eof: bool, attrs: &[u8], empty: bool) -> Step<(u32, u32, Value)> {
        let [r, s, t] = match attrs_of(attrs, [b"r", b"s", b"t"]) {
            Ok(found) => found,
            Err(why) => return Step::Bail(why),
        };
        if [r, s, t].iter().flatten().any(|v| v.contains(&b'&')) {
            return Step::Bail("an entity in a cell's attributes");
        }
        let format = match s {
            None => Some(NumFormat::Other),
            // calamine reads a style it cannot read as the first one.
            Some(b"") => self.formats.first().copied(),
            Some(s) => match number(s) {
                Some(i) => self.formats.get(i).copied(),
                None => return Step::Bail("a cell's style"),
            },
        };
        let mut at = 0;
        let mut value = Value::Empty;
        if !empty {
            loop {
                let (tok, n) = step!(token(&b[at..], eof));
                at += n;
                match tok {
                    Tok::Close { name } if local(name) == b"c" => break,
                    Tok::Close { .. } => return Step::Bail(OUT_OF_PLACE),
                    Tok::Text(_) => {}
                    Tok::Skip => return Step::Bail("a comment in a cell"),
                    Tok::Open { name, empty, .. } => {
                        let (v, m) = match local(name) {
                            b"v" => step!(self.value(&b[at..], eof, name, empty, t, format)),
                            b"is" if empty => {
                                self.text.clear();
                                (Value::Text, 0)
                            }
                            b"is" => {
                                self.text.clear();
                                let mut text = std::mem::take(&mut self.text);
                                let done = rich_text(&b[at..], eof, name, &mut text);
                                self.text = text;
                                (Value::Text, step!(done).1)
                            }
                            b"f" if empty => (Value::Empty, 0),
                            b"f" => (Value::Empty, step!(skip_to_end(&b[at..], eof, name)).1),
                            _ => return Step::Bail("an element in a cell"),
                        };
                        value = v;
                        at += m;
                    }
                }
            }
        }
        let (row, col) = match r {
            None => (self.row, self.col),
            Some(r) => match cell_ref(r) {
                Some(pos) => pos,
                None => return Step::Bail("a cell reference"),
            },
        };
        Step::Done(((row, col, value), at))
    }

    /// A `<v>` after its start tag: the value by the cell's type, and the bytes to its end.
    fn value(
        &mut self,
        b: &[u8],
        eof: bool,
        name: &[u8],
        empty: bool,
        typ: Option<&[u8]>,
        format: Option<NumFormat>,
    ) -> Step<Value> {
        match typ {
            Some(b"inlineStr" | b"is") => {
                if empty {
                    return Step::Done((Value::Empty, 0));
                }
                let (_, n) = step!(skip_to_end(b, eof, name));
                Step::Done((Value::Empty, n))
            }
            None | Some(b"n" | b"s" | b"b" | b"e") => {
                if empty {
                    return Step::Done((Value::Empty, 0));
                }
                let (raw, n) = {
                    let (tok, n) = step!(token(b, eof));
                    match tok {
                        Tok::Close { name: end } if end == name => {
                            return Step::Done((Value::Empty, n));
                        }
                        Tok::Text(raw) => match step!(token(&b[n..], eof)) {
                            (Tok::Close { name: end }, m) if end == name => (raw, n + m),
                            _ => return Step::Bail("a value's content"),
                        },
                        _ => return Step::Bail("a value's content"),
                    }
                };
                match self.plain_value(raw, typ, format) {
                    Some(v) => Step::Done((v, n)),
                    None => Step::Bail("a value it would have to guess"),
                }
            }
            Some(b"str" | b"d") => {
                self.text.clear();
                let mut at = 0;
                if !empty {
                    let mut text = std::mem::take(&mut self.text);
                    let done = text_to_end(b, eof, name, &mut text);
                    self.text = text;
                    at = step!(done).1;
                }
                if typ == Some(b"str") {
                    if let std::borrow::Cow::Owned(s) = unescape_excel(&self.text) {
                        self.text = s;
                    }
                    Step::Done((Value::Text, at))
                } else {
                    Step::Done((Value::Iso, at))
                }
            }
            _ => Step::Bail("a cell type"),
        }
    }

    /// The value of a number, shared string, boolean or error cell from its `<v>` text; `None`
    /// for text calamine would read otherwise or refuse.
    fn plain_value(
        &self,
        raw: &[u8],
        typ: Option<&[u8]>,
        format: Option<NumFormat>,
    ) -> Option<Value> {
        match typ {
            Some(b"s") => {
                let i = number(raw).filter(|&i| i < self.strings.ends.len())?;
                Some(Value::Shared(i))
            }
            Some(b"b") => match raw.trim_ascii() {
                b"" => Some(Value::Empty),
                b"0" => Some(Value::Bool(false)),
                b"1" => Some(Value::Bool(true)),
                v if v.eq_ignore_ascii_case(b"false") => Some(Value::Bool(false)),
                v if v.eq_ignore_ascii_case(b"true") => Some(Value::Bool(true)),
                _ => None,
            },
            Some(b"e") => matches!(
                raw,
                b"#DIV/0!" | b"#N/A" | b"#NAME?" | b"#NULL!" | b"#NUM!" | b"#REF!" | b"#VALUE!"
            )
            .then_some(Value::Error),
            _ => {
                if raw.is_empty() {
                    return Some(Value::Empty);
                }
                let plain = raw
                    .iter()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'));
                if !plain {
                    return None;
                }
                // Whole numbers below 2^53 are exact; others are parsed (correctly rounded).
                let n = match number(raw) {
                    Some(n) => n as f64,
                    None => std::str::from_utf8(raw).ok()?.parse().ok()?,
                };
                Some(Value::Number(n, format))
            }
        }
    }

    /// A scanned value as a [`Cell`].
    fn handed(&self, value: Value) -> Cell<&str> {
        match value {
            Value::Empty => Cell::Empty,
            Value::Number(n, Some(NumFormat::DateTime)) => super::excel::date_of(
                &ExcelDateTime::new(n, ExcelDateTimeType::DateTime, self.is_1904),
            ),
            Value::Number(n, Some(NumFormat::TimeDelta)) => super::excel::date_of(
                &ExcelDateTime::new(n, ExcelDateTimeType::TimeDelta, self.is_1904),
            ),
            Value::Number(n, _) => Cell::Number(n),
            Value::Shared(i) => Cell::Text(self.strings.get(i).unwrap_or_default()),
            Value::Text => Cell::Text(&self.text),
            Value::Iso => {
                super::excel::iso_date(&self.text).map_or(Cell::Text(&self.text), Cell::Date)
            }
            Value::Bool(v) => Cell::Bool(v),
            Value::Error => Cell::Error,
        }
    }
}

/// The bytes up to and with the end tag named `name`, over text only (a formula, the value
/// of an inline string's cell); an element inside is given to calamine.
fn skip_to_end(b: &[u8], eof: bool, name: &[u8]) -> Step<()> {
    let mut at = 0;
    loop {
        let (tok, n) = step!(token(&b[at..], eof));
        at += n;
        match tok {
            Tok::Close { name: c } if c == name => return Step::Done(((), at)),
            Tok::Text(_) | Tok::Skip => {}
            _ => return Step::Bail(OUT_OF_PLACE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::excel::xlsx_cells;
    use proptest::prelude::*;
    use rust_xlsxwriter::{Format, Formula, Workbook};
    use std::io::Write;

    use crate::input::excel::ShownCells as Cells;

    /// Our cells (calamine reading on where our reader gives up), calamine's, and the reasons
    /// our reader gave up.
    fn both(
        path: &Path,
    ) -> (
        Result<Cells, String>,
        Result<Cells, String>,
        Vec<&'static str>,
    ) {
        let ours = xlsx_cells(path, true);
        let bails = ours.as_ref().map(|(_, b)| b.clone()).unwrap_or_default();
        (
            ours.map(|(c, _)| c),
            xlsx_cells(path, false).map(|(c, _)| c),
            bails,
        )
    }

    /// A workbook of one sheet "Data" from the sheet's XML, with shared strings and styles if
    /// given.
    fn package(
        dir: &Path,
        sheet: &str,
        strings: Option<&str>,
        styles: Option<&str>,
    ) -> std::path::PathBuf {
        package_bytes(
            dir,
            sheet.as_bytes(),
            strings.map(str::as_bytes),
            styles.map(str::as_bytes),
        )
    }

    const STYLES: &str = r#"<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/><xf numFmtId="165"/></cellXfs>"#;

    /// Our reading of a hand-made sheet equals calamine's; returns why our reader gave up, or
    /// `None` when both say the sheet cannot be read.
    fn same_as_calamine(sheet: &str, strings: Option<&str>) -> Option<Vec<&'static str>> {
        let dir = tempfile::tempdir().expect("dir");
        let path = package(dir.path(), sheet, strings, Some(STYLES));
        let (ours, theirs, bails) = both(&path);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{sheet}"),
            (Err(_), Err(_)) => return None,
            _ => panic!("{sheet}\nours {ours:?}\ncalamine {theirs:?}"),
        }
        Some(bails)
    }

    #[test]
    fn a_dumps_usual_cells_are_read_by_our_reader_as_calamine_reads_them() {
        let strings = r#"<si><t>Nguyễn Văn A</t></si><si><t xml:space="preserve"> sp &amp; &lt;x&gt; </t></si><si><r><t>Rich</t></r><r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve"> text</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si><si/><si><t>a_x000D_b _xD83D__xDE00_ _x005F_x0041_</t></si><si><t>line&#13;&#10;two
three</t></si>"#;
        let sheet = r#"<dimension ref="A1:H9"/><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData>
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>
            <row r="2"><c r="A2"><v>79201004321</v></c><c r="B2" s="1"><v>27189</v></c><c r="C2" s="2"><v>44277.5</v></c><c r="D2" s="3"><v>1.25</v></c><c r="E2" t="n"><v>-1.5E-3</v></c><c r="F2"><v>0012</v></c></row>
            <row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="b"><v>false</v></c><c r="C3" t="e"><v>#N/A</v></c><c r="D3" t="str"><f>A1&amp;"x"</f><v>a &amp; b_x0009_</v></c><c r="E3" t="d"><v>2021-03-04T00:00:00</v></c><c r="F3" t="d"><v>not a date</v></c></row>
            <row r="5" spans="1:3"><c r="A5" t="inlineStr"><is><t>inline</t></is></c><c r="B5" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c><c r="C5" s="1"/><c r="D5" t="inlineStr"><is/></c><c r="E5"><f>1+1</f><v>2</v></c><c r="F5"><v/></c><c r="G5" t="s"><v></v></c></row>
            <row><c><v>1</v></c><c><v>2</v></c><c r="E6"><v>3</v></c><c><v>4</v></c></row>
            <row r="8"/><row><c t="s"><v>0</v></c></row>
            <x:row r="10" xmlns:x="urn:x"><x:c r="B10" t="s"><x:v>1</x:v></x:c></x:row>
            <row r="11"><c r="A11" s="99"><v>5</v></c><c r="b11"><v>6</v></c><c r="D11" s=""><v>7</v></c><c r='C11' t='s'><v>1</v></c></row>
        </sheetData><mergeCells count="0"/>"#;
        let bails = same_as_calamine(sheet, Some(strings));
        assert_eq!(bails, Some(vec![]), "our reader gave up");
    }

    #[test]
    fn cells_across_the_chunks_of_a_big_sheet_are_read_whole() {
        // ~3.5 MiB of sheet XML: cells, texts and tags fall across the 1 MiB chunks at every
        // offset; one inline string is longer than a chunk.
        let mut sheet = String::from("<sheetData>");
        for r in 1..=12_000u32 {
            sheet += &format!(
                r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="s"><v>{}</v></c><c r="C{r}" t="inlineStr"><is><t>Nguyễn Văn {r} &amp; co</t></is></c><c r="D{r}" s="1"><v>{}</v></c></row>"#,
                r % 2,
                20_000 + r
            );
            if r == 6_000 {
                let long = "ĐẶNG ".repeat(300_000);
                sheet += &format!(
                    r#"<row r="6001"><c r="A6001" t="inlineStr"><is><t>{long}</t></is></c></row>"#
                );
            }
        }
        sheet += "</sheetData>";
        assert!(sheet.len() > 3 * CHUNK);
        let bails = same_as_calamine(&sheet, Some("<si><t>zero</t></si><si><t>one</t></si>"));
        assert_eq!(bails, Some(vec![]), "our reader gave up");
    }

    #[test]
    fn what_our_reader_does_not_read_is_read_on_by_calamine_the_same() {
        let strings = Some("<si><t>x</t></si>");
        let sheet = |odd: &str| {
            format!(
                r#"<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>{odd}<c r="C1"><v>3</v></c></row><row r="2"><c r="A2"><v>4</v></c></row></sheetData>"#
            )
        };
        // A comment, CDATA, values to guess, an end tag out of place: our reader stops,
        // calamine reads on from there; nothing is lost or given twice.
        for odd in [
            r#"<c r="B1"><!-- note --><v>2</v></c>"#,
            r#"<c r="B1" t="str"><v><![CDATA[a<b]]></v></c>"#,
            r#"<c r="B1"><v> 2 </v></c>"#,
            r#"<c r="B1"><v>1,5</v></c>"#,
            r#"<c r="B1" s="+1"><v>2</v></c>"#,
            r#"<c r="B1"><f>1<x/>2</f><v>2</v></c>"#,
        ] {
            let bails = same_as_calamine(&sheet(odd), strings);
            assert_eq!(bails.map(|b| b.len()), Some(1), "{odd}");
        }
        // What calamine refuses, our reader gives back to it, and the sheet is refused alike.
        for odd in [
            r#"<c r="B1"><extLst/><v>2</v></c>"#,
            r#"<c r="B1" t="e"><v>#SPILL!</v></c>"#,
            r#"<c r="B1" t="b"><v>yes</v></c>"#,
            r#"<c r="B1" t="s"><v>7</v></c>"#,
            r#"<c r="B1" t="zz"><v>2</v></c>"#,
            r#"<c r="1B"><v>2</v></c>"#,
        ] {
            assert_eq!(same_as_calamine(&sheet(odd), strings), None, "{odd}");
        }
    }

    #[test]
    fn a_broken_sheet_is_as_unreadable_as_calamine_says() {
        let dir = tempfile::tempdir().expect("dir");
        for sheet in [
            r#"<sheetData><row r="1"><c r="A1"><v>1</v></c>"#,
            r#"<sheetData><row r="1"><c r="A1" t="s"><v>3</v></c></row></sheetData>"#,
            r#"<sheetData><row r="0"><c><v>1</v></c></row></sheetData>"#,
            r#"<dimension/><sheetData><row r="1"><c><v>1</v></c></row></sheetData>"#,
        ] {
            let path = package(dir.path(), sheet, None, None);
            let (ours, theirs, _) = both(&path);
            assert!(
                ours.is_err() && theirs.is_err(),
                "{sheet}: {ours:?} / {theirs:?}"
            );
        }
    }

    #[test]
    fn custom_number_formats_are_dates_durations_or_numbers_as_calamine_says() {
        use NumFormat::*;
        for (code, want) in [
            ("DD/MM/YY", DateTime),
            ("dd/mm/yyyy", DateTime),
            ("H:MM:SS;@", DateTime),
            ("#,##0\\ [$\\u20bd-46D]", Other),
            ("m\"M\"d\"D\";@", DateTime),
            ("[h]:mm:ss", TimeDelta),
            ("\"Y: \"0.00\"m\";\"Y: \"-0.00\"m\";\"Y: <num>m\";@", Other),
            ("\"$\"#,##0_);[Red](\"$\"#,##0)", Other),
            ("[$-404]e\"\\xfc\"m\"\\xfc\"d\"\\xfc\"", DateTime),
            ("0_ ;[Red]\\-0\\ ", Other),
            ("\\Y000000", Other),
            ("#,##0.0####\" YMD\"", Other),
            ("[h]", TimeDelta),
            ("[ss]", TimeDelta),
            ("[s].000", TimeDelta),
            ("[mm]", TimeDelta),
            ("[Blue]\\+[h]:mm;[Red]\\-[h]:mm;[Green][h]:mm", TimeDelta),
            ("[>=100][Magenta][s].00", TimeDelta),
            ("[>=100][Magenta].00", Other),
            ("[>=100][Magenta]General", Other),
            ("AM/PM", DateTime),
            ("0.00", Other),
            ("@", Other),
        ] {
            assert_eq!(custom_format(code), want, "{code}");
        }
        assert_eq!(builtin_format(b"14"), DateTime);
        assert_eq!(builtin_format(b"46"), TimeDelta);
        assert_eq!(builtin_format(b"014"), Other);
        assert_eq!(builtin_format(b"0"), Other);
    }

    #[test]
    fn excel_escapes_are_resolved_as_calamine_does() {
        assert_eq!(unescape_excel("a_x000D_b"), "a\rb");
        assert_eq!(unescape_excel("_xD83D__xDE00_"), "😀");
        assert_eq!(unescape_excel("_xD83D_x"), "\u{FFFD}x");
        assert_eq!(unescape_excel("_xDE00_"), "\u{FFFD}");
        assert_eq!(unescape_excel("_x005F_x0041_"), "_x0041_");
        assert_eq!(unescape_excel("_x00G1_ __x0041_"), "_x00G1_ _A");
        assert!(matches!(
            unescape_excel("plain_text"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn cell_references_are_row_and_column_from_zero() {
        assert_eq!(cell_ref(b"A1"), Some((0, 0)));
        assert_eq!(cell_ref(b"b12"), Some((11, 1)));
        assert_eq!(cell_ref(b"AA3"), Some((2, 26)));
        assert_eq!(cell_ref(b"XFD1048576"), Some((1_048_575, 16_383)));
        for bad in [&b"A0"[..], b"1A", b"A", b"12", b"", b"A1B", b"ABCD1"] {
            assert_eq!(cell_ref(bad), None, "{bad:?}");
        }
    }

    /// A cell of the generated workbooks.
    #[derive(Debug, Clone)]
    enum Spec {
        Text(String),
        Number(f64),
        Date(u16, u8, u8),
        Hours(f64),
        Bool(bool),
        Blank,
        Formula(String),
        Rich(String, String),
    }

    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("Nguyễn"),
            Just("Văn"),
            Just(" "),
            Just("&"),
            Just("<"),
            Just(">"),
            Just("\""),
            Just("'"),
            Just("\r\n"),
            Just("\n"),
            Just("\t"),
            Just("_x000D_"),
            Just("😀"),
            Just("0912 345 678"),
            Just("ĐẶNG"),
            Just("x"),
            Just("079201004321"),
            Just("  "),
        ];
        prop::collection::vec(piece, 0..6).prop_map(|v| v.concat())
    }

    fn spec() -> impl Strategy<Value = Spec> {
        let number = prop_oneof![
            any::<i32>().prop_map(f64::from),
            -1e12..1e12f64,
            Just(79_201_004_321.0),
            Just(1e-7),
        ];
        prop_oneof![
            4 => text().prop_map(Spec::Text),
            2 => number.prop_map(Spec::Number),
            1 => (1900u16..2100, 1u8..13, 1u8..29).prop_map(|(y, m, d)| Spec::Date(y, m, d)),
            1 => (0.0..100.0f64).prop_map(Spec::Hours),
            1 => any::<bool>().prop_map(Spec::Bool),
            1 => Just(Spec::Blank),
            1 => text().prop_map(Spec::Formula),
            1 => (text(), text()).prop_map(|(a, b)| Spec::Rich(a, b)),
        ]
    }

    /// A generated sheet: whether its strings are inline, its cells.
    type GenSheet = (bool, Vec<(u32, u16, Spec)>);

    /// Writes the sheets (`true`: written with inline strings) with rust_xlsxwriter.
    fn write(sheets: &[GenSheet], path: &Path) {
        let mut book = Workbook::new();
        let date = Format::new().set_num_format("dd/mm/yyyy");
        let hours = Format::new().set_num_format("[h]:mm");
        let bold = Format::new().set_bold();
        for (inline, cells) in sheets {
            let sheet = if *inline {
                book.add_worksheet_with_constant_memory().expect("sheet")
            } else {
                book.add_worksheet()
            };
            let mut cells = cells.clone();
            cells.sort_by_key(|&(r, c, _)| (r, c));
            cells.dedup_by_key(|&mut (r, c, _)| (r, c));
            for (r, c, v) in cells {
                let written = match v {
                    Spec::Text(s) => sheet.write_string(r, c, s),
                    Spec::Number(n) => sheet.write_number(r, c, n),
                    Spec::Date(y, m, d) => {
                        match rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d) {
                            Ok(dt) => sheet.write_datetime_with_format(r, c, &dt, &date),
                            Err(_) => sheet.write_number(r, c, 1.0),
                        }
                    }
                    Spec::Hours(h) => sheet.write_number_with_format(r, c, h, &hours),
                    Spec::Bool(b) => sheet.write_boolean(r, c, b),
                    Spec::Blank => sheet.write_blank(r, c, &bold),
                    Spec::Formula(result) => {
                        sheet.write_formula(r, c, Formula::new("=A1").set_result(result))
                    }
                    Spec::Rich(a, b) if !a.is_empty() && !b.is_empty() => sheet.write_rich_string(
                        r,
                        c,
                        &[(&bold, a.as_str()), (&Format::default(), b.as_str())],
                    ),
                    Spec::Rich(..) => sheet.write_string(r, c, "x"),
                };
                written.expect("cell written");
            }
        }
        book.save(path).expect("saved");
    }

    // Disagreements found by attacking the reader (malformed or unusual XML): each case must
    // read as calamine reads it, or be refused alike.

    /// A workbook of one sheet "Data" from raw bytes (which may not be UTF-8): the sheet's
    /// inner XML, and shared strings and styles if given.
    fn package_bytes(
        dir: &Path,
        sheet: &[u8],
        strings: Option<&[u8]>,
        styles: Option<&[u8]>,
    ) -> std::path::PathBuf {
        let path = dir.join("bytes.xlsx");
        let mut zip = zip::ZipWriter::new(File::create(&path).expect("created"));
        let options = zip::write::SimpleFileOptions::default();
        let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
        let rels = r#"xmlns="http://schemas.openxmlformats.org/package/2006/relationships""#;
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let wrap = |root: &str, inner: &[u8]| {
            let mut v = format!(r#"<?xml version="1.0"?><{root} {ns}>"#).into_bytes();
            v.extend_from_slice(inner);
            v.extend_from_slice(format!("</{root}>").as_bytes());
            v
        };
        let mut parts = vec![
            ("_rels/.rels", format!(r#"<?xml version="1.0"?><Relationships {rels}><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).into_bytes()),
            ("xl/workbook.xml", format!(r#"<?xml version="1.0"?><workbook {ns}><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#).into_bytes()),
            ("xl/_rels/workbook.xml.rels", format!(r#"<?xml version="1.0"?><Relationships {rels}><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#).into_bytes()),
            ("xl/worksheets/sheet1.xml", wrap("worksheet", sheet)),
        ];
        if let Some(s) = strings {
            parts.push(("xl/sharedStrings.xml", wrap("sst", s)));
        }
        if let Some(s) = styles {
            parts.push(("xl/styles.xml", wrap("styleSheet", s)));
        }
        for (name, bytes) in parts {
            zip.start_file(name, options).expect("part");
            zip.write_all(&bytes).expect("written");
        }
        zip.finish().expect("zip");
        path
    }

    /// How our reading (calamine reading on where it gives up) of a workbook differs from
    /// calamine's, if it does.
    fn disagreement(path: &Path) -> Option<String> {
        let (ours, theirs, bails) = both(path);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) if a == b => None,
            (Err(_), Err(_)) => None,
            _ => Some(format!(
                "\n    ours     {ours:?} (gave up: {bails:?})\n    calamine {theirs:?}"
            )),
        }
    }

    /// Each sheet (raw inner XML bytes, with two shared strings "x", "y" and [`STYLES`]) that
    /// our reading and calamine's read differently.
    fn sheets_read_differently(sheets: &[&[u8]]) -> Vec<String> {
        let dir = tempfile::tempdir().expect("dir");
        let strings = b"<si><t>x</t></si><si><t>y</t></si>";
        sheets
            .iter()
            .filter_map(|sheet| {
                let path = package_bytes(dir.path(), sheet, Some(strings), Some(STYLES.as_bytes()));
                disagreement(&path).map(|d| format!("{}{d}", String::from_utf8_lossy(sheet)))
            })
            .collect()
    }

    /// Each shared strings part (raw inner XML bytes) that makes our reading and calamine's of
    /// a sheet of two shared-string cells (0 and 1) differ.
    fn strings_read_differently(strings: &[&[u8]]) -> Vec<String> {
        let dir = tempfile::tempdir().expect("dir");
        let sheet = br#"<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row></sheetData>"#;
        strings
            .iter()
            .filter_map(|s| {
                let path = package_bytes(dir.path(), sheet, Some(s), None);
                disagreement(&path).map(|d| format!("{}{d}", String::from_utf8_lossy(s)))
            })
            .collect()
    }

    /// Asserts that every sheet and every shared strings part is read alike by ours and
    /// calamine (see [`sheets_read_differently`], [`strings_read_differently`]).
    fn read_alike(sheets: &[&[u8]], strings: &[&[u8]]) {
        let failures = [
            sheets_read_differently(sheets),
            strings_read_differently(strings),
        ]
        .concat();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn an_end_tag_with_space_before_its_name_is_not_an_end_to_calamine() {
        // quick-xml trims only the end of an end tag's name (`</ row>` is named " row").
        read_alike(
            &[
                br#"<sheetData><row><c><v>1</v></c></ row><row><c><v>2</v></c></row></sheetData>"#,
                br#"<sheetData><row r="1"><c r="A1"><v>1</v></c></row></ sheetData><row r="3"><c r="A3"><v>3</v></c></row></sheetData>"#,
                br#"<sheetData><row r="1"><c r="A1"><v>1</v></ c><c r="B1"><v>2</v></c></row></sheetData>"#,
                br#"<sheetData><row r="1"><c r="A1"><v>1</ v></c><c r="B1"><v>2</v></c></row></sheetData>"#,
            ],
            &[
            br#"<si><t>a</ t></si><si><t>b</t></si>"#,
            br#"<si><t>a</t></ si><si><t>b</t></si>"#,
            br#"<si><rPh><t>p</t></ rPh><t>b</t></si><si><t>c</t></si>"#,
            ],
        );
    }

    #[test]
    fn a_form_feed_or_slash_is_not_a_tag_name_end_to_calamine() {
        // quick-xml ends a tag's name at ' ', '\t', '\r' or '\n' only: `<c\x0Cr="B1">` is an
        // element named `c\x0Cr="B1"`, not a cell.
        read_alike(
            &[
                b"<sheetData><row r=\"1\"><c\x0Cr=\"B1\"><v>1</v></c></row></sheetData>",
                b"<sheetData><row\x0Cr=\"5\"><c><v>1</v></c></row></sheetData>",
                br#"<sheetData><row r="1"><c/t="s"><v>1</v></c></row></sheetData>"#,
                b"<sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c\x0C><c r=\"B1\"><v>2</v></c></row></sheetData>",
                // A phantom cell before a give-up would make calamine's re-reading skip a real one.
                b"<sheetData><row r=\"1\"><c\x0Cr=\"A1\"><v>1</v></c><c r=\"B1\"><v>2</v></c><!-- x --><c r=\"C1\"><v>3</v></c></row></sheetData>",
            ],
            &[
            b"<si><t\x0Cxml:space=\"preserve\"> a </t></si><si><t>b</t></si>",
            b"<si\x0Cx=\"1\"><t>a</t></si><si><t>b</t></si>",
            ],
        );
    }

    #[test]
    fn a_name_with_two_colons_has_its_local_part_after_the_first_as_quick_xml_says() {
        read_alike(
            &[
                br#"<sheetData><row r="1"><a:b:c r="A1"><v>1</v></a:b:c><c r="B1"><v>2</v></c></row></sheetData>"#,
                br#"<sheetData><a:b:row r="3"><c><v>1</v></c></a:b:row><row><c><v>2</v></c></row></sheetData>"#,
                br#"<a:b:sheetData><row r="1"><c r="A1"><v>1</v></c></row></a:b:sheetData><sheetData><row r="2"><c><v>2</v></c></row></sheetData>"#,
                br#"<sheetData><row r="1"><c r="A1"><a:b:v>1</a:b:v></c></row></sheetData>"#,
                br#"<sheetData><row r="1"><c r="A1" t="inlineStr"><is><a:b:t>q</a:b:t></is></c></row></sheetData>"#,
                br#"<sheetData><row r="1"><c r="A1" t="inlineStr"><a:b:is><t>q</t></a:b:is></c></row></sheetData>"#,
                br#"<sheetData><row r="1"><c r="A1"><a:b:f>1</a:b:f><v>2</v></c></row></sheetData>"#,
            ],
            &[
            br#"<a:b:si><t>a</t></a:b:si><si><t>b</t></si>"#,
            br#"<si><a:b:t>a</a:b:t></si><si><t>b</t></si>"#,
            br#"<si><t>a</t><a:b:rPh><t>p</t></a:b:rPh></si><si><t>b</t></si>"#,
            ],
        );
    }

    #[test]
    fn a_cells_repeated_attribute_is_read_as_calamine_reads_it() {
        // calamine keeps the last of a repeated attribute (and stops once it has counted three
        // of r, s, t): ours gives such a cell back.
        read_alike(
            &[
            br#"<sheetData><row r="1"><c r="A1" r="C1"><v>1</v></c></row></sheetData>"#,
            br#"<sheetData><row r="1"><c r="A1" t="n" t="s"><v>1</v></c></row></sheetData>"#,
            br#"<sheetData><row r="1"><c r="A1" s="0" s="2"><v>40000</v></c></row></sheetData>"#,
            br#"<sheetData><row r="1"><c r="A1" r="B1" s="0" t="s"><v>0</v></c></row></sheetData>"#,
            ],
            &[],
        );
    }

    #[test]
    fn a_malformed_attribute_calamine_refuses_is_not_read_by_ours() {
        read_alike(
            &[
                br#"<sheetData><row r="1"><c r="A1" foo><v>1</v></c></row></sheetData>"#,
                br#"<sheetData><row r="1"><c r="A1" foo=bar><v>1</v></c></row></sheetData>"#,
                br#"<sheetData><row foo= r="2"><c><v>1</v></c></row></sheetData>"#,
            ],
            &[
                br#"<si><t a=b xml:space="preserve"> x </t></si><si><t>b</t></si>"#,
                br#"<si><t foo> x </t></si><si><t>b</t></si>"#,
            ],
        );
    }

    #[test]
    fn text_our_reader_skips_is_still_checked_as_quick_xml_checks_it() {
        read_alike(
            &[
                br#"<sheetData><row r="1"><c r="A1"><f>A1&B1</f><v>1</v></c></row></sheetData>"#,
                br#"<sheetData><row r="1"><c r="A1">&<v>1</v></c></row></sheetData>"#,
                br#"<sheetData><row r="1"><c r="A1"><v>1</v></c></row>&<row r="2"><c r="A2"><v>2</v></c></row></sheetData>"#,
                br#"<sheetPr>a & b</sheetPr><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>"#,
                b"<sheetData><row r=\"1\"><c r=\"A1\"><f>\xff</f><v>1</v></c></row></sheetData>",
                b"<sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row>\xff<row r=\"2\"><c r=\"A2\"><v>2</v></c></row></sheetData>",
                b"<sheetData><row r=\"1\" x=\"\xff\"><c r=\"A1\"><v>1</v></c></row></sheetData>",
                b"<sheetPr><!-- \xff --></sheetPr><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData>",
                br#"<?><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>"#,
                br#"<sheetData><row r="1"><c r="A1"><f>A<?>1</f><v>1</v></c></row></sheetData>"#,
            ],
            &[
            br#"<si><r><rPr>&</rPr><t>a</t></r></si><si><t>b</t></si>"#,
            br#"&<si><t>a</t></si><si><t>b</t></si>"#,
            br#"<si><t>a</t><rPh><t>&</t></rPh></si><si><t>b</t></si>"#,
            b"<si><t>a</t><rPh><t>\xff</t></rPh></si><si><t>b</t></si>",
            b"<si><r><rPr><rFont val=\"\xff\"/></rPr><t>a</t></r></si><si><t>b</t></si>",
            br#"<si><t>a<?>b</t></si><si><t>c</t></si>"#,
            ],
        );
    }

    #[test]
    fn styles_calamine_refuses_or_reads_otherwise_are_not_read_by_ours() {
        let dir = tempfile::tempdir().expect("dir");
        let sheet = br#"<sheetData><row r="1"><c s="1"><v>40000</v></c><c s="2"><v>40000.5</v></c></row></sheetData>"#;
        let failures: Vec<String> = [
            &br#"<fonts count="1"><font><name val="Cal&bogus;"/></font></fonts><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>"#[..],
            br#"<fonts><font><b val/></font></fonts><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>"#,
            br#"<cellXfs><xf numFmtId="0"/><xf numFmtId="14"><alignment horizontal/></xf></cellXfs>"#,
            br#"<cellXfs><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat/></cellXfs>"#,
            br#"<cellXfs><xf numFmtId="0"/><xf numFmtId="14"></cellXfs>"#,
            br#"<cellXfs><xf numFmtId="0"><xf numFmtId="14"/></xf><xf numFmtId="14"/></cellXfs>"#,
        ]
        .iter()
        .filter_map(|styles| {
            let path = package_bytes(dir.path(), sheet, None, Some(styles));
            disagreement(&path).map(|d| format!("{}{d}", String::from_utf8_lossy(styles)))
        })
        .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn a_workbook_calamine_cannot_open_or_find_a_sheet_of_is_not_read_by_ours() {
        let dir = tempfile::tempdir().expect("dir");
        let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
        let rels = r#"xmlns="http://schemas.openxmlformats.org/package/2006/relationships""#;
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let sheet = format!(
            r#"<?xml version="1.0"?><worksheet {ns}><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#
        );
        let book = |package_rels: &str, workbook_inner: &str, target: &str| {
            let path = dir.path().join("wb.xlsx");
            let mut zip = zip::ZipWriter::new(File::create(&path).expect("created"));
            let options = zip::write::SimpleFileOptions::default();
            for (name, text) in [
                (
                    "_rels/.rels",
                    format!(r#"<?xml version="1.0"?>{package_rels}"#),
                ),
                (
                    "xl/workbook.xml",
                    format!(
                        r#"<?xml version="1.0"?><workbook {ns}><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets>{workbook_inner}</workbook>"#
                    ),
                ),
                (
                    "xl/_rels/workbook.xml.rels",
                    format!(
                        r#"<?xml version="1.0"?><Relationships {rels}><Relationship Id="rId1" Type="{rel}/worksheet" Target="{target}"/></Relationships>"#
                    ),
                ),
                ("xl/worksheets/sheet1.xml", sheet.clone()),
            ] {
                zip.start_file(name, options).expect("part");
                zip.write_all(text.as_bytes()).expect("written");
            }
            zip.finish().expect("zip");
            disagreement(&path)
        };
        let usual = format!(
            r#"<Relationships {rels}><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        );
        let failures: Vec<String> = [
            ("a sheet target with a backslash", book(&usual, "", "worksheets\\sheet1.xml")),
            ("a defined name's unknown entity", book(&usual, r#"<definedNames><definedName name="x">&foo;</definedName></definedNames>"#, "worksheets/sheet1.xml")),
            ("a defined name's name's unknown entity", book(&usual, r#"<definedNames><definedName name="&foo;">1</definedName></definedNames>"#, "worksheets/sheet1.xml")),
            ("a relationship before <Relationships>", book(&format!(r#"<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/><Relationships {rels}></Relationships>"#), "", "worksheets/sheet1.xml")),
        ]
        .into_iter()
        .filter_map(|(what, differs)| differs.map(|d| format!("{what}{d}")))
        .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Workbooks as rust_xlsxwriter writes them (shared or inline strings, dates, durations,
        /// formulas with their results, rich text, blanks): our reader reads every cell as
        /// calamine does, and never gives up.
        #[test]
        fn generated_workbooks_are_read_as_calamine_reads_them(
            sheets in prop::collection::vec(
                (any::<bool>(), prop::collection::vec((0u32..40, 0u16..12, spec()), 0..60)),
                1..4,
            )
        ) {
            let dir = tempfile::tempdir().expect("dir");
            let path = dir.path().join("gen.xlsx");
            write(&sheets, &path);
            let (ours, theirs, bails) = both(&path);
            prop_assert!(bails.is_empty(), "gave up: {:?}", bails);
            prop_assert_eq!(ours, theirs);
        }

        /// Sheets made of a soup of the pieces sheet XML is made of, well formed or not: our
        /// reader (with calamine reading on where it gives up) gives what calamine gives, or
        /// both say the sheet cannot be read; it never panics.
        #[test]
        fn a_soup_of_sheet_pieces_is_read_as_calamine_reads_it(
            pieces in prop::collection::vec(prop_oneof![
                Just("<row>"), Just("<row r=\"3\">"), Just("<row r=\"2\"/>"), Just("</row>"),
                Just("<c>"), Just("<c r=\"B2\">"), Just("<c t=\"s\">"), Just("<c s=\"1\">"),
                Just("<c t=\"inlineStr\">"), Just("<c t=\"str\">"), Just("<c t=\"b\">"),
                Just("<c r=\"A1\"/>"), Just("</c>"), Just("<v>"), Just("</v>"), Just("<v/>"),
                Just("0"), Just("1"), Just("27189"), Just("-2.5e3"), Just(" "), Just("a&amp;b"),
                Just("<is>"), Just("</is>"), Just("<t>"), Just("</t>"), Just("<r>"), Just("</r>"),
                Just("<f>"), Just("</f>"), Just("<!-- x -->"), Just("\r\n"), Just("&#65;"),
                Just("<rPh>"), Just("</rPh>"), Just("_x0041_"),
            ], 0..40)
        ) {
            let sheet = format!("<sheetData>{}</sheetData>", pieces.concat());
            same_as_calamine(&sheet, Some("<si><t>zero</t></si><si><t>one</t></si>"));
        }

        /// Rows of cells of every shape (with or without references, every type, values
        /// well and badly formed, formulas, inline rich text) with now and then a piece out of
        /// place: read as calamine reads them.
        #[test]
        fn rows_of_cells_of_every_shape_are_read_as_calamine_reads_them(
            rows in prop::collection::vec((
                prop_oneof![Just(""), Just(" r=\"2\""), Just(" r=\"7\""), Just(" r=\"x\"")],
                prop::collection::vec((
                    prop_oneof![
                        Just(""), Just(" r=\"C4\""), Just(" r=\"A1\""), Just(" t=\"s\""),
                        Just(" t=\"n\""), Just(" t=\"b\""), Just(" t=\"e\""), Just(" t=\"str\""),
                        Just(" t=\"d\""), Just(" t=\"inlineStr\""), Just(" s=\"1\""),
                        Just(" s=\"3\""), Just(" r=\"B9\" s=\"2\" t=\"n\""),
                    ],
                    prop_oneof![
                        Just(""), Just("<v>0</v>"), Just("<v>1</v>"), Just("<v>27189.25</v>"),
                        Just("<v>-1e-3</v>"), Just("<v>TRUE</v>"), Just("<v>#N/A</v>"),
                        Just("<v>2021-03-04</v>"), Just("<v>a &amp; b_x0041_\r\nc</v>"),
                        Just("<v></v>"), Just("<v/>"), Just("<f>A1</f><v>2</v>"),
                        Just("<f t=\"shared\" si=\"0\"/><v>3</v>"),
                        Just("<is><t> x </t></is>"),
                        Just("<is><r><t>a</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\"> b </t></r><rPh><t>p</t></rPh></is>"),
                        Just("<v>1</v><f>B1</f>"),
                    ],
                    prop_oneof![
                        8 => Just(""), 1 => Just("<!-- c -->"), 1 => Just("</r>"),
                        1 => Just("<x/>"), 1 => Just(" "),
                    ],
                ), 0..8),
            ), 0..8)
        ) {
            let mut sheet = String::from("<sheetData>");
            for (r, cells) in rows {
                sheet += &format!("<row{r}>");
                for (attrs, content, noise) in cells {
                    sheet += &format!("<c{attrs}>{content}</c>{noise}");
                }
                sheet += "</row>";
            }
            sheet += "</sheetData>";
            same_as_calamine(&sheet, Some("<si><t>zero</t></si><si><t>one</t></si>"));
        }
    }
}
