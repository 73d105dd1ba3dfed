//! Campaigns in GraphQL: the `Campaign` object and the objects hanging from it, the listing,
//! the queries and the mutations.
//!
//! Imports go one way: `queries`, `mutations` and `listing` name `campaign`; `campaign` names
//! `stats`, `sending`, `contacts` (its enrolled contacts) and `states`; `contacts` names
//! `graphql::contacts::Contact`. A contact's campaigns (`graphql::contacts::campaigns`) name
//! `campaign` from above.

pub(super) mod campaign;
mod contacts;
mod listing;
mod mutations;
mod preview;
mod queries;
mod sending;
pub(super) mod states;
pub(super) mod stats;

pub use mutations::CampaignMutation;
pub use queries::CampaignQuery;
