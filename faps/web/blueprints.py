"""The blueprints create_app registers, as "module:attribute" (one line per feature)."""

BLUEPRINTS: list[str] = [
    "faps.web.auth:bp",
    "faps.web.account:bp",
    "faps.web.home:bp",
    "faps.web.finances:bp",
    "faps.web.instruction:bp",
    "faps.web.assemblees:bp",
    "faps.web.audit:bp",
    "faps.web.commune:bp",
    "faps.web.documents:bp",
    "faps.web.api:bp",
    "faps.web.admin:bp",
    "faps.web.exports:bp",
    "faps.web.jobs:bp",
    "faps.web.reglement:bp",
    "faps.web.exchanges:bp",
    "faps.web.pages:bp",
    "faps.web.account_tokens:bp",
    "faps.web.admin_webhooks:bp",
]
