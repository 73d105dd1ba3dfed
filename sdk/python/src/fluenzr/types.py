"""The API's types, generated from its OpenAPI document.

Answers are dataclasses (``Contact``, ``Campaign``, ``CampaignStats``…) with snake_case
attributes; request arguments are TypedDicts (``CreateContactParams``…) naming the keyword
arguments each method takes.
"""

from ._generated.models import *  # noqa: F403
from ._generated.params import *  # noqa: F403
