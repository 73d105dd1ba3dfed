"""The official Python SDK of the FluenzR API.

from fluenzr import FluenzrClient

client = FluenzrClient(api_key="fz_live_…")
contacts = client.contacts.list()
"""

from . import types
from ._client import AsyncFluenzrClient, FluenzrClient
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    FluenzrError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
    WebhookVerificationError,
)
from ._pagination import AsyncPage, Page
from ._version import __version__
from ._webhook_signature import verify_webhook

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AsyncFluenzrClient",
    "AsyncPage",
    "AuthenticationError",
    "ConflictError",
    "FluenzrClient",
    "FluenzrError",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "ValidationError",
    "WebhookVerificationError",
    "__version__",
    "types",
    "verify_webhook",
]
