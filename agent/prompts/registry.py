"""The prompt registry: versioned prompt files, the released-version pointer, and rendering.

Layout: `agent/prompts/<prompt_id>/v<N>.yaml` (one file per version, never edited after release)
and `agent/prompts/<prompt_id>/RELEASED` (one line: the version clients get). A version file holds
the LLM instructions, the no-LLM template the draft falls back to, model settings, the variables
the template needs, and a changelog line. Templates are gated exactly like LLM prompts.

A run may pin candidate versions (`PromptRegistry(overrides={"faq_answer": "v2"})`) so the release
gate can drive the whole graph with a version that is not released yet.
"""

from __future__ import annotations

import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

import yaml
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, Field, ValidationError

PROMPTS_DIR = Path(__file__).resolve().parent
POINTER_FILE = "RELEASED"
_VERSION = re.compile(r"^v[1-9][0-9]*$")
_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")

_env = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
)


@lru_cache(maxsize=512)
def _compiled(source: str):
    """Templates compile once per process (compiling costs ~7 ms, rendering well under 1)."""
    return _env.from_string(source)


class PromptError(ValueError):
    """A prompt id/version does not exist, a file is malformed, or a template cannot render."""


class ModelSettings(BaseModel):
    temperature: float = Field(0.2, ge=0, le=1)
    max_tokens: int = Field(400, ge=16, le=4000)


class PromptVersion(BaseModel):
    """One version of one prompt, as stored in `<prompt_id>/<version>.yaml`."""

    prompt_id: str
    version: str
    changelog: str = Field(min_length=3)
    model: ModelSettings = ModelSettings()
    required_variables: list[str] = Field(default_factory=list)
    system: str = Field("", description="LLM system prompt (compose prompts only).")
    instructions: str = Field("", description="What the LLM must do for this part of a reply.")
    template: str = Field(min_length=1, description="No-LLM template (jinja2, strict variables).")

    @property
    def ref(self) -> str:
        return f"{self.prompt_id}@{self.version}"

    def render(self, **variables: object) -> str:
        """Render the template; a missing variable is an error, never an empty placeholder."""
        missing = [name for name in self.required_variables if name not in variables]
        if missing:
            raise PromptError(f"{self.ref}: missing variables {missing}")
        try:
            text = _compiled(self.template).render(**variables)
        except TemplateError as err:
            raise PromptError(f"{self.ref}: template failed: {type(err).__name__}: {err}") from err
        return _tidy(text)

    def render_text(self, field: str, **variables: object) -> str:
        """Render the system prompt or instructions (same strict rules as the template)."""
        try:
            return _tidy(_compiled(getattr(self, field)).render(**variables))
        except TemplateError as err:
            raise PromptError(f"{self.ref}: {field} failed: {err}") from err


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


@lru_cache(maxsize=256)
def _load(path: Path, mtime_ns: int) -> PromptVersion:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return PromptVersion.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as err:
        raise PromptError(f"{path.parent.name}/{path.name} is malformed: {err}") from err


class PromptRegistry:
    """Reads prompt versions from disk; `get(id)` is the version this run uses."""

    def __init__(self, root: Path = PROMPTS_DIR, overrides: dict[str, str] | None = None):
        self.root = Path(root)
        self.overrides = dict(overrides or {})
        for prompt_id, version in self.overrides.items():
            self._path(prompt_id, version)  # fail fast on a bad candidate

    def with_overrides(self, overrides: dict[str, str]) -> PromptRegistry:
        return PromptRegistry(self.root, {**self.overrides, **overrides})

    def prompt_ids(self) -> list[str]:
        return sorted(p.parent.name for p in self.root.glob(f"*/{POINTER_FILE}"))

    def versions(self, prompt_id: str) -> list[str]:
        found = [p.stem for p in (self.root / prompt_id).glob("v*.yaml") if _VERSION.match(p.stem)]
        return sorted(found, key=lambda v: int(v[1:]))

    def released(self, prompt_id: str) -> str:
        pointer = self.root / prompt_id / POINTER_FILE
        if not pointer.exists():
            raise PromptError(f"prompt '{prompt_id}' has no released version")
        return pointer.read_text(encoding="utf-8").strip()

    def version_for(self, prompt_id: str) -> str:
        return self.overrides.get(prompt_id) or self.released(prompt_id)

    def get(self, prompt_id: str, version: str | None = None) -> PromptVersion:
        path = self._path(prompt_id, version or self.version_for(prompt_id))
        prompt = _load(path, path.stat().st_mtime_ns)
        if prompt.prompt_id != prompt_id or prompt.version != path.stem:
            raise PromptError(f"{path.parent.name}/{path.name} names itself {prompt.ref}")
        return prompt

    def release(self, prompt_id: str, version: str) -> None:
        """Point clients at `version` (atomic rename; the gate calls this only on a pass)."""
        self.get(prompt_id, version)
        pointer = self.root / prompt_id / POINTER_FILE
        fd, tmp = tempfile.mkstemp(dir=pointer.parent, prefix=".released-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(version + "\n")
        os.replace(tmp, pointer)

    def _path(self, prompt_id: str, version: str) -> Path:
        if not _ID.match(prompt_id) or not _VERSION.match(version):
            raise PromptError(f"bad prompt reference '{prompt_id}@{version}'")
        path = self.root / prompt_id / f"{version}.yaml"
        if not path.exists():
            raise PromptError(f"prompt '{prompt_id}' has no version '{version}'")
        return path
