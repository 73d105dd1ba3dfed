//! The day an out-of-office answer says its writer is back, read from the text in English,
//! Portuguese, Spanish, French and German: absolute dates (`21/12/2026`, `21.12.`,
//! `2026-12-21`, `December 21`, `21 de dezembro`, `21. Dezember`), weekday names and
//! "tomorrow" relative to the answer's own date. Pure: no clock, no network.
//!
//! A date counts by what precedes it: after "back", "volto", "de retour", "wieder"… it is the
//! return day itself; after "until", "até", "hasta", "jusqu'au", "bis" it is the last day away
//! when the text says so ("inclusive", "einschließlich", "through", a range's end) and the
//! return day otherwise. Without such a word, the latest date mentioned is taken.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::text::{fold, own_text};

/// How far after the answer a return date may lie; a later one is read as no date.
pub const MAX_AHEAD_DAYS: u64 = 200;

/// Words (folded) after which a date is the day its writer is back.
const RETURN_CUES: &[&str] = &[
    "back",
    "return",
    "returning",
    "returns",
    "volto",
    "voltarei",
    "volta",
    "retorno",
    "retornarei",
    "retornando",
    "regreso",
    "regresare",
    "regresar",
    "vuelvo",
    "volvere",
    "reincorporo",
    "reincorporare",
    "retour",
    "reviens",
    "reviendrai",
    "zuruck",
    "wieder",
    "ab",
    "from",
    "starting",
    "desde",
    "partir",
    "available",
    "disponible",
    "disponivel",
    "erreichbar",
    "reachable",
];

/// Words (folded) after which a date is the end of the absence.
const UNTIL_CUES: &[&str] = &[
    "until", "till", "til", "untill", "ate", "hasta", "jusqu'au", "jusqu'a", "jusqu", "bis",
];

/// Words (folded) that make the end of an absence its last day away.
const THROUGH_CUES: &[&str] = &["through", "thru", "including"];
const INCLUSIVE: &[&str] = &[
    "inclusive",
    "inclusivo",
    "incluso",
    "incluido",
    "inclus",
    "incluse",
    "einschliesslich",
    "einschl",
    "included",
    "inclusief",
];

