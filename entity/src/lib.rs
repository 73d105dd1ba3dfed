//! sea-orm entities: the database rows, and nothing about HTTP or GraphQL.

pub mod api_key;
pub mod contact;
pub mod contact_group;
pub mod group_member;
pub mod idempotency_key;
pub mod setting;
pub mod user;
pub mod workspace;
