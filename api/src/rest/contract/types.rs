//! Schema derivation from the SDL: the GraphQL types by name, and the JSON Schema of a value
//! of an input type (with the limits of the place it fills) or of what a selection answers.

use std::collections::HashMap;

use async_graphql::Name;
use async_graphql::parser::types::{
    BaseType, FieldDefinition, InputValueDefinition, Selection, SelectionSet, Type, TypeDefinition,
    TypeKind, TypeSystemDefinition,
};
use serde_json::{Map, Value, json};

use super::limits::{Rule, Rules, rules};

/// The GraphQL types by name (parsed once from the SDL), with the limits table.
pub struct Types {
    by_name: HashMap<String, TypeDefinition>,
    rules: Rules,
}

impl Types {
    pub fn parse(sdl: &str) -> Result<Types, String> {
        let document = async_graphql::parser::parse_schema(sdl)
            .map_err(|e| format!("the GraphQL schema does not parse: {e}"))?;
        let mut by_name = HashMap::new();
        for definition in document.definitions {
            if let TypeSystemDefinition::Type(ty) = definition {
                by_name.insert(ty.node.name.node.to_string(), ty.node);
            }
        }
        let types = Types {
            by_name,
            rules: rules(),
        };
        // A limit whose place the schema no longer has would silently stop being stated.
        let mut coordinates: Vec<&str> = types.rules.keys().copied().collect();
        coordinates.sort_unstable();
        for coordinate in coordinates {
            if !types.has(coordinate) {
                return Err(format!(
                    "the limits table names {coordinate}, which the GraphQL schema does not have"
                ));
            }
        }
        Ok(types)
    }

    /// Whether the schema has the place a limit's coordinate names: `Type.field`,
    /// `Type.field(argument:)` or `(argument:)` (that argument on some field).
    fn has(&self, coordinate: &str) -> bool {
        let (place, argument) = match coordinate.split_once('(') {
            Some((place, rest)) => (place, rest.strip_suffix(":)")),
            None => (coordinate, None),
        };
        let fields_of = |ty: &TypeDefinition| -> Vec<(String, Vec<String>)> {
            match &ty.kind {
                TypeKind::Object(o) => o
                    .fields
                    .iter()
                    .map(|f| {
                        let args = f
                            .node
                            .arguments
                            .iter()
                            .map(|a| a.node.name.node.to_string());
                        (f.node.name.node.to_string(), args.collect())
                    })
                    .collect(),
                TypeKind::InputObject(o) => o
                    .fields
                    .iter()
                    .map(|f| (f.node.name.node.to_string(), Vec::new()))
                    .collect(),
                _ => Vec::new(),
            }
        };
        if place.is_empty() {
            let Some(argument) = argument else {
                return false;
            };
            return self
                .by_name
                .values()
                .flat_map(fields_of)
                .any(|(_, args)| args.iter().any(|a| a == argument));
        }
        let Some((type_name, field)) = place.split_once('.') else {
            return false;
        };
        let Some(ty) = self.by_name.get(type_name) else {
            return false;
        };
        fields_of(ty).into_iter().any(|(name, args)| {
            name == field && argument.is_none_or(|argument| args.iter().any(|a| a == argument))
        })
    }

    /// The limits of the place at `coordinate` (see [`super::limits`]), if it has any.
    pub(super) fn rule(&self, coordinate: &str) -> Option<&Rule> {
        self.rules.get(coordinate)
    }

    /// The definition of the type named `name`, if the schema has one.
    pub fn definition(&self, name: &str) -> Option<&TypeDefinition> {
        self.by_name.get(name)
    }

    fn get(&self, name: &str) -> Result<&TypeDefinition, String> {
        self.by_name
            .get(name)
            .ok_or_else(|| format!("the schema has no type {name}"))
    }

    /// The definition of `parent.field` (an object type's field).
    fn field(&self, parent: &str, field: &str) -> Result<&FieldDefinition, String> {
        let TypeKind::Object(object) = &self.get(parent)?.kind else {
            return Err(format!("{parent} is not an object type"));
        };
        object
            .fields
            .iter()
            .find(|f| f.node.name.node == field)
            .map(|f| &f.node)
            .ok_or_else(|| format!("{parent} has no field {field}"))
    }

