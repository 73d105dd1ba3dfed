//! Email templates: `{{variable}}` and `{{variable | fallback}}`, where a variable is a contact
//! field (`firstName`, `lastName`, `company`, `email`, `phone`) or any `customFields` key; and
//! spintax, `{{RANDOM | a | b | c}}`, one option chosen per message (options may hold variables).

use std::collections::HashMap;

/// The keyword that opens spintax.
pub const RANDOM: &str = "RANDOM";
/// Most options one spintax offers.
pub const MAX_OPTIONS: usize = 50;

/// A piece of a parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part<'a> {
    Text(&'a str),
    Var {
        name: &'a str,
        fallback: &'a str,
    },
    /// Spintax: one of the options, each a template of text and variables.
    Random(Vec<Vec<Part<'a>>>),
}

/// Where and why a template does not parse; `position` counts characters from 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub position: usize,
    pub message: String,
}

fn is_identifier(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `inner` (between `{{` and `}}`) opens spintax.
fn opens_random(inner: &str) -> bool {
    let inner = inner.trim_start();
    inner.strip_prefix(RANDOM).is_some_and(|rest| {
        rest.is_empty() || rest.starts_with(|c: char| c == '|' || c.is_whitespace())
    })
}

/// The byte offset (in `text`, which follows an opening `{{`) of the `}}` that closes it,
/// skipping whole `{{…}}` pairs inside.
fn closing(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut i, mut depth) = (0, 0usize);
    while i + 1 < bytes.len() {
        match &bytes[i..i + 2] {
            b"{{" => {
                depth += 1;
                i += 2;
            }
            b"}}" if depth == 0 => return Some(i),
            b"}}" => {
                depth -= 1;
                i += 2;
            }
            _ => i += 1,
        }
    }
    None
}

/// Splits spintax's inside at the `|`s outside any `{{…}}`, with each piece's byte offset.
fn options(inner: &str) -> Vec<(usize, &str)> {
    let bytes = inner.as_bytes();
    let (mut out, mut from, mut depth, mut i) = (Vec::new(), 0, 0usize, 0);
    while i < bytes.len() {
        if bytes[i..].starts_with(b"{{") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"}}") {
            depth = depth.saturating_sub(1);
            i += 2;
        } else {
            if bytes[i] == b'|' && depth == 0 {
                out.push((from, &inner[from..i]));
                from = i + 1;
            }
            i += 1;
        }
    }
    out.push((from, &inner[from..]));
    out
}

pub fn parse(template: &str) -> Result<Vec<Part<'_>>, TemplateError> {
    parse_at(template, template, 0, true)
}

/// Parses `text`, which starts `base` bytes into `whole` (for positions); spintax only where
/// `random` allows it (not inside another).
fn parse_at<'a>(
    whole: &str,
    text: &'a str,
    base: usize,
    random: bool,
) -> Result<Vec<Part<'a>>, TemplateError> {
    let mut parts = Vec::new();
    let mut rest = text;
    let mut offset = base; // bytes of `whole` consumed so far
    let chars_at = |byte: usize| whole[..byte].chars().count();
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            parts.push(Part::Text(&rest[..open]));
        }
        let start = offset + open;
        let inner_from = open + 2;
        let unclosed = || TemplateError {
            position: chars_at(start),
            message: "'{{' is never closed with '}}'".into(),
        };
        let close = if opens_random(&rest[inner_from..]) {
            if !random {
                return Err(TemplateError {
                    position: chars_at(start),
                    message: "a {{RANDOM | …}} cannot hold another".into(),
                });
            }
            let close = closing(&rest[inner_from..]).ok_or_else(unclosed)?;
            let inner = &rest[inner_from..inner_from + close];
            let pieces = options(inner);
            let chosen: Vec<(usize, &str)> = pieces.into_iter().skip(1).collect();
            if chosen.is_empty() || chosen.len() > MAX_OPTIONS {
                return Err(TemplateError {
                    position: chars_at(start),
                    message: format!(
                        "{{{{RANDOM | …}}}} needs between 1 and {MAX_OPTIONS} options separated by '|'"
                    ),
                });
            }
            let mut alternatives = Vec::with_capacity(chosen.len());
            for (at, option) in chosen {
                let trimmed_start = option.len() - option.trim_start().len();
                let option_text = option.trim();
                let option_base = start + 2 + at + trimmed_start;
                alternatives.push(parse_at(whole, option_text, option_base, false)?);
            }
            parts.push(Part::Random(alternatives));
            close
        } else {
            let close = rest[inner_from..].find("}}").ok_or_else(unclosed)?;
            let inner = &rest[inner_from..inner_from + close];
            let (name, fallback) = match inner.split_once('|') {
                Some((name, fallback)) => (name.trim(), fallback.trim()),
                None => (inner.trim(), ""),
            };
            if name.is_empty() || !is_identifier(name) || inner.contains("{{") {
                return Err(TemplateError {
                    position: chars_at(start),
                    message: format!(
                        "'{{{{{inner}}}}}' is not a variable: use {{{{name}}}} or {{{{name | fallback}}}} with a letter, digits and '_'"
                    ),
                });
            }
            parts.push(Part::Var { name, fallback });
            close
        };
        let consumed = inner_from + close + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest));
    }
    Ok(parts)
}

