//! The states of a campaign and of an enrolment, as GraphQL enums.

use async_graphql::{Enum, Result};

use crate::error::AppError;
use crate::service::campaigns::{CampaignStatus as SvcStatus, EnrolmentState as SvcState};

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "lowercase")]
pub enum CampaignStatus {
    Draft,
    Running,
    Paused,
    Completed,
}

impl From<CampaignStatus> for SvcStatus {
    fn from(s: CampaignStatus) -> Self {
        match s {
            CampaignStatus::Draft => SvcStatus::Draft,
            CampaignStatus::Running => SvcStatus::Running,
            CampaignStatus::Paused => SvcStatus::Paused,
            CampaignStatus::Completed => SvcStatus::Completed,
        }
    }
}

impl From<SvcStatus> for CampaignStatus {
    fn from(s: SvcStatus) -> Self {
        match s {
            SvcStatus::Draft => CampaignStatus::Draft,
            SvcStatus::Running => CampaignStatus::Running,
            SvcStatus::Paused => CampaignStatus::Paused,
            SvcStatus::Completed => CampaignStatus::Completed,
        }
    }
}

/// Where a contact is in a campaign.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "lowercase")]
pub enum EnrolmentState {
    Pending,
    Active,
    Completed,
    Replied,
    Bounced,
    Unsubscribed,
    Failed,
}

impl From<EnrolmentState> for SvcState {
    fn from(s: EnrolmentState) -> Self {
        match s {
            EnrolmentState::Pending => SvcState::Pending,
            EnrolmentState::Active => SvcState::Active,
            EnrolmentState::Completed => SvcState::Completed,
            EnrolmentState::Replied => SvcState::Replied,
            EnrolmentState::Bounced => SvcState::Bounced,
            EnrolmentState::Unsubscribed => SvcState::Unsubscribed,
            EnrolmentState::Failed => SvcState::Failed,
        }
    }
}

impl From<SvcState> for EnrolmentState {
    fn from(s: SvcState) -> Self {
        match s {
            SvcState::Pending => EnrolmentState::Pending,
            SvcState::Active => EnrolmentState::Active,
            SvcState::Completed => EnrolmentState::Completed,
            SvcState::Replied => EnrolmentState::Replied,
            SvcState::Bounced => EnrolmentState::Bounced,
            SvcState::Unsubscribed => EnrolmentState::Unsubscribed,
            SvcState::Failed => EnrolmentState::Failed,
        }
    }
}

/// An enrolment's stored state; one this code does not know is an error naming the row.
pub(in crate::graphql) fn enrolment_state(
    row: &entity::campaign_contact::Model,
) -> Result<EnrolmentState> {
    let state = SvcState::parse(&row.state).ok_or_else(|| {
        AppError::corrupt(
            "campaign_contacts",
            &format!("{}/{}", row.campaign_id, row.contact_id),
            "state",
            &row.state,
        )
    })?;
    Ok(state.into())
}
