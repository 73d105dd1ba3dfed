//! Objects resolved in place.
//!
//! async-graphql resolves every selected field of an object through a boxed future of its own,
//! all of them polled together, and merges their answers into the object's map. For an object
//! whose fields are values already in memory (a listed campaign, its figures, its account) that
//! machinery is most of the cost of answering it. [`Plain`] and [`PlainList`] wrap such objects:
//! when nothing selected waits (see [`InPlace::waits`]), the fields are resolved one after the
//! other inside the object's own future, by the same generated resolvers, into a map sized once.
//! Anything else (a fragment, a directive, a response key given twice, a field that waits) takes
//! async-graphql's own path, so the answer never depends on which path ran.
//!
//! The schemas this serves have no extension hooking field resolution (the cost limit only
//! hooks validation); such an extension would not see the fields resolved here.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container, resolve_list};
use async_graphql::{ContextSelectionSet, OutputType, Positioned, ServerResult, Value};

/// An object that can say, before resolving anything, which fields would wait.
///
/// Every field of the object is classified in exactly one of three lists (a test checks them
/// against the schema's registry); a field in none of them — one added later and not yet
/// classified — waits, so forgetting it costs only speed, never a load per row.
pub trait InPlace: ContainerType {
    /// Fields whose values the object always holds: they never wait.
    const HELD: &'static [&'static str];
    /// Fields that wait unless the object already holds what they need (see [`Self::holds`]).
    const LOADED: &'static [&'static str];
    /// Fields that always wait: on the database, a loader or anything else not held. (Any
    /// field in no list waits too; this one exists so that the check can tell them apart.)
    #[cfg_attr(not(test), allow(dead_code))]
    const WAITING: &'static [&'static str];

    /// Whether the object already holds what a `LOADED` field needs, for this selection.
    fn holds(&self, field: &Field) -> bool {
        let _ = field;
        false
    }

    /// Whether resolving `field` (with its own selection) may wait. Saying `true` costs only
    /// speed: the object then resolves its fields concurrently, as async-graphql does.
    fn waits(&self, field: &Field) -> bool {
        let name = field.name.node.as_str();
        if name == "__typename" || Self::HELD.contains(&name) {
            false
        } else if Self::LOADED.contains(&name) {
            !self.holds(field)
        } else {
            true
        }
    }
}

/// Whether a field named `field` of `T` waits, whatever the object: for types with no
/// `LOADED` field, or to judge a selection before the object exists.
pub fn waits_by_name<T: InPlace>(field: &str) -> bool {
    field != "__typename" && !T::HELD.contains(&field)
}

/// Checks that `T` classifies each field of its GraphQL type exactly once, against the
/// registry of the schema that serves it: the lists name no field twice, no field the type
/// does not have, and leave none out.
#[cfg(test)]
pub fn check_classified<T: InPlace + OutputType>(registry: &Registry) -> Result<(), String> {
    let name = T::type_name();
    let ty = registry
        .types
        .get(name.as_ref())
        .ok_or_else(|| format!("{name} is not in the schema"))?;
    let fields: std::collections::BTreeSet<&str> = ty
        .fields()
        .ok_or_else(|| format!("{name} has no fields"))?
        .keys()
        .map(String::as_str)
        .filter(|f| !f.starts_with("__"))
        .collect();
    let mut classified = std::collections::BTreeSet::new();
    for field in T::HELD.iter().chain(T::LOADED).chain(T::WAITING) {
        if !classified.insert(*field) {
            return Err(format!("{name}.{field} is classified twice"));
        }
    }
    let unknown: Vec<_> = classified.difference(&fields).collect();
    let missing: Vec<_> = fields.difference(&classified).collect();
    if unknown.is_empty() && missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{name}: classified but not in the schema {unknown:?}; not classified {missing:?}"
        ))
    }
}

/// An object resolved in place when nothing selected waits.
pub struct Plain<T>(pub T);

/// A list of objects, each resolved in place, when no item's selection waits.
pub struct PlainList<T>(pub Vec<T>);

