"""Generate the SDK's types from the API's OpenAPI document.

    python codegen/generate.py <openapi.json path or URL> [output directory]

The document's schemas are inline; this lifts every object schema into a named definition
(one name per distinct shape, the names below), turns property names into snake_case, and
hands the result to datamodel-code-generator twice: answers become dataclasses
(`models.py`), request bodies and query strings become TypedDicts (`params.py`).
"""

from __future__ import annotations

import copy
import json
import keyword
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Tuple

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "src" / "fluenzr" / "_generated"

# The name of each operation's `data` (the items' name for a list).
DATA_NAMES: Dict[str, str] = {
    "listContacts": "Contact",
    "createContact": "Contact",
    "getContact": "Contact",
    "getMessage": "Message",
    "updateContact": "Contact",
    "deleteContact": "Deleted",
    "createContacts": "ContactBatchResult",
    "importContacts": "Import",
    "getContactImport": "Import",
    "listGroups": "Group",
    "createGroup": "Group",
    "getGroup": "Group",
    "updateGroup": "Group",
    "deleteGroup": "Deleted",
    "listGroupContacts": "Contact",
    "addGroupContacts": "GroupContactsAdded",
    "removeGroupContacts": "GroupContactsRemoved",
    "listEmailAccounts": "EmailAccount",
    "createEmailAccount": "EmailAccount",
    "getEmailAccount": "EmailAccount",
    "updateEmailAccount": "EmailAccount",
    "deleteEmailAccount": "Deleted",
    "testEmailAccount": "EmailAccountTest",
    "listUnmatchedReports": "UnmatchedReport",
    "listCampaigns": "Campaign",
    "createCampaign": "CampaignWithWarnings",
    "getCampaign": "Campaign",
    "updateCampaign": "CampaignWithWarnings",
    "deleteCampaign": "Deleted",
    "startCampaign": "CampaignStarted",
    "pauseCampaign": "Campaign",
    "addCampaignContacts": "CampaignContactsAdded",
    "listCampaignContacts": "Enrollment",
    "getCampaignSendingStatus": "SendingStatus",
    "listUnknownOutcomes": "UnknownOutcome",
    "resolveUnknownOutcomes": "ResolvedOutcomes",
    "getCampaignStats": "CampaignStats",
    "getContactPlan": "ContactPlan",
    "previewCampaignEmail": "EmailPreview",
    "sendCampaignTestEmail": "TestEmailResult",
    "listWebhooks": "Webhook",
    "createWebhook": "WebhookWithSecret",
    "getWebhook": "Webhook",
    "updateWebhook": "Webhook",
    "deleteWebhook": "Deleted",
    "testWebhook": "WebhookTestEvent",
    "rotateWebhookSecret": "WebhookWithSecret",
    "listWebhookDeliveries": "WebhookDelivery",
    "listSuppressions": "Suppression",
    "addSuppressions": "SuppressionsAdded",
    "deleteSuppression": "Deleted",
    "listDomains": "Domain",
    "getDomain": "Domain",
    "checkDomain": "Domain",
    "createDkimKey": "DkimKeyCreated",
    "activateDkimKey": "Domain",
    "deleteDkimKey": "Domain",
    "listInboxThreads": "InboxThread",
    "getInboxThread": "InboxConversation",
    "markInboxThreadRead": "InboxThread",
    "replyToInboxThread": "InboxAnswer",
    # Last: its nested contact, emails and suppressions reuse the names above.
    "exportContact": "ContactExport",
}

# Names for nested shapes whose derived name (parent + property) reads badly.
NESTED_NAMES: Dict[str, str] = {
    "ContactBatchResultResult": "ContactBatchItem",
    "ContactBatchResultResultError": "ContactBatchItemError",
    "ImportError": "ImportRowError",  # not Python's builtin ImportError
    "EmailAccountTestSmtp": "ConnectionCheck",
    "EmailAccountTestSmtpStep": "ConnectionCheckStep",
    "CreateContactsParamsContact": "BatchContactParams",
    "CreateCampaignParamsStep": "CampaignStepParams",
    "CreateCampaignParamsSchedule": "CampaignScheduleParams",
    "SendingStatusAccount": "SendingStatusEmailAccount",
    "AddSuppressionsParamsItem": "SuppressionParams",
}