/// Connectors that make the next date a range's end ("14 to 20 December", "de 14 a 20").
const RANGE_TO: &[&str] = &["to", "a", "au", "al", "bis", "-", "ate", "hasta", "and"];

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("janeiro", 1),
    ("enero", 1),
    ("ene", 1),
    ("janvier", 1),
    ("janv", 1),
    ("januar", 1),
    ("janner", 1),
    ("february", 2),
    ("feb", 2),
    ("fevereiro", 2),
    ("fev", 2),
    ("febrero", 2),
    ("fevrier", 2),
    ("fevr", 2),
    ("februar", 2),
    ("march", 3),
    ("mar", 3),
    ("marco", 3),
    ("marzo", 3),
    ("mars", 3),
    ("marz", 3),
    ("april", 4),
    ("apr", 4),
    ("abril", 4),
    ("abr", 4),
    ("avril", 4),
    ("avr", 4),
    ("may", 5),
    ("maio", 5),
    ("mai", 5),
    ("mayo", 5),
    ("june", 6),
    ("jun", 6),
    ("junho", 6),
    ("junio", 6),
    ("juin", 6),
    ("juni", 6),
    ("july", 7),
    ("jul", 7),
    ("julho", 7),
    ("julio", 7),
    ("juillet", 7),
    ("juil", 7),
    ("juli", 7),
    ("august", 8),
    ("aug", 8),
    ("agosto", 8),
    ("ago", 8),
    ("aout", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("setembro", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("septembre", 9),
    ("october", 10),
    ("oct", 10),
    ("outubro", 10),
    ("octubre", 10),
    ("octobre", 10),
    ("oktober", 10),
    ("okt", 10),
    ("november", 11),
    ("nov", 11),
    ("novembro", 11),
    ("noviembre", 11),
    ("novembre", 11),
    ("december", 12),
    ("dec", 12),
    ("dezembro", 12),
    ("dez", 12),
    ("diciembre", 12),
    ("dic", 12),
    ("decembre", 12),
    ("dezember", 12),
];

const WEEKDAYS: &[(&str, Weekday)] = &[
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
    ("segunda", Weekday::Mon),
    ("terca", Weekday::Tue),
    ("quarta", Weekday::Wed),
    ("quinta", Weekday::Thu),
    ("sexta", Weekday::Fri),
    ("sabado", Weekday::Sat),
    ("domingo", Weekday::Sun),
    ("lunes", Weekday::Mon),
    ("martes", Weekday::Tue),
    ("miercoles", Weekday::Wed),
    ("jueves", Weekday::Thu),
    ("viernes", Weekday::Fri),
    ("lundi", Weekday::Mon),
    ("mardi", Weekday::Tue),
    ("mercredi", Weekday::Wed),
    ("jeudi", Weekday::Thu),
    ("vendredi", Weekday::Fri),
    ("samedi", Weekday::Sat),
    ("dimanche", Weekday::Sun),
    ("montag", Weekday::Mon),
    ("dienstag", Weekday::Tue),
    ("mittwoch", Weekday::Wed),
    ("donnerstag", Weekday::Thu),
    ("freitag", Weekday::Fri),
    ("samstag", Weekday::Sat),
    ("sonnabend", Weekday::Sat),
    ("sonntag", Weekday::Sun),
];

/// Portuguese weekday names that are also ordinals ("segunda" = second): a weekday only
/// with "-feira" after it or "na"/"a"/"ate"/"proxima" before it.
const PT_ORDINAL_DAYS: &[&str] = &["segunda", "terca", "quarta", "quinta", "sexta"];

const TOMORROW: &[&str] = &["tomorrow", "amanha", "manana", "demain", "morgen"];

/// Suffixes of ordinal day numbers ("21st", "1er", "1º").
const ORDINALS: &[&str] = &["st", "nd", "rd", "th", "er", "eme", "o", "a", "º", "ª"];

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Num { value: u32, digits: usize },
    Punct(char),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    /// Whitespace separates it from the token before.
    spaced: bool,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut spaced = false;
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            spaced = true;
            chars.next();
        } else if c.is_ascii_digit() {
            let mut digits = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(d);
                chars.next();
            }
            let value = if digits.len() > 4 {
                u32::MAX
            } else {
                digits.parse().unwrap_or(u32::MAX)
            };
            out.push(Token {
                tok: Tok::Num {
                    value,
                    digits: digits.len(),
                },
                spaced,
            });
            spaced = false;
        } else if c.is_alphabetic() {
            let mut word = String::new();
            while let Some(&w) = chars.peek().filter(|w| w.is_alphabetic() || **w == '\'') {
                word.push(w);
                chars.next();
            }
            // An ordinal's suffix belongs to its number ("21st", "1er").
            let ordinal = !spaced
                && matches!(
                    out.last(),
                    Some(Token {
                        tok: Tok::Num { .. },
                        ..
                    })
                )
                && ORDINALS.contains(&word.as_str());
            if !ordinal {
                out.push(Token {
                    tok: Tok::Word(word),
                    spaced,
                });
            }
            spaced = false;
        } else {
            chars.next();
            out.push(Token {
                tok: Tok::Punct(c),
                spaced,
            });
            spaced = false;
        }
    }
    out
}

fn month_of(word: &str) -> Option<u32> {
    MONTHS
        .iter()
        .find(|(name, _)| *name == word)
        .map(|(_, m)| *m)
}

/// How a date mention is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cue {
    Return,
    Until {
        inclusive: bool,
    },
    /// A range's first day ("from 14 …"): the writer is away then, not back.
    RangeStart,
    None,
}

#[derive(Clone, Copy, Debug)]
struct Mention {
    date: NaiveDate,
    cue: Cue,
}

