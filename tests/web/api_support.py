"""Helpers of the API tests: a token per role, calls with it."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from faps.domain.actors import Actor
from tests.support import World


def token_of(world: World, who: Actor, name: str = "tests") -> str:
    """Issue a personal token to an account; return its secret."""
    return world.faps.tokens.create(who, who.account_id, name).secret


class Caller:
    """An integrator's HTTP client: every call carries the token."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token

    def headers(self, **extra: str) -> dict[str, str]:
        """Return the headers of a call."""
        return {"Authorization": f"Bearer {self.token}", **extra}

    def get(self, path: str, **kwargs: Any) -> Any:
        """GET with the token."""
        return self.client.get(path, headers=self.headers(), **kwargs)

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None,
             **kwargs: Any) -> Any:
        """POST JSON with the token."""
        if "data" not in kwargs:
            kwargs["json"] = {} if body is None else body
        return self.client.post(path, headers=self.headers(**(headers or {})), **kwargs)

    def patch(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        """PATCH JSON with the token."""
        return self.client.patch(path, json=body, headers=self.headers(**(headers or {})))

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> Any:
        """Any method, JSON body if given, with the token."""
        kwargs: dict[str, Any] = {} if body is None else {"json": body}
        return self.client.open(path, method=method, headers=self.headers(**(headers or {})),
                                **kwargs)
