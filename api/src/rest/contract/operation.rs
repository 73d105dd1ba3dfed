//! One operation of the route table read against the schema: its root, where each of its
//! variables is used (the argument it fills), and the schema of what it selects.

use std::collections::HashMap;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
    Selection, SelectionSet, Type,
};
use serde_json::Value;

use super::types::Types;

/// Where each variable of an operation is used: the coordinate of the argument it fills.
fn variable_uses(
    types: &Types,
    parent: &str,
    selection: &SelectionSet,
    uses: &mut HashMap<String, (String, String, String)>,
) -> Result<(), String> {
    for item in &selection.items {
        let Selection::Field(field) = &item.node else {
            return Err("REST operations select fields only".into());
        };
        let name = field.node.name.node.as_str();
        for (argument, value) in &field.node.arguments {
            // The parser's non-constant value type is not exported; a bare variable prints
            // as `$name`.
            let printed = value.node.to_string();
            if let Some(variable) = printed
                .strip_prefix('$')
                .filter(|v| v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                uses.insert(
                    variable.to_owned(),
                    (
                        parent.to_owned(),
                        name.to_owned(),
                        argument.node.to_string(),
                    ),
                );
            }
        }
        let (ty, _) = types.field_type(parent, name)?;
        let inner = named(ty);
        if !field.node.selection_set.node.items.is_empty() {
            variable_uses(types, inner, &field.node.selection_set.node, uses)?;
        }
    }
    Ok(())
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// One operation of the table, with what its variables and selection mean.
pub(super) struct Operation<'a> {
    pub(super) definition: &'a OperationDefinition,
    root: &'static str,
    uses: HashMap<String, (String, String, String)>,
}

impl<'a> Operation<'a> {
    pub(super) fn new(
        types: &Types,
        document: &'a ExecutableDocument,
    ) -> Result<Operation<'a>, String> {
        let op = match &document.operations {
            DocumentOperations::Single(op) => op,
            DocumentOperations::Multiple(ops) if ops.len() == 1 => {
                ops.values().next().ok_or("no operation")?
            }
            DocumentOperations::Multiple(_) => {
                return Err("a REST operation must be a single operation".into());
            }
        };
        let root = match op.node.ty {
            OperationType::Query => "Query",
            OperationType::Mutation => "Mutation",
            OperationType::Subscription => return Err("subscriptions have no REST route".into()),
        };
        let mut uses = HashMap::new();
        variable_uses(types, root, &op.node.selection_set.node, &mut uses)?;
        Ok(Operation {
            definition: &op.node,
            root,
            uses,
        })
    }

    fn selection(&self) -> &SelectionSet {
        &self.definition.selection_set.node
    }

    /// The coordinate of the call itself, e.g. `Mutation.addContactsToCampaign()`.
    pub(super) fn call(&self) -> Option<String> {
        self.selection()
            .items
            .first()
            .and_then(|item| match &item.node {
                Selection::Field(f) => Some(format!("{}.{}()", self.root, f.node.name.node)),
                _ => None,
            })
    }

    /// The schema of variable `name` (its type, and the rule of the argument it fills), and
    /// whether the caller must give it.
    pub(super) fn variable(&self, types: &Types, name: &str) -> Result<(Value, bool), String> {
        let definition = self
            .definition
            .variable_definitions
            .iter()
            .find(|v| v.node.name.node == name)
            .ok_or_else(|| format!("the operation has no variable ${name}"))?;
        let (parent, field, argument) = self
            .uses
            .get(name)
            .ok_or_else(|| format!("${name} is never used"))?;
        // The argument must exist (its type is the variable's, checked at start-up).
        types.argument(parent, field, argument)?;
        let rule = types
            .rule(&format!("{parent}.{field}({argument}:)"))
            .or_else(|| types.rule(&format!("({argument}:)")));
        let ty = &definition.node.var_type.node;
        let mut schema = types.input(ty, rule, true)?;
        if let Some(default) = &definition.node.default_value
            && let Ok(value) = default.node.clone().into_json()
            && let Value::Object(map) = &mut schema
        {
            map.insert("default".into(), value);
        }
        let required = !ty.nullable && definition.node.default_value.is_none();
        Ok((schema, required))
    }
}

/// Follows `at` down an operation's selection, returning the schema of the value found there.
pub(super) fn shape_schema(
    types: &Types,
    operation: &Operation,
    at: &[&str],
) -> Result<Value, String> {
    let mut parent = operation.root.to_owned();
    let mut selection = operation.selection();
    let mut ty: Option<&Type> = None;
    let mut last = "";
    for key in at {
        let field = selection
            .items
            .iter()
            .find_map(|item| match &item.node {
                Selection::Field(f) if f.node.response_key().node == *key => Some(f),
                _ => None,
            })
            .ok_or_else(|| format!("the operation selects no {key}"))?;
        let (field_ty, _) = types.field_type(&parent, field.node.name.node.as_str())?;
        parent = named(field_ty).to_owned();
        selection = &field.node.selection_set.node;
        ty = Some(field_ty);
        last = key;
    }
    let ty = ty.ok_or("a route must pick a field")?;
    // The REST answer is the value itself: a missing object is a 404, never `null`.
    let mut non_null = ty.clone();
    non_null.nullable = false;
    types.output(&non_null, selection, last)
}