/// A date mention starting at `tokens[i]`: the date (resolved against `today`) and how many
/// tokens it takes. Bare numbers and weekdays are left to [`relative_at`].
fn date_at(tokens: &[Token], i: usize, today: NaiveDate) -> Option<(NaiveDate, usize)> {
    let at = |k: usize| tokens.get(i + k).map(|t| &t.tok);
    let tight = |k: usize| tokens.get(i + k).is_some_and(|t| !t.spaced);
    match at(0)? {
        Tok::Num {
            value: a,
            digits: da,
        } => {
            let (a, da) = (*a, *da);
            // Numeric: 2026-12-21, 21/12/2026, 21.12.2026, 21/12, 21.12.
            if let (
                Some(Tok::Punct(sep)),
                Some(Tok::Num {
                    value: b,
                    digits: db,
                }),
            ) = (at(1), at(2))
                && tight(1)
                && tight(2)
                && matches!(sep, '/' | '.' | '-')
                && *db <= 2
            {
                let sep = *sep;
                let year = match (at(3), at(4)) {
                    (
                        Some(Tok::Punct(s)),
                        Some(Tok::Num {
                            value: y,
                            digits: dy,
                        }),
                    ) if *s == sep && tight(3) && tight(4) && (*dy == 2 || *dy == 4) => {
                        Some((if *dy == 2 { 2000 + y } else { *y }, 5))
                    }
                    _ => None,
                };
                if da == 4 && sep == '-' {
                    let (c, used) = match (at(3), at(4)) {
                        (Some(Tok::Punct('-')), Some(Tok::Num { value, digits: 2 }))
                            if tight(3) && tight(4) =>
                        {
                            (*value, 5)
                        }
                        _ => return None,
                    };
                    return NaiveDate::from_ymd_opt(a as i32, *b, c).map(|d| (d, used));
                }
                if da > 2 {
                    return None;
                }
                let b = *b;
                return match year {
                    Some((y, used)) => day_first(a, b, Some(y), today).map(|d| (d, used)),
                    None => {
                        // `21.12` needs its closing dot (`21.12.`): `1.5` is a number.
                        let closed =
                            sep != '.' || (matches!(at(3), Some(Tok::Punct('.'))) && tight(3));
                        let plain_range = sep == '-';
                        if !closed || plain_range {
                            return None;
                        }
                        day_first(a, b, None, today).map(|d| (d, 3 + usize::from(sep == '.')))
                    }
                };
            }
            // Day then month name: "21 December", "21. Dezember", "21 de dezembro de 2026",
            // "21st of December, 2026".
            if da > 2 {
                return None;
            }
            let mut k = 1;
            if matches!(at(k), Some(Tok::Punct('.'))) {
                k += 1;
            }
            if matches!(at(k), Some(Tok::Word(w)) if w == "de" || w == "of" || w == "del") {
                k += 1;
            }
            let Some(Tok::Word(name)) = at(k) else {
                return None;
            };
            let month = month_of(name)?;
            k += 1;
            if matches!(at(k), Some(Tok::Punct('.'))) && tight(k) {
                k += 1;
            }
            let (year, used) = year_after(tokens, i + k);
            resolve(a, month, year, today).map(|d| (d, k + used))
        }
        Tok::Word(name) => {
            // Month name then day: "December 21", "Dec. 21st, 2026".
            let month = month_of(name)?;
            let mut k = 1;
            if matches!(at(k), Some(Tok::Punct('.'))) {
                k += 1;
            }
            let Some(Tok::Num { value: day, digits }) = at(k) else {
                return None;
            };
            if *digits > 2 {
                return None;
            }
            k += 1;
            let (year, used) = year_after(tokens, i + k);
            resolve(*day, month, year, today).map(|d| (d, k + used))
        }
        Tok::Punct(_) => None,
    }
}

/// An optional year after a date (`, 2026`, ` de 2026`): the year and the tokens it takes.
fn year_after(tokens: &[Token], i: usize) -> (Option<u32>, usize) {
    let at = |k: usize| tokens.get(i + k).map(|t| &t.tok);
    let mut k = 0;
    if matches!(at(k), Some(Tok::Punct(','))) {
        k += 1;
    }
    if matches!(at(k), Some(Tok::Word(w)) if w == "de" || w == "del") {
        k += 1;
    }
    match at(k) {
        Some(Tok::Num { value, digits: 4 }) if (2000..2100).contains(value) => {
            (Some(*value), k + 1)
        }
        _ => (None, 0),
    }
}