/// The variables a template names (spintax options included), in order, repeated as written.
pub fn variables<'a>(parts: &[Part<'a>]) -> Vec<&'a str> {
    let mut out = Vec::new();
    for part in parts {
        match part {
            Part::Text(_) => {}
            Part::Var { name, .. } => out.push(*name),
            Part::Random(options) => options.iter().for_each(|o| out.extend(variables(o))),
        }
    }
    out
}

/// The choices one message makes (a spintax's option, a variant): a small generator drawn
/// from the message's stored seed, so the same seed always makes the same email.
#[derive(Clone, Debug)]
pub struct Choices(u64);

impl Choices {
    /// The choices of `seed`, for one use of it (`stream`: subject, body, variant, …), so
    /// different uses do not repeat each other's draws.
    pub fn new(seed: i64, stream: u64) -> Choices {
        Choices((seed as u64) ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// The next draw (SplitMix64).
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// An index below `n` (`n` ≥ 1).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Fills a parsed template; a missing or empty value uses the fallback; spintax takes the
/// first option.
pub fn render(parts: &[Part<'_>], values: &HashMap<String, String>) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Var { name, fallback } => match values.get(*name).filter(|v| !v.is_empty()) {
                Some(value) => out.push_str(value),
                None => out.push_str(fallback),
            },
            Part::Random(options) => out.push_str(&render(&options[0], values)),
        }
    }
    out
}

/// Fills a parsed template for sending: a variable with no value and no fallback is an error
/// naming it (an email must never read "Hi ,"); each spintax takes the option `choices` draws.
/// Every spintax draws once, in order, whichever options earlier draws took, so one seed
/// always makes the same email.
pub fn render_strict<'a>(
    parts: &[Part<'a>],
    values: &HashMap<String, String>,
    choices: &mut Choices,
) -> Result<String, &'a str> {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Var { name, fallback } => {
                match values.get(*name).filter(|v| !v.trim().is_empty()) {
                    Some(value) => out.push_str(value),
                    None if !fallback.is_empty() => out.push_str(fallback),
                    None => return Err(name),
                }
            }
            Part::Random(options) => {
                let option = &options[choices.below(options.len())];
                out.push_str(&render_strict(option, values, choices)?);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_renders_with_fallbacks() {
        let parts = parse("Hi {{ firstName | there }}, {{company}}!").unwrap();
        let mut values = HashMap::new();
        values.insert("company".to_owned(), "Acme".to_owned());
        assert_eq!(render(&parts, &values), "Hi there, Acme!");
        values.insert("firstName".to_owned(), "Ana".to_owned());
        assert_eq!(render(&parts, &values), "Hi Ana, Acme!");
        assert_eq!(render(&parse("no vars").unwrap(), &values), "no vars");
    }

    #[test]
    fn strict_rendering_names_the_first_missing_variable() {
        let parts = parse("Hi {{firstName}} from {{company | your team}}").unwrap();
        let mut values = HashMap::new();
        let mut c = Choices::new(1, 0);
        assert_eq!(render_strict(&parts, &values, &mut c), Err("firstName"));
        values.insert("firstName".to_owned(), "  ".to_owned());
        assert_eq!(render_strict(&parts, &values, &mut c), Err("firstName"));
        values.insert("firstName".to_owned(), "Ana".to_owned());
        assert_eq!(
            render_strict(&parts, &values, &mut c).as_deref(),
            Ok("Hi Ana from your team")
        );
    }

    #[test]
    fn reports_the_character_position_of_bad_variables() {
        let err = parse("Olá {{first name}}").unwrap_err();
        assert_eq!(err.position, 4);
        assert_eq!(parse("ab {{x").unwrap_err().position, 3);
        assert_eq!(parse("{{}}").unwrap_err().position, 0);
        assert_eq!(parse("{{ 1st }}").unwrap_err().position, 0);
        assert!(parse("a { b } {x}").is_ok());
    }

    #[test]
    fn spintax_takes_one_option_per_draw_and_options_hold_variables() {
        let parts =
            parse("{{RANDOM | Hi | Hello {{firstName | there}} | Hey}} {{company}}").unwrap();
        assert_eq!(variables(&parts), vec!["firstName", "company"]);
        let mut values = HashMap::new();
        values.insert("company".to_owned(), "Acme".to_owned());
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..200 {
            let once = render_strict(&parts, &values, &mut Choices::new(seed, 1)).unwrap();
            let again = render_strict(&parts, &values, &mut Choices::new(seed, 1)).unwrap();
            assert_eq!(once, again, "one seed, one email");
            seen.insert(once);
        }
        let expected: std::collections::BTreeSet<String> =
            ["Hi Acme", "Hello there Acme", "Hey Acme"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn spintax_errors_say_where() {
        assert_eq!(parse("ab {{RANDOM | a | b").unwrap_err().position, 3);
        let err = parse("x {{RANDOM}} {{RANDOM |}}").unwrap();
        // `{{RANDOM}}` is a variable named RANDOM; `{{RANDOM |}}` has one empty option.
        assert_eq!(variables(&err), vec!["RANDOM"]);
        let nested = parse("é {{RANDOM | a {{RANDOM | b | c}} | d}}").unwrap_err();
        assert_eq!(nested.position, 15);
        assert_eq!(
            parse("{{RANDOM | {{first name}} | b}}")
                .unwrap_err()
                .position,
            11
        );
    }
}
