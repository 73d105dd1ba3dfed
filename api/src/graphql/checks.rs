//! Checks of a query document that async-graphql's validation leaves out: string literals
//! holding a NUL character (the input gate's rule, `crate::gate`), and the directives and
//! arguments of `__typename`, which its validation never visits (so `{ __typename @foo }`
//! answered data).

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Pos, Positioned, ServerError};
use async_graphql_value::Value;

/// Every selection set the document writes (operations and fragments, each once).
fn selection_sets(document: &ExecutableDocument) -> Vec<&SelectionSet> {
    let mut sets: Vec<&SelectionSet> = match &document.operations {
        DocumentOperations::Single(op) => vec![&op.node.selection_set.node],
        DocumentOperations::Multiple(ops) => {
            ops.values().map(|op| &op.node.selection_set.node).collect()
        }
    };
    sets.extend(
        document
            .fragments
            .values()
            .map(|fragment| &fragment.node.selection_set.node),
    );
    sets
}

/// Calls `each` for every field and every directive of a selection set, depth first.
fn walk<'a>(
    set: &'a SelectionSet,
    each: &mut impl FnMut(Option<&'a async_graphql::parser::types::Field>, &'a [Positioned<Directive>]),
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                each(Some(&field.node), &field.node.directives);
                walk(&field.node.selection_set.node, each);
            }
            Selection::InlineFragment(fragment) => {
                each(None, &fragment.node.directives);
                walk(&fragment.node.selection_set.node, each);
            }
            Selection::FragmentSpread(spread) => each(None, &spread.node.directives),
        }
    }
}

/// The first string literal (an argument, a directive's argument, a variable's default) that
/// holds a NUL character, named by its argument and the path inside it.
pub fn nul_literal(document: &ExecutableDocument) -> Option<String> {
    fn in_value(value: &Value, at: String) -> Option<String> {
        match value {
            Value::String(s) if crate::gate::has_nul(s) => Some(at),
            Value::List(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| in_value(item, format!("{at}.{i}"))),
            Value::Object(fields) => fields
                .iter()
                .find_map(|(key, item)| in_value(item, format!("{at}.{key}"))),
            _ => None,
        }
    }
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    for operation in operations {
        for definition in &operation.node.variable_definitions {
            if let Some(default) = &definition.node.default_value
                && let Some(at) = in_value(
                    &default.node.clone().into_value(),
                    definition.node.name.node.to_string(),
                )
            {
                return Some(at);
            }
        }
    }
    let mut found = None;
    for set in selection_sets(document) {
        walk(set, &mut |field, directives| {
            if found.is_some() {
                return;
            }
            let arguments = field
                .into_iter()
                .flat_map(|f| f.arguments.iter())
                .chain(directives.iter().flat_map(|d| d.node.arguments.iter()));
            for (name, value) in arguments {
                if let Some(at) = in_value(&value.node, name.node.to_string()) {
                    found = Some(at);
                    return;
                }
            }
        });
        if found.is_some() {
            break;
        }
    }
    found
}

/// The directives that may stand on a field (the schema declares no others).
const FIELD_DIRECTIVES: [&str; 2] = ["skip", "include"];
/// The schema's directives that may not.
const OTHER_DIRECTIVES: [&str; 3] = ["deprecated", "specifiedBy", "oneOf"];