/// The next date with this day and month on or after `today` (a year named wins).
fn resolve(day: u32, month: u32, year: Option<u32>, today: NaiveDate) -> Option<NaiveDate> {
    if let Some(year) = year {
        return NaiveDate::from_ymd_opt(year as i32, month, day);
    }
    let this = NaiveDate::from_ymd_opt(today.year(), month, day);
    match this {
        Some(d) if d >= today => Some(d),
        _ => NaiveDate::from_ymd_opt(today.year() + 1, month, day),
    }
}

/// A numeric date, day first (as written everywhere but the United States), month first when
/// only that reading is a date ahead.
fn day_first(a: u32, b: u32, year: Option<u32>, today: NaiveDate) -> Option<NaiveDate> {
    let ahead = |d: &NaiveDate| *d > today && *d <= today + Days::new(MAX_AHEAD_DAYS);
    let first = resolve(a, b, year, today);
    if first.as_ref().is_some_and(ahead) {
        return first;
    }
    resolve(b, a, year, today).filter(ahead).or(first)
}

fn word(tokens: &[Token], i: usize) -> Option<&str> {
    match tokens.get(i).map(|t| &t.tok) {
        Some(Tok::Word(w)) => Some(w.as_str()),
        _ => None,
    }
}

/// A weekday, "tomorrow", or a bare day number ("back on the 21st"), at `tokens[i]`: the date
/// and how many tokens it takes.
fn relative_at(tokens: &[Token], i: usize, today: NaiveDate) -> Option<(NaiveDate, usize)> {
    let before = i.checked_sub(1).and_then(|p| word(tokens, p));
    match &tokens[i].tok {
        Tok::Word(w) => {
            if TOMORROW.contains(&w.as_str()) {
                // "por la mañana", "guten Morgen": a morning, not tomorrow.
                if matches!(before, Some("la" | "guten" | "de" | "this" | "am")) {
                    return None;
                }
                return today.succ_opt().map(|d| (d, 1));
            }
            let (_, weekday) = WEEKDAYS.iter().find(|(name, _)| name == w)?;
            // "segunda-feira", "segunda feira": the "feira" is part of the name.
            let used = if matches!(tokens.get(i + 1).map(|t| &t.tok), Some(Tok::Punct('-')))
                && word(tokens, i + 2) == Some("feira")
            {
                3
            } else if word(tokens, i + 1) == Some("feira") {
                2
            } else {
                1
            };
            if PT_ORDINAL_DAYS.contains(&w.as_str())
                && used == 1
                && !matches!(before, Some("na" | "a" | "ate" | "proxima" | "nesta"))
            {
                return None;
            }
            let mut day = today.succ_opt()?;
            while day.weekday() != *weekday {
                day = day.succ_opt()?;
            }
            Some((day, used))
        }
        Tok::Num { value, digits } if *digits <= 2 && (1..=31).contains(value) => {
            if !matches!(
                before,
                Some("the" | "le" | "el" | "dia" | "am" | "den" | "o")
            ) {
                return None;
            }
            let mut day = today.succ_opt()?;
            for _ in 0..62 {
                if day.day() == *value {
                    return Some((day, 1));
                }
                day = day.succ_opt()?;
            }
            None
        }
        _ => None,
    }
}

