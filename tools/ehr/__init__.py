"""The EHR the assistant acts on: one protocol (`base.EHR`), several adapters, one factory."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.settings import Settings
    from tools.ehr.base import EHR


def open_ehr(settings: Settings) -> EHR:
    """The EHR named by `settings.ehr_backend`: the seeded sandbox (default) or a FHIR R4 server."""
    if settings.ehr_backend == "fhir":
        from tools.ehr.fhir import FhirEHR

        return FhirEHR.from_settings(settings)
    from tools.ehr.sandbox import SandboxEHR

    return SandboxEHR.from_settings(settings)


__all__ = ["open_ehr"]
