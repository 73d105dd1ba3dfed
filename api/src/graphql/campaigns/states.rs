//! The states of a campaign and of an enrolment, as GraphQL enums: the column types themselves.

pub use entity::states::{CampaignStatus, EnrolmentState};