/// The cue before the mention at `tokens[start]`: the nearest cue word among the few tokens
/// before it, within its sentence.
fn cue_before(tokens: &[Token], start: usize) -> Cue {
    let mut k = start;
    let mut seen = 0;
    // "bis einschließlich 18.12.": the marker sits between the cue and the date.
    let mut inclusive = false;
    while k > 0 && seen < 7 {
        k -= 1;
        match &tokens[k].tok {
            Tok::Punct('.' | '!' | '?' | ';' | '|') => break,
            Tok::Punct('-') if k + 1 == start || seen == 0 => {
                return Cue::Until { inclusive: true };
            }
            Tok::Word(w) => {
                seen += 1;
                let w = w.as_str();
                if INCLUSIVE.contains(&w) {
                    inclusive = true;
                }
                if UNTIL_CUES.contains(&w) {
                    return Cue::Until { inclusive };
                }
                if THROUGH_CUES.contains(&w) {
                    return Cue::Until { inclusive: true };
                }
                if RETURN_CUES.contains(&w) {
                    return Cue::Return;
                }
                // "de 14 a 20", "from the 14th to the 20th": a range's end is its last day.
                if RANGE_TO.contains(&w) && seen <= 2 && preceded_by_number(tokens, k) {
                    return Cue::Until { inclusive: true };
                }
            }
            _ => {}
        }
    }
    Cue::None
}

/// Whether a number (or a date's last token) comes just before `tokens[k]`.
fn preceded_by_number(tokens: &[Token], k: usize) -> bool {
    tokens[..k].iter().rev().take(3).any(|t| {
        matches!(t.tok, Tok::Num { .. }) || matches!(&t.tok, Tok::Word(w) if month_of(w).is_some())
    })
}

/// Whether an "inclusive" marker follows the mention ending before `tokens[end]`.
fn inclusive_after(tokens: &[Token], end: usize) -> bool {
    tokens[end..]
        .iter()
        .take(3)
        .any(|t| matches!(&t.tok, Tok::Word(w) if INCLUSIVE.contains(&w.as_str())))
        || matches!(tokens.get(end).map(|t| &t.tok), Some(Tok::Punct('(')))
            && tokens[end..]
                .iter()
                .take(4)
                .any(|t| matches!(&t.tok, Tok::Word(w) if INCLUSIVE.contains(&w.as_str())))
}

/// Whether a range connector follows the mention ending before `tokens[end]` ("14 to 20").
fn range_after(tokens: &[Token], end: usize) -> bool {
    match tokens.get(end).map(|t| &t.tok) {
        Some(Tok::Word(w)) => {
            (RANGE_TO.contains(&w.as_str()) && w != "and")
                || THROUGH_CUES.contains(&w.as_str())
                || UNTIL_CUES.contains(&w.as_str())
        }
        Some(Tok::Punct('-')) => true,
        _ => false,
    }
}