# Limits a type cannot carry; the server checks them and answers 400.
CONSTRAINTS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "writeOnly",
    "readOnly",
    "default",
)

# Enums longer than this (the IANA time zones) are typed as plain strings.
MAX_LITERAL_VALUES = 50

# 3.10 is the generator's oldest target. Its output suits 3.9 as well: typing.Optional/Union
# rather than `X | Y`, builtin generics only under `from __future__ import annotations`.
DATAMODEL_CODEGEN_ARGS = [
    "--input-file-type",
    "openapi",
    "--target-python-version",
    "3.10",
    "--no-use-union-operator",
    "--use-standard-collections",
    "--enum-field-as-literal",
    "all",
    "--no-use-closed-typed-dict",
    "--use-schema-description",
    "--use-field-description",
    "--disable-timestamp",
    "--import-overrides",
    json.dumps({"NotRequired": "fluenzr._compat", "Required": "fluenzr._compat"}),
    "--formatters",
    "builtin",
    "--keep-model-order",
]


class ContractError(Exception):
    """The document has something these rules do not know how to name or convert."""


def snake(name: str) -> str:
    out = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    if keyword.iskeyword(out):
        out += "_"
    if camel(out) != name:
        raise ContractError(
            f"property {name!r} does not survive camelCase -> snake_case -> camelCase"
        )
    return out


def camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def canonical(schema: Any) -> str:
    """The shape of a schema, descriptions and examples aside."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in ("description", "example")}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return json.dumps(strip(schema), sort_keys=True)


class Lifter:
    def __init__(self, document: Dict[str, Any]):
        self.components: Dict[str, Any] = document.get("components", {}).get("schemas", {})
        self.defs: Dict[str, Any] = {}
        self.by_shape: Dict[str, str] = {}

    def name_object(self, name: str, schema: Dict[str, Any], reuse: bool = True) -> Dict[str, Any]:
        name = NESTED_NAMES.get(name, name)
        shape = canonical(schema)
        if reuse and shape in self.by_shape:
            return {"$ref": f"#/components/schemas/{self.by_shape[shape]}"}
        if name in self.defs:
            if canonical(self.defs[name]) != shape:
                raise ContractError(f"two different shapes would both be named {name}")
            return {"$ref": f"#/components/schemas/{name}"}
        self.defs[name] = schema
        self.by_shape.setdefault(shape, name)
        return {"$ref": f"#/components/schemas/{name}"}

    def lift(self, schema: Any, name: str, seen: Tuple[str, ...] = (), reuse: bool = True) -> Any:
        """The schema with each object in it replaced by a reference to its named definition."""
        if not isinstance(schema, dict):
            return schema
        schema = copy.deepcopy(schema)
        if "$ref" in schema:
            ref = schema.pop("$ref")
            target = ref.rsplit("/", 1)[-1]
            if target in seen:
                return {**schema}  # a recursive value: any JSON
            inlined = self.lift(self.components[target], target, seen + (target,))
            return {**inlined, **schema} if schema else inlined
        types = schema.get("type")
        if isinstance(types, list) and "null" in types and len(types) == 2:
            other = next(t for t in types if t != "null")
            if other in ("object", "array"):
                inner = dict(schema, type=other)
                inner.pop("description", None)
                nullable: Dict[str, Any] = {
                    "anyOf": [self.lift(inner, name, seen, reuse), {"type": "null"}]
                }
                if "description" in schema:
                    nullable["description"] = schema["description"]
                return nullable
        for constraint in CONSTRAINTS:
            schema.pop(constraint, None)
        enum = schema.get("enum")
        if enum is not None and len(enum) > MAX_LITERAL_VALUES:
            schema.pop("enum")
        if "properties" in schema:
            # Branches beside properties only say which of them are required together
            # (one of `contactIds`, `groupId`): a constraint the server checks, not a type.
            for key in ("anyOf", "oneOf"):
                schema.pop(key, None)
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                schema[key] = [self.lift(s, name, seen, reuse) for s in schema[key]]
        if "items" in schema:
            schema["items"] = self.lift(schema["items"], singular(name), seen)
        if isinstance(schema.get("additionalProperties"), dict):
            schema["additionalProperties"] = self.lift(
                schema["additionalProperties"], name + "Value", seen
            )
        if "properties" in schema:
            props = schema["properties"]
            schema["properties"] = {
                snake(k): self.lift(v, name + pascal(singular(k) if _is_array(v) else k), seen)
                for k, v in props.items()
            }
            if "required" in schema:
                schema["required"] = [snake(k) for k in schema["required"]]
            schema.pop("example", None)
            return self.name_object(name, schema, reuse)
        return schema


def _is_array(schema: Any) -> bool:
    types = schema.get("type") if isinstance(schema, dict) else None
    return types == "array" or (isinstance(types, list) and "array" in types)


def operations(document: Dict[str, Any]) -> List[Dict[str, Any]]:
    found = []
    for item in document["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and "operationId" in op:
                found.append(op)
    return found


def success_schema(op: Dict[str, Any]) -> Dict[str, Any]:
    code = next(c for c in op["responses"] if c.startswith("2"))
    return op["responses"][code]["content"]["application/json"]["schema"]


def lift_document(document: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    ops = operations(document)
    unnamed = [op["operationId"] for op in ops if op["operationId"] not in DATA_NAMES]
    if unnamed:
        raise ContractError(
            "operations without a type name (add them to DATA_NAMES in codegen/generate.py): "
            + ", ".join(unnamed)
        )
    models = Lifter(document)
    # Named answers first, in the table's order, so nested copies of them reuse the name.
    by_id = {op["operationId"]: op for op in ops}
    for op_id, name in DATA_NAMES.items():
        if op_id not in by_id:
            continue
        props = success_schema(by_id[op_id])["properties"]
        data = props["data"]
        models.lift(data["items"] if data.get("type") == "array" else data, name)
        if "meta" in props:
            models.lift(props["meta"], "ListMeta")

    params = Lifter(document)
    for op in ops:
        name = pascal(op["operationId"]) + "Params"
        body = (
            op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        )
        query = [p for p in op.get("parameters", []) if p.get("in") == "query"]
        if body is not None and query:
            # An optional body that only repeats query parameters (a delete's `reason`): the
            # SDK sends the query string.
            optional = not op.get("requestBody", {}).get("required", False)
            names = {p["name"] for p in query}
            if not (optional and set(body.get("properties", {})) <= names):
                raise ContractError(f"{op['operationId']} has both a body and a query string")
            body = None
        if body is not None:
            params.lift(body, name, reuse=False)
        elif query:
            schema = {
                "type": "object",
                "properties": {
                    p["name"]: dict(
                        p["schema"],
                        **({"description": p["description"]} if "description" in p else {}),
                    )
                    for p in query
                },
                "required": [p["name"] for p in query if p.get("required")],
                "additionalProperties": False,
            }
            params.lift(schema, name, reuse=False)
    return _as_document(models.defs), _as_document(params.defs)


def _as_document(defs: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "FluenzR SDK types", "version": "0"},
        "paths": {},
        "components": {"schemas": defs},
    }


def codegen(schema: Dict[str, Any], model_type: str, out: Path, header: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "schema.json"
        source.write_text(json.dumps(schema, indent=1))
        target = Path(tmp) / "out.py"
        subprocess.run(
            [
                sys.executable,
                "-W",
                "ignore::FutureWarning",
                "-m",
                "datamodel_code_generator",
                "--input",
                str(source),
                "--output",
                str(target),
                "--output-model-type",
                model_type,
                "--custom-file-header",
                header,
                *DATAMODEL_CODEGEN_ARGS,
            ],
            check=True,
        )
        text = target.read_text()
    out.write_text(text)


def load(source: str) -> Dict[str, Any]:
    if re.match(r"https?://", source):
        if not source.rstrip("/").endswith(".json"):
            source = source.rstrip("/") + "/v1/openapi.json"
        with urllib.request.urlopen(source, timeout=30) as response:
            return json.load(response)
    return json.loads(Path(source).read_text())


def main(argv: List[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    document = load(argv[1])
    out = Path(argv[2]) if len(argv) == 3 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    try:
        models, params = lift_document(document)
    except ContractError as err:
        print(f"generate.py: {err}", file=sys.stderr)
        return 1
    version = document.get("info", {}).get("version", "?")
    header = (
        "# Generated by codegen/generate.py from the FluenzR OpenAPI document"
        f" (API {version}). Do not edit."
    )
    codegen(models, "dataclasses.dataclass", out / "models.py", header)
    codegen(params, "typing.TypedDict", out / "params.py", header)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
