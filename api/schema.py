"""The OpenAPI description: the key scheme, and the problem responses every operation may give
(``problems``), so that clients and the schema tests know each status the API answers with."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "What refused it, for programs."},
        "detail": {"type": "string", "description": "What refused it, for people."},
        "errors": {
            "type": "object",
            "description": "Per field: the codes and messages.",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    },
}
EVERY_OPERATION = {
    "400": "The request is malformed (types, fields, query parameters, cursor).",
    "401": "No API key, or not a valid one.",
    "403": "The key (read only) or its person may not do this.",
    "404": "Not found, or not your organisation's.",
    "406": "Only JSON answers are offered.",
    "429": "Too many calls with this key; see Retry-After.",
}
WRITES = {
    "409": "The ticket changed since the version you sent (code ticket_changed).",
    "413": "The body is too large.",
    "415": "Send JSON (or multipart/form-data with files).",
    "422": "A rule refused it (the message is the one the pages show).",
}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key made by your customer admin: `Authorization: Bearer sp_…`.",
        }


class ProblemAutoSchema(AutoSchema):
    pass


def add_problem_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    reference = {"$ref": "#/components/schemas/Problem"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if path.endswith(("/schema/", "/docs/")):
                continue
            statuses = dict(EVERY_OPERATION)
            if method == "post":
                statuses.update(WRITES)
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": reference}},
                    },
                )
    return result
