"""How an API operation is declared: its errors, and the POST steps that answer a new version.

Every write is documented the same way: an `operationId`, a French summary, an example body,
and the problem+json errors it can answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema

from faps.web.api import schema_base as b
from faps.web.api.core import ApiBlueprint

NAMES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
         409: "CONFLICT", 412: "PRECONDITION_FAILED", 413: "REQUEST_ENTITY_TOO_LARGE",
         422: "UNPROCESSABLE_ENTITY", 428: "PRECONDITION_REQUIRED"}
WRITE_ERRORS = (400, 401, 403, 404, 409, 422)
EXAMPLE_ID = "3f1c2a5e-8d4b-4b8e-9a43-2d1f6c7e9a10"
STEP_EXAMPLE = {"id": EXAMPLE_ID, "version": 6, "state": "instruit",
                "link": f"/api/v1/dossiers/{EXAMPLE_ID}"}


def errors(blp: ApiBlueprint, *statuses: int) -> Callable[[Any], Any]:
    """Document the problem+json answers of an operation."""

    def decorator(view: Any) -> Any:
        for status in statuses:
            view = blp.alt_response(status, response=NAMES[status])(view)
        return view

    return decorator


def operation(blp: ApiBlueprint, rule: str, operation_id: str, summary: str,
              schema: type[Schema], example: dict[str, Any], description: str = "",
              ) -> Callable[[Callable[..., None]], Any]:
    """Declare a POST /dossiers/{id}/<rule> that runs a command and answers the new version.

    The command gets the parsed body and the path's parameters (`dossier_id`, …).
    """
    from faps.web.api.shapes import step

    def decorator(command: Callable[..., None]) -> Any:
        def view(data: dict[str, Any], **path: Any) -> Any:
            command(data, **path)
            body, _, headers = step(path["dossier_id"])
            return body, 201, headers

        view.__name__ = operation_id
        view.__doc__ = summary
        wrapped: Any = blp.response(201, b.StepOut, example=STEP_EXAMPLE)(view)
        wrapped = errors(blp, *WRITE_ERRORS)(wrapped)
        wrapped = blp.arguments(schema, example=example,
                                required=bool(schema._declared_fields))(wrapped)
        wrapped = blp.doc(operationId=operation_id, summary=summary,
                          description=description or summary)(wrapped)
        return blp.route(f"/<uuid:dossier_id>/{rule}", methods=["POST"])(wrapped)

    return decorator
