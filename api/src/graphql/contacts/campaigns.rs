//! The campaigns a contact is enrolled in (`Contact.campaigns`).

use async_graphql::{Context, Object, Result};
use entity::campaign_contact;

use crate::error::AppError;
use crate::graphql::campaigns::campaign::Campaign;
use crate::graphql::campaigns::states::EnrolmentState;
use crate::graphql::loader;
use crate::graphql::loaders::CampaignById;
use crate::ids::rfc3339;

/// A campaign a contact is enrolled in.
pub struct ContactCampaign(pub campaign_contact::Model);

#[Object]
impl ContactCampaign {
    async fn campaign(&self, ctx: &Context<'_>) -> Result<Campaign> {
        loader(ctx)?
            .load_one(CampaignById(self.0.campaign_id.clone()))
            .await?
            .map(Campaign::from)
            .ok_or_else(|| AppError::not_found("Campaign").into())
    }
    async fn state(&self) -> EnrolmentState {
        self.0.state
    }
    async fn current_step(&self) -> i32 {
        self.0.current_step
    }
    async fn enrolled_at(&self) -> String {
        rfc3339(&self.0.created_at)
    }
}
