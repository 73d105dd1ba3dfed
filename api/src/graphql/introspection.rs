//! Introspection, weighed and cached.
//!
//! async-graphql counts an introspection field as 1 whatever it returns, so
//! `__schema { types { fields { name } } }` (≈ 480 values here) counted 4, and a thousand
//! aliases of it cost a second of CPU. Here an introspection selection weighs what its answer
//! holds: the schema is read once (`Model`, every type, field, argument and type reference),
//! and a query's `__schema`/`__type`/`__typename` selections are walked over it, one unit per
//! value the answer would hold, stopping as soon as the budget is passed. Answers of
//! introspection-only queries are kept by query text (`Answers`): the standard introspection
//! query GraphiQL and code generators send is computed once per schema.

use std::collections::HashMap;
use std::sync::Mutex;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Value as ConstValue, Variables};
use axum::body::Bytes;
use serde_json::Value;

/// Most values the introspection part of one request may answer. The standard introspection
/// query answers ≈ 7 300 here (a unit test keeps it under the budget); at ≈ 2 µs a value, the
/// budget keeps an introspection request well under 50 ms of CPU.
pub const INTROSPECTION_BUDGET: usize = 12_000;

/// What the schema's introspection answers, reduced to what sizes an answer.
pub struct Model {
    types: Vec<TypeModel>,
    /// `Ty::Named(i)` for each type, so a position can borrow one.
    named: Vec<Ty>,
    by_name: HashMap<String, usize>,
    roots: [Option<usize>; 3],
    directives: Vec<DirectiveModel>,
}

#[derive(Default)]
struct TypeModel {
    fields: Option<Vec<FieldModel>>,
    input_fields: Option<Vec<Ty>>,
    interfaces: Option<Vec<usize>>,
    possible_types: Option<Vec<usize>>,
    enum_values: Option<usize>,
}

struct FieldModel {
    args: Vec<Ty>,
    ty: Ty,
}

struct DirectiveModel {
    locations: usize,
    args: Vec<Ty>,
}

/// A type reference: a named type, or a wrapper (non-null, list) around one.
enum Ty {
    Named(usize),
    Wrapped(Box<Ty>),
    /// A name the schema's type list does not hold (never expected): answers as a leaf.
    Unknown,
}

/// The query that reads the model: everything that sizes an introspection answer.
pub const MODEL_QUERY: &str = r#"{ __schema {
  queryType { name } mutationType { name } subscriptionType { name }
  types { kind name
    fields(includeDeprecated: true) { args(includeDeprecated: true) { type { ...R } } type { ...R } }
    inputFields(includeDeprecated: true) { type { ...R } }
    interfaces { name } possibleTypes { name }
    enumValues(includeDeprecated: true) { name } }
  directives { locations args(includeDeprecated: true) { type { ...R } } } } }
fragment R on __Type { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name } } } } } } }"#;

impl Model {
    /// The model from `MODEL_QUERY`'s answer (`data`).
    pub fn from_answer(data: &Value) -> Option<Model> {
        let schema = data.get("__schema")?;
        let types = schema.get("types")?.as_array()?;
        let by_name: HashMap<String, usize> = types
            .iter()
            .enumerate()
            .filter_map(|(i, t)| Some((t.get("name")?.as_str()?.to_owned(), i)))
            .collect();
        let named_index =
            |v: &Value| -> Option<usize> { by_name.get(v.get("name")?.as_str()?).copied() };
        fn ty(v: &Value, by_name: &HashMap<String, usize>) -> Ty {
            match v.get("kind").and_then(Value::as_str) {
                Some("NON_NULL" | "LIST") => match v.get("ofType") {
                    Some(inner) if !inner.is_null() => Ty::Wrapped(Box::new(ty(inner, by_name))),
                    _ => Ty::Unknown,
                },
                _ => v
                    .get("name")
                    .and_then(Value::as_str)
                    .and_then(|name| by_name.get(name))
                    .map_or(Ty::Unknown, |&i| Ty::Named(i)),
            }
        }
        let refs = |v: &Value| -> Vec<Ty> {
            v.as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(|item| ty(item.get("type").unwrap_or(&Value::Null), &by_name))
                        .collect()
                })
                .unwrap_or_default()
        };
        let names = |v: Option<&Value>| -> Option<Vec<usize>> {
            Some(v?.as_array()?.iter().filter_map(named_index).collect())
        };
        let models = types
            .iter()
            .map(|t| TypeModel {
                fields: t.get("fields").and_then(Value::as_array).map(|fields| {
                    fields
                        .iter()
                        .map(|f| FieldModel {
                            args: f.get("args").map(&refs).unwrap_or_default(),
                            ty: ty(f.get("type").unwrap_or(&Value::Null), &by_name),
                        })
                        .collect()
                }),
                input_fields: t.get("inputFields").filter(|v| v.is_array()).map(&refs),
                interfaces: names(t.get("interfaces")),
                possible_types: names(t.get("possibleTypes")),
                enum_values: t.get("enumValues").and_then(Value::as_array).map(Vec::len),
            })
            .collect();
        let root = |name: &str| schema.get(name).and_then(named_index);
        let directives = schema
            .get("directives")?
            .as_array()?
            .iter()
            .map(|d| DirectiveModel {
                locations: d
                    .get("locations")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len),
                args: d.get("args").map(&refs).unwrap_or_default(),
            })
            .collect();
        Some(Model {
            named: (0..types.len()).map(Ty::Named).collect(),
            types: models,
            roots: [
                root("queryType"),
                root("mutationType"),
                root("subscriptionType"),
            ],
            by_name,
            directives,
        })
    }
}

