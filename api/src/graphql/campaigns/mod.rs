//! Campaigns in GraphQL: the `Campaign` object and what hangs from it, the listing, the
//! queries and the mutations.
//!
//! The objects below the queries and mutations import each other one way: `states` (the
//! enums) and `stats`, `sending` below `campaign`; `contacts` (a campaign's enrolled contacts,
//! which name `graphql::contacts::Contact`) below `campaign` too. A contact's campaigns are
//! `graphql::contacts::campaigns`, above `campaign`.

pub(super) mod campaign;
mod contacts;
mod listing;
mod mutations;
mod queries;
mod sending;
pub(super) mod states;
pub(super) mod stats;

pub use mutations::CampaignMutation;
pub use queries::CampaignQuery;
