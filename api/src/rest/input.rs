//! A REST request's values checked against the types of its operation's variables before the
//! operation runs, so a value of the wrong type is refused in the API's words (`firstName must
//! be a string`, `details.field: "firstName"`) rather than GraphQL's (`Invalid value for argument
//! "input.firstName", expected type "String"`).

use async_graphql::parser::types::{BaseType, ExecutableDocument, Type, TypeKind};
use serde_json::{Map, Value, json};

use super::contract::Types;
use super::table::{BodyMap, RouteSpec};
use crate::error::{AppError, ErrorCode};

/// The operation's variables: name and type.
pub fn variable_types(document: &ExecutableDocument) -> Vec<(String, Type)> {
    document
        .operations
        .iter()
        .flat_map(|(_, operation)| {
            operation
                .node
                .variable_definitions
                .iter()
                .map(|definition| {
                    (
                        definition.node.name.node.to_string(),
                        definition.node.var_type.node.clone(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// What is wrong with one value, at a path of variable names, fields and list indices.
struct Mismatch {
    path: Vec<String>,
    problem: Problem,
}

enum Problem {
    Required,
    NotA(&'static str),
    NotOneOf(Vec<String>),
    UnknownField { allowed: Vec<String> },
}

/// Checks every given variable against its type; the first mismatch, named as the REST
/// request names it.
pub fn check(
    types: &Types,
    spec: &RouteSpec,
    variables: &[(String, Type)],
    values: &Map<String, Value>,
) -> Result<(), AppError> {
    for (name, ty) in variables {
        let Some(value) = values.get(name) else {
            continue;
        };
        let mut path = vec![name.clone()];
        if let Err(mismatch) = check_value(types, ty, value, &mut path) {
            return Err(refusal(spec, mismatch));
        }
    }
    Ok(())
}

/// Input types nest a few levels; a deeper value is not descended further (GraphQL validation
/// still checks it).
const MAX_DEPTH: usize = 32;

fn check_value(
    types: &Types,
    ty: &Type,
    value: &Value,
    path: &mut Vec<String>,
) -> Result<(), Mismatch> {
    let fail = |path: &Vec<String>, problem| {
        Err(Mismatch {
            path: path.clone(),
            problem,
        })
    };
    if value.is_null() {
        return if ty.nullable {
            Ok(())
        } else {
            fail(path, Problem::Required)
        };
    }
    if path.len() > MAX_DEPTH {
        return Ok(());
    }
    match &ty.base {
        BaseType::List(inner) => {
            let Value::Array(items) = value else {
                return fail(path, Problem::NotA("a list"));
            };
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                check_value(types, inner, item, path)?;
                path.pop();
            }
            Ok(())
        }
        BaseType::Named(name) => match name.as_str() {
            "String" | "ID" => match value {
                Value::String(_) => Ok(()),
                _ => fail(path, Problem::NotA("a string")),
            },
            "Int" => match value.as_i64() {
                Some(n) if i32::try_from(n).is_ok() => Ok(()),
                _ => fail(path, Problem::NotA("a whole number")),
            },
            "Float" => match value {
                Value::Number(_) => Ok(()),
                _ => fail(path, Problem::NotA("a number")),
            },
            "Boolean" => match value {
                Value::Bool(_) => Ok(()),
                _ => fail(path, Problem::NotA("true or false")),
            },
            other => match types.definition(other).map(|d| &d.kind) {
                Some(TypeKind::Enum(definition)) => {
                    let allowed = || {
                        definition
                            .values
                            .iter()
                            .map(|v| v.node.value.node.to_string())
                            .collect::<Vec<_>>()
                    };
                    match value {
                        Value::String(s)
                            if definition
                                .values
                                .iter()
                                .any(|v| v.node.value.node == s.as_str()) =>
                        {
                            Ok(())
                        }
                        _ => fail(path, Problem::NotOneOf(allowed())),
                    }
                }
                Some(TypeKind::InputObject(definition)) => {
                    let Value::Object(fields) = value else {
                        return fail(path, Problem::NotA("an object"));
                    };
                    if let Some(unknown) = fields.keys().find(|key| {
                        !definition
                            .fields
                            .iter()
                            .any(|f| f.node.name.node == key.as_str())
                    }) {
                        path.push(unknown.clone());
                        return fail(
                            path,
                            Problem::UnknownField {
                                allowed: definition
                                    .fields
                                    .iter()
                                    .map(|f| f.node.name.node.to_string())
                                    .collect(),
                            },
                        );
                    }
                    for field in &definition.fields {
                        let field = &field.node;
                        path.push(field.name.node.to_string());
                        match fields.get(field.name.node.as_str()) {
                            Some(inner) => check_value(types, &field.ty.node, inner, path)?,
                            None if !field.ty.node.nullable && field.default_value.is_none() => {
                                return fail(path, Problem::Required);
                            }
                            None => {}
                        }
                        path.pop();
                    }
                    Ok(())
                }
                // Custom scalars (JSON) take any value; their rules are the service's.
                _ => Ok(()),
            },
        },
    }
}

/// The field as the REST request names it: a query parameter by its own name, a body mapped
/// whole onto one variable without that variable's name.
pub fn rest_field(spec: &RouteSpec, path: &[String]) -> String {
    for param in &spec.query {
        let target: Vec<&str> = param.target.split('.').collect();
        if path.len() >= target.len() && path.iter().zip(&target).all(|(a, b)| a == b) {
            let mut field = vec![param.name.to_owned()];
            field.extend(path[target.len()..].iter().cloned());
            return field.join(".");
        }
    }
    if let BodyMap::Variable(name) = &spec.body
        && path.first().is_some_and(|first| first == name)
        && path.len() > 1
    {
        return path[1..].join(".");
    }
    path.join(".")
}

fn refusal(spec: &RouteSpec, mismatch: Mismatch) -> AppError {
    let field = rest_field(spec, &mismatch.path);
    match mismatch.problem {
        Problem::Required => AppError::invalid_field(&field, format!("{field} is required")),
        // A lone value where a list belongs is a validation error, as `contract::misplaced_scalar`
        // says it; any other wrong type is a malformed request (`BAD_REQUEST`), as the contract
        // says.
        Problem::NotA(what @ "a list") => {
            AppError::invalid_field(&field, format!("{field} must be {what}"))
        }
        Problem::NotA(what) => {
            AppError::new(ErrorCode::BadRequest, format!("{field} must be {what}"))
                .with_details(json!({ "field": field }))
        }
        Problem::NotOneOf(allowed) => AppError::new(
            ErrorCode::BadRequest,
            format!("{field} must be one of: {}", allowed.join(", ")),
        )
        .with_details(json!({ "field": field, "allowed": allowed })),
        Problem::UnknownField { allowed } => {
            AppError::new(ErrorCode::BadRequest, format!("Unknown field '{field}'"))
                .with_details(json!({ "field": field, "allowed": allowed }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{check, variable_types};
    use crate::rest::contract::Types;
    use crate::rest::table::routes;
    use serde_json::{Value, json};

    fn refuse(route: &str, values: Value) -> (String, String, Value) {
        let types = Types::parse(&crate::graphql::sdl()).unwrap();
        let spec = routes().into_iter().find(|r| r.name == route).unwrap();
        let document = async_graphql::parser::parse_query(&spec.operation).unwrap();
        let Value::Object(values) = values else {
            panic!()
        };
        let err = check(&types, &spec, &variable_types(&document), &values).unwrap_err();
        let details = err.details.unwrap();
        (
            err.message,
            details["field"].as_str().unwrap().to_owned(),
            details,
        )
    }

    #[test]
    fn each_kind_of_mismatch_is_said_in_rest_words() {
        let contact = |body: Value| refuse("createContact", json!({ "input": body }));
        let (message, field, _) = contact(json!({ "email": "a@example.com", "firstName": 5 }));
        assert_eq!(
            (message.as_str(), field.as_str()),
            ("firstName must be a string", "firstName")
        );
        let (message, _, details) = contact(json!({ "email": "a@example.com", "status": "nope" }));
        assert!(message.starts_with("status must be one of: "), "{message}");
        assert!(
            details["allowed"]
                .as_array()
                .unwrap()
                .contains(&json!("active"))
        );
        let (message, field, _) = contact(json!({ "email": "a@example.com", "groupIds": [1] }));
        assert_eq!(
            (message.as_str(), field.as_str()),
            ("groupIds.0 must be a string", "groupIds.0")
        );
        let (message, field, _) = contact(json!({ "email": "a@example.com", "bogus": 1 }));
        assert_eq!(
            (message.as_str(), field.as_str()),
            ("Unknown field 'bogus'", "bogus")
        );
    }
}
