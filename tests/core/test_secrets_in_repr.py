"""Tokens never show up in a repr, so a log line or a traceback cannot leak them."""

from __future__ import annotations

from chatui.core.models import AccountConfig, Credentials
from chatui.session.session import LinkedAccount


def test_credentials_repr_hides_the_token_but_equality_still_sees_it():
    creds = Credentials("u1", "alice", "s3cret-token")
    assert "s3cret-token" not in repr(creds)
    assert "alice" in repr(creds)
    assert creds != Credentials("u1", "alice", "other-token")


def test_linked_account_repr_hides_the_token():
    config = AccountConfig("a", "local", "http://127.0.0.1:1", "alice", "A", "#ffffff")
    linked = LinkedAccount(config, backend=None, token="s3cret-token")  # type: ignore[arg-type]
    assert "s3cret-token" not in repr(linked)
