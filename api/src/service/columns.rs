//! Reading some of an entity's columns. A listing asks the database only for the columns its
//! answer shows: every column selected is copied out of the row and decoded, and a joined
//! email account has 27 of them where a dashboard shows two.

use std::fmt;
use std::marker::PhantomData;

use sea_orm::sea_query::{ColumnType, Value};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, IdenStatic, Iterable, ModelTrait, QueryResult};

/// A set of `E`'s columns; bit `i` is the `i`-th column in declaration order.
pub struct Columns<E> {
    bits: u64,
    entity: PhantomData<fn() -> E>,
}

impl<E> Clone for Columns<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for Columns<E> {}

impl<E> PartialEq for Columns<E> {
    fn eq(&self, other: &Self) -> bool {
        self.bits == other.bits
    }
}

impl<E: EntityTrait> fmt::Debug for Columns<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|c| c.as_str()))
            .finish()
    }
}

impl<E: EntityTrait> Columns<E> {
    /// No column.
    pub fn none() -> Self {
        Columns {
            bits: 0,
            entity: PhantomData,
        }
    }

    /// Every column: what a whole model needs.
    pub fn all() -> Self {
        let n = E::Column::iter().count();
        debug_assert!(n <= 64, "{} has more columns than a set holds", n);
        Columns {
            bits: if n >= 64 { u64::MAX } else { (1 << n) - 1 },
            entity: PhantomData,
        }
    }

    pub fn of(columns: &[E::Column]) -> Self {
        let mut set = Self::none();
        for &c in columns {
            set.add(c);
        }
        set
    }

    pub fn add(&mut self, column: E::Column) {
        self.bits |= 1 << position(column);
    }

    pub fn union(self, other: Self) -> Self {
        Columns {
            bits: self.bits | other.bits,
            entity: PhantomData,
        }
    }

    pub fn contains(&self, column: E::Column) -> bool {
        self.bits & (1 << position(column)) != 0
    }

    pub fn len(&self) -> usize {
        self.bits.count_ones() as usize
    }

    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// The columns, in declaration order (the order `read` expects them in a row).
    pub fn iter(&self) -> impl Iterator<Item = E::Column> + '_ {
        E::Column::iter()
            .enumerate()
            .filter(|(i, _)| self.bits & (1 << i) != 0)
            .map(|(_, c)| c)
    }
}

fn position<C: IdenStatic + Iterable>(column: C) -> usize {
    C::iter()
        .position(|c| c.as_str() == column.as_str())
        .expect("a column is one of its entity's")
}

/// Reads models from some of their columns, found at `start..` of each row in declaration
/// order; every other field keeps its default. Only for answers that show the columns read.
/// The columns' types are looked up once, not per row.
pub struct Reader<E: EntityTrait> {
    columns: Vec<(E::Column, ColumnType)>,
    start: usize,
}

impl<E: EntityTrait> Reader<E> {
    pub fn new(columns: Columns<E>, start: usize) -> Self {
        Reader {
            columns: columns
                .iter()
                .map(|c| (c, c.def().get_column_type().clone()))
                .collect(),
            start,
        }
    }

    pub fn read(&self, row: &QueryResult) -> Result<E::Model, DbErr>
    where
        E::Model: Default,
    {
        let mut model = E::Model::default();
        for (i, (column, kind)) in self.columns.iter().enumerate() {
            model.try_set(*column, value_at(row, self.start + i, kind)?)?;
        }
        Ok(model)
    }
}

fn value_at(row: &QueryResult, at: usize, kind: &ColumnType) -> Result<Value, DbErr> {
    Ok(match kind {
        ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => {
            Value::String(row.try_get_by_index(at)?)
        }
        ColumnType::Integer => Value::Int(row.try_get_by_index(at)?),
        ColumnType::BigInteger => Value::BigInt(row.try_get_by_index(at)?),
        ColumnType::Boolean => Value::Bool(row.try_get_by_index(at)?),
        ColumnType::Json | ColumnType::JsonBinary => Value::Json(
            row.try_get_by_index::<Option<serde_json::Value>>(at)?
                .map(Box::new),
        ),
        ColumnType::TimestampWithTimeZone => Value::ChronoDateTimeUtc(row.try_get_by_index(at)?),
        other => return Err(DbErr::Type(format!("no reader for a {other:?} column"))),
    })
}

#[cfg(test)]
mod tests {
    use entity::campaign::{Column as C, Entity};
    use sea_orm::{IdenStatic, Iterable};

    use super::Columns;

    #[test]
    fn a_set_lists_its_columns_in_declaration_order() {
        let set = Columns::<Entity>::of(&[C::Name, C::Id]);
        assert!(set.contains(C::Id) && set.contains(C::Name) && !set.contains(C::Status));
        // The order a row is read in is the entity's, not the order they were added in.
        let names: Vec<&str> = set.iter().map(|c| c.as_str()).collect();
        assert_eq!(names, ["id", "name"]);
        assert_eq!(set.union(Columns::of(&[C::Status])).len(), 3);
        assert_eq!(Columns::<Entity>::all().len(), C::iter().count());
        assert!(Columns::<Entity>::none().is_empty());
    }
}
