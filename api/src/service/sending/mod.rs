//! The rules of sending: which enrolments are due now, within which limits and from which
//! account; claiming them at most once; and what each SMTP outcome means. The engine only
//! loops, talks SMTP and reports outcomes here.
//!
//! - `types`: the policy, a claimed job, an attempt's outcome;
//! - `due`: what is due, and which accounts may send it;
//! - `claim`: claiming due emails, each queued under one claim, campaign by campaign;
//! - `pass`: one campaign's pass inside its claim (each enrolment's turn, what it writes);
//! - `lifecycle`: a claimed email from its start to its recorded outcome, and the sweep.

mod claim;
mod due;
mod lifecycle;
mod pass;
mod types;

pub use claim::{claim, claim_except};
pub use due::{due_campaigns, due_unsent, find_due};
pub use lifecycle::{
    Begun, accepted, accepted_many, begin, begin_many, finish, finish_sent, release, release_until,
    renew, sweep,
};
pub use types::{Job, Outcome, Policy};
