"""Secrets never survive redaction: configured values and common key shapes."""

from __future__ import annotations

from zebench.llm.redact import REDACTED, redact, redact_data


def test_configured_secret_is_replaced_everywhere() -> None:
    text = "key=my-very-secret-value and again my-very-secret-value"
    out = redact(text, ["my-very-secret-value"])
    assert "my-very-secret-value" not in out
    assert out.count(REDACTED) == 2


def test_provider_key_shapes_are_replaced() -> None:
    samples = [
        "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx",
        "sk-or-v1-0123456789abcdef0123456789abcdef",
        "sk-proj-abcdefghijklmnopqrstuvwx",
        "sk-abcdefghijklmnopqrstuvwxyz012345",
    ]
    for key in samples:
        out = redact(f"using {key} now")
        assert key not in out, key
        assert REDACTED in out


def test_bearer_and_header_values_are_replaced() -> None:
    out = redact('Authorization: Bearer abc.DEF123456789 {"x-api-key": "k3yvalue0123456789"}')
    assert "abc.DEF123456789" not in out
    assert "k3yvalue0123456789" not in out


def test_ordinary_text_and_code_survive() -> None:
    text = "bearer authentication is used; api_key = read_setting(name); sk-learn is a typo"
    assert redact(text) == text


def test_short_secrets_are_ignored_so_text_is_not_destroyed() -> None:
    assert redact("a b c", ["a", "", None]) == "a b c"


def test_redact_data_walks_nested_structures() -> None:
    data = {"a": ["x sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx", {"b": "top-secret-123"}], "n": 3}
    out = redact_data(data, ["top-secret-123"])
    assert out == {"a": [f"x {REDACTED}", {"b": REDACTED}], "n": 3}
