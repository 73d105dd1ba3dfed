"""The API's types, generated from its OpenAPI document.

Answers are dataclasses (``Contact``, ``Campaign``, ``CampaignStats``…) with snake_case
attributes; request arguments are TypedDicts (``CreateContactParams``…) naming the keyword
arguments each method takes.
"""

from ._generated.models import *  # noqa: F403
from ._generated.params import *  # noqa: F403

# Hand-written beside the generated names: the CSV a ``contacts.import_csv`` reads, its
# ``duplicates`` choice, and a DKIM key's ``algorithm`` (each choice kept equal to the generated
# one by a contract test).
from .resources.domains import DkimAlgorithm as DkimAlgorithm
from .resources.imports import CsvSource as CsvSource
from .resources.imports import ImportDuplicates as ImportDuplicates
