//! Contacts: the people a workspace emails.
//!
//! - `input`: checks of a contact's fields, and the row they build;
//! - `shape`: the JSON a contact is shown as, its events and its groups;
//! - `crud`: creating, reading, updating and deleting one;
//! - `listing`: filtered, sorted pages of contacts;
//! - `batch`: many contacts at once, and imports' merges.

mod batch;
mod crud;
mod input;
mod listing;
mod privacy;
mod shape;

pub use batch::{MAX_BATCH, create_many, create_many_in, merge_in};
pub use crud::{create, delete, get, known_ids, set_lead_status, set_status, update};
pub use input::{
    ContactInput, ContactPatch, MAX_CUSTOM_FIELDS, MAX_CUSTOM_FIELDS_BYTES, MAX_EXACT_INTEGER,
    MAX_PHONE, MAX_TEXT,
};
pub use listing::{ContactFilter, Listed, Matching, SORT_FIELDS, list, matching, ordering};
pub use privacy::{ContactExport, erase, export};
pub use shape::{group_ids_of, to_json};

pub use entity::states::{ContactStatus, LeadStatus};
