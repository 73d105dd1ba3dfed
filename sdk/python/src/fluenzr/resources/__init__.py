"""The API's resources, one class per collection (and its async twin)."""

from .campaigns import AsyncCampaigns, Campaigns
from .contacts import AsyncContacts, Contacts
from .domains import AsyncDomains, Domains
from .email_accounts import AsyncEmailAccounts, EmailAccounts
from .groups import AsyncGroups, Groups
from .imports import AsyncImports, Imports
from .inbox import AsyncInbox, Inbox
from .messages import AsyncMessages, Messages
from .suppressions import AsyncSuppressions, Suppressions
from .webhooks import AsyncWebhooks, Webhooks

__all__ = [
    "AsyncCampaigns",
    "AsyncContacts",
    "AsyncDomains",
    "AsyncEmailAccounts",
    "AsyncGroups",
    "AsyncImports",
    "AsyncInbox",
    "AsyncMessages",
    "AsyncSuppressions",
    "AsyncWebhooks",
    "Campaigns",
    "Contacts",
    "Domains",
    "EmailAccounts",
    "Groups",
    "Imports",
    "Inbox",
    "Messages",
    "Suppressions",
    "Webhooks",
]