    pub(super) fn field_type(
        &self,
        parent: &str,
        field: &str,
    ) -> Result<(&Type, Option<String>), String> {
        let found = self.field(parent, field)?;
        Ok((
            &found.ty.node,
            found.description.as_ref().map(|d| d.node.clone()),
        ))
    }

    pub(super) fn argument(
        &self,
        parent: &str,
        field: &str,
        argument: &str,
    ) -> Result<&InputValueDefinition, String> {
        self.field(parent, field)?
            .arguments
            .iter()
            .find(|a| a.node.name.node == argument)
            .map(|a| &a.node)
            .ok_or_else(|| format!("{parent}.{field} has no argument {argument}"))
    }

    /// The schema of a value of GraphQL input type `ty`, with the rule of the place it fills.
    /// Without `checked`, only the types (what GraphQL itself refuses), no rules.
    pub(super) fn input(
        &self,
        ty: &Type,
        rule: Option<&Rule>,
        checked: bool,
    ) -> Result<Value, String> {
        let rule = rule.filter(|_| checked);
        let mut schema = match &ty.base {
            BaseType::List(inner) => {
                let each = !rule.is_some_and(|r| r.each_alone);
                let mut items = self.input(inner, None, each)?;
                // A rule's `items` keywords apply to the element.
                if let Some(extra) = rule.and_then(|r| r.schema.get("items")) {
                    merge(&mut items, extra);
                }
                json!({ "type": "array", "items": items })
            }
            BaseType::Named(name) => self.named_input(name, checked)?,
        };
        if let Some(rule) = rule {
            let mut extra = rule.schema.clone();
            if let Value::Object(map) = &mut extra {
                map.remove("items");
            }
            if extra.get("type").is_some() {
                // A rule that states the type replaces the generated schema (e.g. a JSON field
                // whose shape the service fixes).
                schema = extra;
            } else {
                merge(&mut schema, &extra);
            }
        }
        if ty.nullable && !rule.is_some_and(|r| r.not_null) {
            allow_null(&mut schema);
        }
        Ok(schema)
    }

    fn named_input(&self, name: &Name, checked: bool) -> Result<Value, String> {
        Ok(match name.as_str() {
            "ID" | "String" => json!({ "type": "string" }),
            "Int" => json!({ "type": "integer", "minimum": i32::MIN, "maximum": i32::MAX }),
            "Float" => json!({ "type": "number" }),
            "Boolean" => json!({ "type": "boolean" }),
            "JSON" => json!({ "$ref": "#/components/schemas/AnyJson" }),
            other => match &self.get(other)?.kind {
                TypeKind::Enum(e) => {
                    enum_schema(e.values.iter().map(|v| v.node.value.node.as_str()))
                }
                TypeKind::InputObject(object) => {
                    let mut properties = Map::new();
                    let mut required = Vec::new();
                    for field in &object.fields {
                        let field_name = field.node.name.node.as_str();
                        let coordinate = format!("{other}.{field_name}");
                        let rule = self.rules.get(coordinate.as_str()).filter(|_| checked);
                        let mut schema = self.input(&field.node.ty.node, rule, checked)?;
                        describe(
                            &mut schema,
                            field.node.description.as_ref().map(|d| d.node.as_str()),
                        );
                        if rule.is_some_and(|r| r.required) || !field.node.ty.node.nullable {
                            required.push(field_name.to_owned());
                        }
                        properties.insert(field_name.to_owned(), schema);
                    }
                    let mut schema = json!({
                        "type": "object",
                        "properties": properties,
                        "additionalProperties": false,
                    });
                    if !required.is_empty() {
                        schema["required"] = json!(required);
                    }
                    describe(
                        &mut schema,
                        self.get(other)?
                            .description
                            .as_ref()
                            .map(|d| d.node.as_str()),
                    );
                    schema
                }
                _ => return Err(format!("{other} is not an input type")),
            },
        })
    }