/// Where a selection set is, in the introspection answer.
#[derive(Clone, Copy)]
enum Position<'m> {
    Root,
    Schema,
    Type(&'m Ty),
    Field(&'m FieldModel),
    Input(&'m Ty),
    Directive(&'m DirectiveModel),
    Leaf,
}

/// Passed the budget.
pub struct Over;

/// Weighs the introspection selections of a document.
pub struct Weigher<'a> {
    model: Option<&'a Model>,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    pub total: usize,
    budget: usize,
    visiting: Vec<&'a str>,
}

impl<'a> Weigher<'a> {
    /// `model` is `None` when introspection is off: the meta-fields then weigh 1 each.
    pub fn new(
        model: Option<&'a Model>,
        document: &'a ExecutableDocument,
        variables: &'a Variables,
        budget: usize,
    ) -> Self {
        Weigher {
            model,
            document,
            variables,
            total: 0,
            budget,
            visiting: Vec::new(),
        }
    }

    /// The weight of every operation's introspection, or `Over` once it passes the budget.
    pub fn weigh(&mut self) -> Result<usize, Over> {
        let document = self.document;
        for (_, operation) in document.operations.iter() {
            self.set(&operation.node.selection_set.node, Position::Root)?;
        }
        Ok(self.total)
    }

    fn add(&mut self, n: usize) -> Result<(), Over> {
        self.total = self.total.saturating_add(n);
        if self.total > self.budget {
            return Err(Over);
        }
        Ok(())
    }

    fn each<'m, T>(
        &mut self,
        set: &'a SelectionSet,
        items: &'m [T],
        at: impl Fn(&'m T) -> Position<'m>,
    ) -> Result<(), Over>
    where
        'a: 'm,
    {
        for item in items {
            self.set(set, at(item))?;
        }
        Ok(())
    }

    fn set<'m>(&mut self, set: &'a SelectionSet, at: Position<'m>) -> Result<(), Over>
    where
        'a: 'm,
    {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    let inner = &field.node.selection_set.node;
                    if let Position::Root = at {
                        match name {
                            "__typename" => self.add(1)?,
                            "__schema" => {
                                self.add(1)?;
                                if self.model.is_some() {
                                    self.set(inner, Position::Schema)?;
                                }
                            }
                            "__type" => {
                                self.add(1)?;
                                let found = self.model.and_then(|model| {
                                    let name = self.type_argument(&field.node)?;
                                    model.by_name.get(&name).map(|&i| &model.named[i])
                                });
                                if let Some(ty) = found {
                                    self.set(inner, Position::Type(ty))?;
                                }
                            }
                            // Data: weighed by the schema's own cost limit.
                            _ => {}
                        }
                        continue;
                    }
                    self.add(1)?;
                    self.field(name, inner, at)?;
                }
                Selection::InlineFragment(fragment) => {
                    self.set(&fragment.node.selection_set.node, at)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    // A cycle is validation's to refuse; it is not followed here.
                    if self.visiting.contains(&name) {
                        continue;
                    }
                    let document = self.document;
                    if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node)
                    {
                        self.visiting.push(name);
                        let result = self.set(&fragment.node.selection_set.node, at);
                        self.visiting.pop();
                        result?;
                    }
                }
            }
        }
        Ok(())
    }

    /// What `name` answers at `at`, weighed by `set`.
    fn field<'m>(&mut self, name: &str, set: &'a SelectionSet, at: Position<'m>) -> Result<(), Over>
    where
        'a: 'm,
    {
        let Some(model) = self.model else {
            return Ok(());
        };
        let model: &'m Model = model;
        match (at, name) {
            (Position::Schema, "types") => self.each(set, &model.named, Position::Type),
            (Position::Schema, "queryType" | "mutationType" | "subscriptionType") => {
                let slot = match name {
                    "queryType" => 0,
                    "mutationType" => 1,
                    _ => 2,
                };
                match model.roots[slot] {
                    Some(i) => self.set(set, Position::Type(&model.named[i])),
                    None => Ok(()),
                }
            }
            (Position::Schema, "directives") => {
                self.each(set, &model.directives, Position::Directive)
            }
            (Position::Type(Ty::Wrapped(inner)), "ofType") => self.set(set, Position::Type(inner)),
            (Position::Type(Ty::Named(i)), _) => {
                let ty = &model.types[*i];
                match name {
                    "fields" => match &ty.fields {
                        Some(fields) => self.each(set, fields, Position::Field),
                        None => Ok(()),
                    },
                    "inputFields" => match &ty.input_fields {
                        Some(inputs) => self.each(set, inputs, Position::Input),
                        None => Ok(()),
                    },
                    "interfaces" | "possibleTypes" => {
                        let list = if name == "interfaces" {
                            &ty.interfaces
                        } else {
                            &ty.possible_types
                        };
                        match list {
                            Some(list) => {
                                for &j in list {
                                    self.set(set, Position::Type(&model.named[j]))?;
                                }
                                Ok(())
                            }
                            None => Ok(()),
                        }
                    }
                    "enumValues" => {
                        for _ in 0..ty.enum_values.unwrap_or(0) {
                            self.set(set, Position::Leaf)?;
                        }
                        Ok(())
                    }
                    _ => Ok(()),
                }
            }
            (Position::Field(field), "args") => self.each(set, &field.args, Position::Input),
            (Position::Field(field), "type") => self.set(set, Position::Type(&field.ty)),
            (Position::Input(ty), "type") => self.set(set, Position::Type(ty)),
            (Position::Directive(directive), "args") => {
                self.each(set, &directive.args, Position::Input)
            }
            (Position::Directive(directive), "locations") => self.add(directive.locations),
            // Scalars, nulls and unknown fields (validation's to refuse).
            _ => Ok(()),
        }
    }

    /// The `name` argument of a `__type` selection: a literal, a variable's value or its
    /// default.
    fn type_argument(&self, field: &async_graphql::parser::types::Field) -> Option<String> {
        use async_graphql::parser::types::DocumentOperations;
        let value = &field.get_argument("name")?.node;
        match value {
            async_graphql_value::Value::String(name) => Some(name.clone()),
            async_graphql_value::Value::Variable(variable) => {
                if let Some(ConstValue::String(name)) = self.variables.get(variable) {
                    return Some(name.clone());
                }
                let operations: Vec<_> = match &self.document.operations {
                    DocumentOperations::Single(op) => vec![op],
                    DocumentOperations::Multiple(ops) => ops.values().collect(),
                };
                operations.iter().find_map(|op| {
                    op.node.variable_definitions.iter().find_map(|d| {
                        match d.node.default_value.as_ref().map(|v| &v.node) {
                            Some(ConstValue::String(name)) if d.node.name.node == *variable => {
                                Some(name.clone())
                            }
                            _ => None,
                        }
                    })
                })
            }
            _ => None,
        }
    }
}

