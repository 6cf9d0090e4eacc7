"""Shared pytest setup: offline model loading, per-test data dirs, and CI's no-silent-skip rule."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DEEPEVAL_TELEMETRY_OPT_OUT", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Suites that need a real service skip on a developer machine without it, but CI (CI=true)
# provides every service, so there a skip of these markers is a failure, not a silent pass.
_SERVICE_MARKERS = ("postgres", "browser", "chroma_server")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if (
        os.environ.get("CI") == "true"
        and report.skipped
        and any(item.get_closest_marker(m) for m in _SERVICE_MARKERS)
    ):
        report.outcome = "failed"
        report.longrepr = f"service test skipped in CI (CI has every service): {report.longrepr}"


@pytest.fixture
def settings(tmp_path):
    """Settings whose data directory is private to the test."""
    from agent.settings import Settings

    return Settings(data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def screen():
    """The crisis screen with every layer, built once per test session (it embeds its
    exemplars when built)."""
    from agent.safety.crisis import CrisisScreen

    return CrisisScreen()


@pytest.fixture(scope="session")
def lexicon_only():
    """The crisis screen's word layer alone (no embeddings)."""
    from agent.safety.crisis import CrisisScreen

    return CrisisScreen(semantic=False)


@pytest.fixture(scope="session")
def quiet(screen):
    """`quiet(text)` asserts the full crisis screen leaves `text` alone, naming what fired."""

    def check(text: str) -> None:
        result = screen.screen(text)
        assert not result.crisis, (text, result.categories, [e.text for e in result.evidence])

    return check
