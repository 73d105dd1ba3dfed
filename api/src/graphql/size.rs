//! How large a query is, checked on its text before it is parsed and validated: the names it
//! holds and the fields it selects once its fragments are expanded.

use crate::error::{AppError, ErrorCode};

/// Most fields a query may select once its fragments are expanded (the standard introspection
/// query expands to a few hundred). Checked before validation, whose cost grows with it.
pub const MAX_EXPANDED_FIELDS: usize = 5_000;

/// Most names (fields, aliases, arguments, types, keywords) a query's text may hold; the
/// standard introspection query has about 250.
pub const MAX_QUERY_NAMES: usize = 5_000;

/// The names in a GraphQL text, skipping strings, block strings and comments; one pass, no
/// allocation.
fn count_names(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut i, mut names) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                names += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
            }
            b if b.is_ascii_digit() || b == b'-' => {
                // A number (and any exponent or fraction letters in it) is not a name.
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    names
}

/// Refuses a query with more than `MAX_QUERY_NAMES` names, or whose fragment spreads expand past `MAX_EXPANDED_FIELDS` (nested fragments
/// double at each level: 22 levels are four million fields from 1 KB of text), or that cannot
/// be parsed. Counted with memoised fragment sizes, so the check itself stays linear.
pub fn check_expanded_size(query: &str) -> Result<(), AppError> {
    use async_graphql::parser::types::{Selection, SelectionSet};
    use std::collections::HashMap;

    // Parsing and validating cost a few microseconds per name: bound the text's names before
    // either runs (a 1 MB query of 500 000 fields would cost seconds).
    let names = count_names(query);
    if names > MAX_QUERY_NAMES {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            format!("The query is too long: {names} names, at most {MAX_QUERY_NAMES}"),
        )
        .with_details(serde_json::json!({ "names": names, "limit": MAX_QUERY_NAMES })));
    }
    // Only named fragments multiply (inline ones nest within the text's own size), and a query
    // without them is not parsed twice.
    if !query.contains("fragment") {
        return Ok(());
    }
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        // Let the executor report the syntax error in its usual words.
        return Ok(());
    };
    fn size(
        set: &SelectionSet,
        fragments: &HashMap<
            async_graphql::Name,
            async_graphql::Positioned<async_graphql::parser::types::FragmentDefinition>,
        >,
        memo: &mut HashMap<String, usize>,
        visiting: &mut Vec<String>,
    ) -> usize {
        let mut total: usize = 0;
        for item in &set.items {
            let add = match &item.node {
                Selection::Field(field) => 1usize.saturating_add(size(
                    &field.node.selection_set.node,
                    fragments,
                    memo,
                    visiting,
                )),
                Selection::InlineFragment(inline) => {
                    size(&inline.node.selection_set.node, fragments, memo, visiting)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.to_string();
                    if let Some(n) = memo.get(&name) {
                        *n
                    } else if visiting.contains(&name) {
                        usize::MAX // a cycle: validation refuses it; never expand it
                    } else if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                        visiting.push(name.clone());
                        let n = size(&fragment.node.selection_set.node, fragments, memo, visiting);
                        visiting.pop();
                        memo.insert(name, n);
                        n
                    } else {
                        0
                    }
                }
            };
            total = total.saturating_add(add);
        }
        total
    }
    let mut memo = HashMap::new();
    let mut visiting = Vec::new();
    let mut total: usize = 0;
    for (_, operation) in document.operations.iter() {
        total = total.saturating_add(size(
            &operation.node.selection_set.node,
            &document.fragments,
            &mut memo,
            &mut visiting,
        ));
    }
    if total > MAX_EXPANDED_FIELDS {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            format!(
                "The query selects too many fields once its fragments are expanded (more than {MAX_EXPANDED_FIELDS})"
            ),
        )
        .with_details(serde_json::json!({ "limit": MAX_EXPANDED_FIELDS })));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::count_names;

    #[test]
    fn names_are_counted_outside_strings_and_comments() {
        assert_eq!(count_names("{ a b: c(d: 1.5e3, e: -2) }"), 5);
        assert_eq!(count_names(r#"{ a(s: "x y \" z") }"#), 2);
        assert_eq!(count_names("{ a(s: \"\"\"one \\\"\"\" two\"\"\") }"), 2);
        assert_eq!(count_names("# c d e\n{ a }"), 1);
        assert_eq!(count_names("query Q($v: Int = 3) { f(v: $v) }"), 7);
        assert_eq!(count_names(&"a ".repeat(10_000)), 10_000);
    }
}