/// Answers of introspection-only queries, by text, operation and variables: the schema does
/// not change while the process runs, so such an answer never does either.
#[derive(Default)]
pub struct Answers {
    kept: Mutex<HashMap<AnswerKey, Bytes>>,
}

#[derive(Hash, PartialEq, Eq)]
pub struct AnswerKey {
    query: String,
    operation: Option<String>,
    variables: String,
}

/// Most answers kept; past that the set starts over.
const MAX_ANSWERS: usize = 32;
/// Longest query text kept (the standard introspection query is ≈ 1.5 KB).
const MAX_KEPT_QUERY: usize = 16 * 1024;

impl Answers {
    /// The key of a request, when its answer may be kept.
    pub fn key(request: &async_graphql::Request) -> Option<AnswerKey> {
        if request.query.len() > MAX_KEPT_QUERY {
            return None;
        }
        Some(AnswerKey {
            query: request.query.clone(),
            operation: request.operation_name.clone(),
            variables: serde_json::to_string(&request.variables).ok()?,
        })
    }

    pub fn get(&self, key: &AnswerKey) -> Option<Bytes> {
        self.kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    pub fn keep(&self, key: AnswerKey, answer: Bytes) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= MAX_ANSWERS {
            kept.clear();
        }
        kept.insert(key, answer);
    }
}