/// `__typename` validated as any other field: no arguments, and only known field directives
/// with their `if: Boolean!` argument. The errors, in async-graphql's own words.
pub fn typename(document: &ExecutableDocument) -> Result<(), Vec<ServerError>> {
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    let boolean_variable = |name: &str| -> Option<bool> {
        operations.iter().find_map(|op| {
            op.node
                .variable_definitions
                .iter()
                .find(|d| d.node.name.node == name)
                .map(|d| {
                    matches!(&d.node.var_type.node.base,
                        async_graphql::parser::types::BaseType::Named(n) if n == "Boolean")
                })
        })
    };
    let mut errors = Vec::new();
    let mut error = |pos: Pos, message: String| errors.push(ServerError::new(message, Some(pos)));
    for set in selection_sets(document) {
        walk(set, &mut |field, directives| {
            let Some(field) = field.filter(|f| f.name.node == "__typename") else {
                return;
            };
            for (name, _) in &field.arguments {
                error(
                    name.pos,
                    format!(
                        "Unknown argument \"{}\" on field \"__typename\".",
                        name.node
                    ),
                );
            }
            let mut seen: Vec<&str> = Vec::new();
            for directive in directives {
                let name = directive.node.name.node.as_str();
                if seen.contains(&name) {
                    error(directive.pos, format!("Duplicate directive \"{name}\""));
                }
                seen.push(name);
                if OTHER_DIRECTIVES.contains(&name) {
                    error(
                        directive.pos,
                        format!("Directive \"{name}\" may not be used on \"FIELD\""),
                    );
                    continue;
                }
                if !FIELD_DIRECTIVES.contains(&name) {
                    error(directive.pos, format!("Unknown directive \"{name}\""));
                    continue;
                }
                let mut given = false;
                for (argument, value) in &directive.node.arguments {
                    if argument.node != "if" {
                        error(
                            argument.pos,
                            format!(
                                "Unknown argument \"{}\" on directive \"{name}\".",
                                argument.node
                            ),
                        );
                        continue;
                    }
                    given = true;
                    match &value.node {
                        Value::Boolean(_) => {}
                        Value::Variable(variable) => match boolean_variable(variable) {
                            Some(true) => {}
                            Some(false) => error(
                                value.pos,
                                format!(
                                    "Variable \"${variable}\" is used in position expecting type \"Boolean!\""
                                ),
                            ),
                            None => error(
                                value.pos,
                                format!("Variable \"${variable}\" is not defined"),
                            ),
                        },
                        _ => error(
                            value.pos,
                            "Invalid value for argument \"if\", expected type \"Boolean\""
                                .to_owned(),
                        ),
                    }
                }
                if !given {
                    error(
                        directive.pos,
                        format!(
                            "Directive \"@{name}\" argument \"if\" of type \"Boolean!\" is required but not provided"
                        ),
                    );
                }
            }
        });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::{nul_literal, typename};

    fn errors(query: &str) -> Vec<String> {
        let document = async_graphql::parser::parse_query(query).unwrap();
        typename(&document)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    #[test]
    fn typename_is_validated_like_any_field() {
        assert!(errors("{ __typename a: __typename @skip(if: true) }").is_empty());
        assert!(errors("query($v: Boolean!) { __typename @include(if: $v) }").is_empty());
        assert_eq!(errors("{ __typename @foo }"), ["Unknown directive \"foo\""]);
        assert_eq!(
            errors("{ x { __typename(a: 1) } }"),
            ["Unknown argument \"a\" on field \"__typename\"."]
        );
        assert_eq!(
            errors("fragment F on Query { __typename @skip(if: \"yes\") } { ...F }"),
            ["Invalid value for argument \"if\", expected type \"Boolean\""]
        );
        assert_eq!(
            errors("{ __typename @skip }"),
            [
                "Directive \"@skip\" argument \"if\" of type \"Boolean!\" is required but not provided"
            ]
        );
        assert_eq!(
            errors("{ __typename @deprecated }"),
            ["Directive \"deprecated\" may not be used on \"FIELD\""]
        );
        assert_eq!(
            errors("{ __typename @skip(if: true) @skip(if: false) }"),
            ["Duplicate directive \"skip\""]
        );
        assert_eq!(
            errors("query($v: String) { __typename @skip(if: $v) }"),
            ["Variable \"$v\" is used in position expecting type \"Boolean!\""]
        );
    }

    #[test]
    fn a_nul_character_in_any_literal_is_found() {
        let find = |q: &str| nul_literal(&async_graphql::parser::parse_query(q).unwrap());
        assert_eq!(
            find(r#"{ a(x: "ok") { b(y: ["k", "\u0000"]) } }"#),
            Some("y.1".into())
        );
        assert_eq!(
            find(r#"{ a(filter: { email: "a\u0000" }) { id } }"#),
            Some("filter.email".into())
        );
        assert_eq!(
            find(r#"query($v: String = "\u0000") { a(x: $v) }"#),
            Some("v".into())
        );
        assert_eq!(
            find(r#"fragment F on Q { a @skip(if: true) { b(c: "\u0000") } } { ...F }"#),
            Some("c".into())
        );
        assert_eq!(find(r#"{ a(x: "\u0001") }"#), None);
    }
}