/// Whether `root` can answer the selection in place: plain fields only, each response key once,
/// none waiting.
fn in_place<T: InPlace + ?Sized>(selection: &SelectionSet, root: &T) -> bool {
    let items = &selection.items;
    items.iter().enumerate().all(|(i, selection)| {
        let Selection::Field(field) = &selection.node else {
            return false;
        };
        let key = field.node.response_key();
        field.node.directives.is_empty()
            && !root.waits(&field.node)
            && items[..i].iter().all(|earlier| match &earlier.node {
                Selection::Field(earlier) => earlier.node.response_key().node != key.node,
                _ => false,
            })
    })
}

/// The fields of `root`, resolved one after the other; a field's error is recorded as
/// async-graphql records it, and the field is left out.
async fn resolve_in_place<T: InPlace + ?Sized>(ctx: &ContextSelectionSet<'_>, root: &T) -> Value {
    let mut map = IndexMap::with_capacity(ctx.item.node.items.len());
    for selection in &ctx.item.node.items {
        let Selection::Field(field) = &selection.node else {
            continue;
        };
        let key = field.node.response_key().node.clone();
        if field.node.name.node == "__typename" {
            map.insert(
                key,
                Value::String(root.introspection_type_name().into_owned()),
            );
            continue;
        }
        match root.resolve_field(&ctx.with_field(field)).await {
            Ok(value) => {
                map.insert(key, value.unwrap_or_default());
            }
            Err(error) => ctx.add_error(error),
        }
    }
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}

impl<T: InPlace> OutputType for Plain<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if in_place(&ctx.item.node, &self.0) {
            Ok(resolve_in_place(ctx, &self.0).await)
        } else {
            resolve_container(ctx, &self.0).await
        }
    }
}

impl<T: InPlace> OutputType for PlainList<T> {
    fn type_name() -> Cow<'static, str> {
        <Vec<T>>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<T>>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<T>>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if !self.0.iter().all(|item| in_place(&ctx.item.node, item)) {
            return resolve_list(ctx, field, &self.0, Some(self.0.len())).await;
        }
        let mut items = Vec::with_capacity(self.0.len());
        for (index, item) in self.0.iter().enumerate() {
            items.push(resolve_in_place(&ctx.with_index(index), item).await);
        }
        Ok(Value::List(items))
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use async_graphql::parser::types::{DocumentOperations, Selection};
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

    use super::*;

    pub(super) struct Item {
        n: i32,
    }

    #[Object]
    impl Item {
        async fn n(&self) -> i32 {
            self.n
        }
        async fn label(&self) -> String {
            format!("item {}", self.n)
        }
        /// Fails for odd items: the error is recorded and the field left out, on either path.
        async fn even(&self) -> async_graphql::Result<i32> {
            if self.n % 2 == 0 {
                Ok(self.n)
            } else {
                Err(format!("{} is odd", self.n).into())
            }
        }
        /// Really waits: yields to the runtime once.
        async fn slow(&self) -> i32 {
            tokio::task::yield_now().await;
            self.n * 10
        }
        async fn child(&self) -> Plain<Child> {
            Plain(Child { n: self.n })
        }
    }

