//! Where a request's variables must hold lists, and the check that they do: GraphQL reads a
//! lone value given for a list as a list of one; REST refuses it, as its schema says.

use async_graphql::parser::types::{BaseType, ExecutableDocument, Type, TypeDefinition, TypeKind};
use serde_json::Value;

use super::operation::Operation;
use super::types::Types;

/// One step of the way to a value inside a request's variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Field(String),
    /// Every element of a list.
    Each,
}

/// Where a request's variables must hold lists. GraphQL reads a lone value given for a list as
/// a list of one; REST refuses it, as its schema says.
pub fn list_paths(types: &Types, document: &ExecutableDocument) -> Result<Vec<Vec<Step>>, String> {
    let operation = Operation::new(types, document)?;
    let mut out = Vec::new();
    for definition in &operation.definition.variable_definitions {
        let path = vec![Step::Field(definition.node.name.node.to_string())];
        lists(types, &definition.node.var_type.node, path, &mut out)?;
    }
    Ok(out)
}

/// Checks `variables` against `paths`; the first offending place, dotted, when one holds a
/// value that is not a list.
pub fn misplaced_scalar(variables: &Value, paths: &[Vec<Step>]) -> Option<String> {
    fn walk(value: &Value, steps: &[Step], at: &mut Vec<String>) -> bool {
        match steps.split_first() {
            None => value.is_null() || value.is_array(),
            Some((Step::Field(name), rest)) => match value.get(name) {
                Some(inner) => {
                    at.push(name.clone());
                    let ok = walk(inner, rest, at);
                    if ok {
                        at.pop();
                    }
                    ok
                }
                None => true,
            },
            Some((Step::Each, rest)) => match value {
                Value::Array(items) => items.iter().enumerate().all(|(i, item)| {
                    at.push(i.to_string());
                    let ok = walk(item, rest, at);
                    if ok {
                        at.pop();
                    }
                    ok
                }),
                _ => true,
            },
        }
    }
    paths.iter().find_map(|steps| {
        let mut at = Vec::new();
        (!walk(variables, steps, &mut at)).then(|| at.join("."))
    })
}

/// Adds to `out` the places under `path` (a value of type `ty`) that hold lists.
fn lists(
    types: &Types,
    ty: &Type,
    path: Vec<Step>,
    out: &mut Vec<Vec<Step>>,
) -> Result<(), String> {
    if path.len() > 16 {
        return Err("input types nest too deep".into());
    }
    match &ty.base {
        BaseType::List(inner) => {
            out.push(path.clone());
            let mut each = path;
            each.push(Step::Each);
            lists(types, inner, each, out)
        }
        BaseType::Named(name) => {
            if let Some(TypeDefinition {
                kind: TypeKind::InputObject(object),
                ..
            }) = types.definition(name.as_str())
            {
                for field in &object.fields {
                    let mut inner = path.clone();
                    inner.push(Step::Field(field.node.name.node.to_string()));
                    lists(types, &field.node.ty.node, inner, out)?;
                }
            }
            Ok(())
        }
    }
}
