//! A campaign's enrolled contacts (`Campaign.contacts`).

use async_graphql::{ID, Object, SimpleObject};
use entity::{campaign_contact, contact};

use super::states::EnrolmentState;
use crate::graphql::contacts::Contact;
use crate::graphql::types::PageInfo;
use crate::ids::rfc3339;
use crate::service::Page;

/// A contact in a campaign.
pub struct CampaignContact {
    enrolment: campaign_contact::Model,
    contact: contact::Model,
}

#[Object]
impl CampaignContact {
    async fn contact(&self) -> Contact {
        Contact::from(self.contact.clone())
    }
    async fn state(&self) -> EnrolmentState {
        self.enrolment.state
    }
    /// The last step sent (0 before the first).
    async fn current_step(&self) -> i32 {
        self.enrolment.current_step
    }
    async fn enrolled_at(&self) -> String {
        rfc3339(&self.enrolment.created_at)
    }
    async fn last_sent_at(&self) -> Option<String> {
        self.enrolment.last_sent_at.as_ref().map(rfc3339)
    }
    async fn next_send_at(&self) -> Option<String> {
        self.enrolment.next_send_at.as_ref().map(rfc3339)
    }
    /// While an out-of-office answer holds the sequence (reason `out_of_office`): when it
    /// goes on — the first window opening on or after the return date the answer gave, or
    /// `oooPauseDays` after it when it gave none.
    async fn held_until(&self) -> Option<String> {
        crate::service::replies::held_until(&self.enrolment)
            .as_ref()
            .map(rfc3339)
    }
    /// Why it waits or stopped: `missing_field:<name>`, `retrying`, `account_error`,
    /// `daily_limit_reached` (until the campaign's next day), `outside_window` (until it
    /// opens), `campaign_paused` (no next send until it resumes), `out_of_office` (until
    /// `heldUntil`), `delivery_failed`, `outcome_unknown`, `invalid_address`.
    async fn reason(&self) -> Option<&str> {
        self.enrolment.reason.as_deref()
    }
    /// The account this contact's sequence goes out from (set at its first send).
    async fn email_account_id(&self) -> Option<ID> {
        self.enrolment.email_account_id.clone().map(ID)
    }
}

#[derive(SimpleObject)]
pub struct CampaignContactPage {
    pub items: Vec<CampaignContact>,
    pub page_info: PageInfo,
}

impl CampaignContactPage {
    pub fn from_page(page: Page<(campaign_contact::Model, contact::Model)>) -> Self {
        let page_info = PageInfo::of(&page);
        CampaignContactPage {
            items: page
                .items
                .into_iter()
                .map(|(enrolment, contact)| CampaignContact { enrolment, contact })
                .collect(),
            page_info,
        }
    }
}