/// The first day the writer of an out-of-office answer is back, when its text says, read
/// against `today` (the answer's own date, in its own offset). `None` when it gives no date
/// within [`MAX_AHEAD_DAYS`].
pub fn return_date(body: &str, today: NaiveDate) -> Option<NaiveDate> {
    let text = fold(&own_text(body));
    // Sentences end at line breaks too: a signature's numbers are not part of a phrase.
    let text = text.replace('\n', " | ");
    let tokens = tokens(&text);
    let mut mentions: Vec<Mention> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let found = date_at(&tokens, i, today).or_else(|| relative_at(&tokens, i, today));
        let Some((date, used)) = found else {
            i += 1;
            continue;
        };
        // A weekday named with its date ("Monday, 21 December"): the date says it.
        let dated_next = matches!(tokens[i].tok, Tok::Word(ref w) if WEEKDAYS.iter().any(|(n, _)| n == w))
            && (1..=4).any(|k| i + k < tokens.len() && date_at(&tokens, i + k, today).is_some());
        if dated_next {
            i += 1;
            continue;
        }
        let end = i + used;
        let cue = match cue_before(&tokens, i) {
            Cue::Until { inclusive } => Cue::Until {
                inclusive: inclusive || inclusive_after(&tokens, end),
            },
            _ if range_after(&tokens, end) => Cue::RangeStart,
            cue => cue,
        };
        let bare = matches!(tokens[i].tok, Tok::Num { .. }) && used == 1
            || matches!(tokens[i].tok, Tok::Word(ref w) if WEEKDAYS.iter().any(|(n, _)| n == w));
        // A weekday or a bare day counts only where a cue says what it is.
        if !(bare && cue == Cue::None) {
            mentions.push(Mention { date, cue });
        }
        i = end;
    }
    let latest = today + Days::new(MAX_AHEAD_DAYS);
    let back = |m: &Mention| match m.cue {
        Cue::Until { inclusive: true } => m.date.succ_opt(),
        Cue::Return | Cue::Until { .. } | Cue::None => Some(m.date),
        Cue::RangeStart => None,
    };
    let ahead = |d: &NaiveDate| *d > today && *d <= latest;
    let returns = mentions
        .iter()
        .filter(|m| m.cue == Cue::Return)
        .filter_map(back)
        .find(ahead);
    returns.or_else(|| mentions.iter().filter_map(back).filter(ahead).max())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn phrasings_in_five_languages() {
        // 2026-12-07 is a Monday.
        let today = day("2026-12-07");
        let cases = [
            (
                "I'm out of the office and will be back on 21/12/2026.",
                "2026-12-21",
            ),
            ("I am on leave, returning December 21.", "2026-12-21"),
            ("Back on Monday.", "2026-12-14"),
            (
                "I'm away until Dec. 18th with no access to email.",
                "2026-12-18",
            ),
            (
                "Estou de férias e volto no dia 21 de dezembro.",
                "2026-12-21",
            ),
            ("Retorno na segunda-feira.", "2026-12-14"),
            ("Estarei ausente de 14 a 18 de dezembro.", "2026-12-19"),
            (
                "Estoy fuera de la oficina hasta el 21 de diciembre de 2026.",
                "2026-12-21",
            ),
            ("Vuelvo el lunes por la mañana.", "2026-12-14"),
            (
                "Je suis absent, de retour le lundi 21 décembre.",
                "2026-12-21",
            ),
            (
                "Je serai absente jusqu'au 18 décembre inclus.",
                "2026-12-19",
            ),
            (
                "Ich bin bis einschließlich 18.12. nicht im Büro.",
                "2026-12-19",
            ),
            ("Ab dem 4. Januar bin ich wieder erreichbar.", "2027-01-04"),
            ("Ich bin ab Montag wieder da.", "2026-12-14"),
            ("Out until 2027-01-04.", "2027-01-04"),
            ("Back tomorrow.", "2026-12-08"),
        ];
        for (text, want) in cases {
            assert_eq!(return_date(text, today), Some(day(want)), "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_dates_give_no_date() {
        let today = day("2026-12-07");
        for text in [
            "I am out of the office. For urgent matters call +55 11 98765-4321.",
            "Estou de férias. Pedido 12/34 será tratado pela equipe. CEP 01310-100.",
            "Ich bin nicht im Büro. Version 1.5 ist veröffentlicht.",
            "Out of office. Guten Morgen!",
            "I check email on Mondays only.",
        ] {
            assert_eq!(return_date(text, today), None, "{text}");
        }
    }

    #[test]
    fn a_date_in_the_past_or_too_far_ahead_is_no_return_date() {
        let today = day("2026-12-07");
        assert_eq!(return_date("Back on 01/12/2026.", today), None);
        assert_eq!(return_date("Back on 01/12/2028.", today), None);
    }

    #[test]
    fn a_year_rolls_over() {
        let today = day("2026-12-28");
        assert_eq!(
            return_date("Back on January 4.", today),
            Some(day("2027-01-04"))
        );
        assert_eq!(
            return_date("Volto dia 04/01.", today),
            Some(day("2027-01-04"))
        );
    }

    #[test]
    fn quoted_originals_are_not_read() {
        let today = day("2026-12-07");
        let body = "I'm out of office.\n\nOn Mon, Dec 7, 2026 at 10:02 AM Ana <ana@acme.io> wrote:\n> Can we talk on December 20?";
        assert_eq!(return_date(body, today), None);
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_read_without_panicking(text in "\\PC{0,300}") {
            let today = day("2026-12-07");
            if let Some(back) = return_date(&text, today) {
                proptest::prop_assert!(back > today);
                proptest::prop_assert!(back <= today + Days::new(MAX_AHEAD_DAYS));
            }
        }
    }
}