    impl InPlace for Item {
        const HELD: &'static [&'static str] = &["n", "even", "label", "child"];
        const LOADED: &'static [&'static str] = &[];
        const WAITING: &'static [&'static str] = &["slow"];
    }

    struct Child {
        n: i32,
    }

    #[Object]
    impl Child {
        async fn double(&self) -> i32 {
            self.n * 2
        }
    }

    impl InPlace for Child {
        const HELD: &'static [&'static str] = &["double"];
        const LOADED: &'static [&'static str] = &[];
        const WAITING: &'static [&'static str] = &[];
    }

    fn items() -> Vec<Item> {
        (1..=3).map(|n| Item { n }).collect()
    }

    struct Query;

    #[Object]
    impl Query {
        /// Named as long as `generic`, so the error locations of both answers match.
        async fn inplace(&self) -> PlainList<Item> {
            PlainList(items())
        }
        async fn generic(&self) -> Vec<Item> {
            items()
        }
        async fn one(&self) -> Plain<Item> {
            Plain(Item { n: 4 })
        }
    }

    /// The selection of the first root field of `query`'s only operation.
    fn selection_of(query: &str) -> SelectionSet {
        let document = parse_query(query).expect("the query parses");
        let DocumentOperations::Single(operation) = document.operations else {
            panic!("one operation");
        };
        let Selection::Field(field) = &operation.node.selection_set.node.items[0].node else {
            panic!("a field");
        };
        field.node.selection_set.node.clone()
    }

    #[test]
    fn only_plain_fields_each_asked_once_and_none_waiting_resolve_in_place() {
        let item = Item { n: 1 };
        for (query, expected) in [
            ("{ plain { n label child { double } __typename } }", true),
            ("{ plain { n other: n } }", true),
            ("{ plain { n slow } }", false),
            ("{ plain { n n } }", false),
            ("{ plain { n ... on Item { label } } }", false),
            ("{ plain { n ...F } } fragment F on Item { label }", false),
        ] {
            assert_eq!(in_place(&selection_of(query), &item), expected, "{query}");
        }
    }

    #[tokio::test]
    async fn in_place_answers_as_async_graphql_does() {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        for selection in [
            "{ n label child { double } __typename }",
            "{ a: n b: label n c: child { x: double __typename } }",
            "{ n even label }",
            "{ n slow child { double } }",
            "{ n n label }",
            "{ ... on Item { n } label }",
        ] {
            let plain = schema
                .execute(format!("{{ items: inplace {selection} }}"))
                .await;
            let generic = schema
                .execute(format!("{{ items: generic {selection} }}"))
                .await;
            assert_eq!(
                serde_json::to_value(&plain).unwrap(),
                serde_json::to_value(&generic).unwrap(),
                "{selection}"
            );
            let one = schema.execute(format!("{{ one {selection} }}")).await;
            assert!(one.data != Value::Null, "{selection}: {one:?}");
        }
        let odd = schema.execute("{ items: inplace { n even } }").await;
        assert_eq!(odd.errors.len(), 2, "{odd:?}");
        assert_eq!(
            odd.data.into_json().unwrap(),
            serde_json::json!({ "items": [{ "n": 1 }, { "n": 2, "even": 2 }, { "n": 3 }] })
        );
    }
}

/// Every object served in place classifies each of its fields, checked against the registry
/// its schema builds: a field added without a classification fails here (and waits meanwhile).
#[cfg(test)]
mod classified {
    use async_graphql::OutputType;
    use async_graphql::registry::Registry;

    use super::check_classified;
    use crate::graphql::campaigns::campaign::Campaign;
    use crate::graphql::campaigns::stats::CampaignStats;
    use crate::graphql::contacts::Contact;
    use crate::graphql::email_accounts::EmailAccount;

    #[test]
    fn every_field_of_every_in_place_object_is_classified() {
        let mut registry = Registry::default();
        Campaign::create_type_info(&mut registry);
        Contact::create_type_info(&mut registry);
        let results = [
            check_classified::<Campaign>(&registry),
            check_classified::<CampaignStats>(&registry),
            check_classified::<Contact>(&registry),
            check_classified::<EmailAccount>(&registry),
        ];
        for result in results {
            result.unwrap();
        }
    }

    #[test]
    fn a_field_left_out_is_found() {
        let mut registry = Registry::default();
        super::tests::Item::create_type_info(&mut registry);
        let fields = registry
            .types
            .get_mut("Item")
            .and_then(|ty| match ty {
                async_graphql::registry::MetaType::Object { fields, .. } => Some(fields),
                _ => None,
            })
            .unwrap();
        let mut added = fields["n"].clone();
        added.name = "added".into();
        fields.insert("added".into(), added);
        let err = check_classified::<super::tests::Item>(&registry).unwrap_err();
        assert!(err.contains("\"added\""), "{err}");
    }
}