    /// The schema of what a selection of `ty` answers.
    pub(super) fn output(
        &self,
        ty: &Type,
        selection: &SelectionSet,
        field: &str,
    ) -> Result<Value, String> {
        let mut schema = match &ty.base {
            BaseType::List(inner) => {
                json!({ "type": "array", "items": self.output(inner, selection, field)? })
            }
            BaseType::Named(name) => match name.as_str() {
                "ID" | "String" if field.ends_with("At") => {
                    json!({ "type": "string", "format": "date-time" })
                }
                "ID" | "String" => json!({ "type": "string" }),
                "Int" => json!({ "type": "integer" }),
                "Float" => json!({ "type": "number" }),
                "Boolean" => json!({ "type": "boolean" }),
                "JSON" if field == "customFields" => {
                    json!({ "type": "object", "additionalProperties": { "$ref": "#/components/schemas/CustomValue" } })
                }
                "JSON" => {
                    json!({ "type": "object", "additionalProperties": { "$ref": "#/components/schemas/DetailValue" } })
                }
                other => match &self.get(other)?.kind {
                    TypeKind::Enum(e) => {
                        enum_schema(e.values.iter().map(|v| v.node.value.node.as_str()))
                    }
                    TypeKind::Object(_) => self.object(other, selection)?,
                    _ => return Err(format!("{other} is not an output type")),
                },
            },
        };
        if ty.nullable {
            allow_null(&mut schema);
        }
        Ok(schema)
    }

    fn object(&self, type_name: &str, selection: &SelectionSet) -> Result<Value, String> {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for item in &selection.items {
            let Selection::Field(field) = &item.node else {
                return Err("REST operations select fields only".into());
            };
            let name = field.node.name.node.as_str();
            let (ty, description) = self.field_type(type_name, name)?;
            let mut schema = self.output(ty, &field.node.selection_set.node, name)?;
            describe(&mut schema, description.as_deref());
            let key = field.node.response_key().node.to_string();
            required.push(key.clone());
            properties.insert(key, schema);
        }
        Ok(json!({
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        }))
    }
}

fn enum_schema<'a>(values: impl Iterator<Item = &'a str>) -> Value {
    let values: Vec<&str> = values.collect();
    json!({ "type": "string", "enum": values })
}

fn describe(schema: &mut Value, description: Option<&str>) {
    if let (Some(text), Value::Object(map)) = (description, schema)
        && !map.contains_key("description")
        && !map.contains_key("$ref")
    {
        map.insert("description".into(), Value::String(text.trim().to_owned()));
    }
}

/// Adds `null` to what a schema accepts.
fn allow_null(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    if map.contains_key("$ref") {
        let inner = std::mem::take(map);
        map.insert(
            "anyOf".into(),
            json!([Value::Object(inner), { "type": "null" }]),
        );
        return;
    }
    match map.get_mut("type") {
        Some(Value::String(ty)) => {
            let ty = ty.clone();
            map.insert("type".into(), json!([ty, "null"]));
        }
        Some(Value::Array(types)) if !types.contains(&json!("null")) => types.push(json!("null")),
        _ => {}
    }
    if let Some(Value::Array(values)) = map.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

/// `extra`'s keywords over `schema`'s.
pub(super) fn merge(schema: &mut Value, extra: &Value) {
    if let (Value::Object(target), Value::Object(source)) = (schema, extra) {
        for (key, value) in source {
            target.insert(key.clone(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Types;

    #[test]
    fn every_limit_names_a_place_the_schema_has() {
        let sdl = crate::graphql::sdl();
        assert!(Types::parse(&sdl).is_ok());
        // A field the limits table names, renamed in the schema: the start fails, naming it.
        let renamed = sdl.replacen(
            "input ContactInput {\n\temail: String\n\tfirstName:",
            "input ContactInput {\n\temail: String\n\tgivenName:",
            1,
        );
        assert_ne!(renamed, sdl);
        let err = Types::parse(&renamed).err().expect("refused");
        assert!(err.contains("ContactInput.firstName"), "{err}");
    }
}
