//! Email templates: `{{variable}}` and `{{variable | fallback}}`, where a variable is a contact
//! field (`firstName`, `lastName`, `company`, `email`, `phone`) or any `customFields` key.

use std::collections::HashMap;

/// A piece of a parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part<'a> {
    Text(&'a str),
    Var { name: &'a str, fallback: &'a str },
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

pub fn parse(template: &str) -> Result<Vec<Part<'_>>, TemplateError> {
    let mut parts = Vec::new();
    let mut rest = template;
    let mut offset = 0; // bytes consumed so far
    let chars_at = |byte: usize| template[..byte].chars().count();
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            parts.push(Part::Text(&rest[..open]));
        }
        let start = offset + open;
        let inner_from = open + 2;
        let Some(close) = rest[inner_from..].find("}}") else {
            return Err(TemplateError {
                position: chars_at(start),
                message: "'{{' is never closed with '}}'".into(),
            });
        };
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
        let consumed = inner_from + close + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest));
    }
    Ok(parts)
}

/// Fills a parsed template; a missing or empty value uses the fallback.
pub fn render(parts: &[Part<'_>], values: &HashMap<String, String>) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Var { name, fallback } => match values.get(*name).filter(|v| !v.is_empty()) {
                Some(value) => out.push_str(value),
                None => out.push_str(fallback),
            },
        }
    }
    out
}

/// Fills a parsed template for sending: a variable with no value and no fallback is an error
/// naming it (an email must never read "Hi ,").
pub fn render_strict<'a>(
    parts: &[Part<'a>],
    values: &HashMap<String, String>,
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
        assert_eq!(render_strict(&parts, &values), Err("firstName"));
        values.insert("firstName".to_owned(), "  ".to_owned());
        assert_eq!(render_strict(&parts, &values), Err("firstName"));
        values.insert("firstName".to_owned(), "Ana".to_owned());
        assert_eq!(
            render_strict(&parts, &values).as_deref(),
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
}
