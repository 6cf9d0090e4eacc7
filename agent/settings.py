"""Every knob of the product in one place: each field has an env var (PRACTICE_<NAME>) and a
safe default.

Defaults describe the embedded, single-machine deployment (everything under one data directory,
sandbox EHR, no LLM). Production deployments override by environment or a `.env` file.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PRACTICE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- where things live -------------------------------------------------------------------
    data_dir: Path = Field(Path("data"), description="Root of all runtime state (DB, index, keys).")
    corpus_dir: Path = Field(
        PROJECT_ROOT / "knowledge" / "corpus", description="Practice policy documents to ingest."
    )
    index_dir: Path | None = Field(None, description="Chroma persistence dir; default data/index.")

    # --- knowledge base ----------------------------------------------------------------------
    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded.")
    chroma_port: int = 8000
    chroma_collection: str = "practice_policies"
    retrieval_k: int = 3
    retrieval_floor: float = Field(
        0.35, description="Minimum relevance score; below it retrieval returns nothing."
    )
    max_document_bytes: int = Field(5_000_000, description="Larger corpus files are skipped.")

    # --- application database ----------------------------------------------------------------
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default sqlite under data_dir. postgresql+psycopg://..."
    )

    # --- EHR ---------------------------------------------------------------------------------
    ehr_backend: Literal["sandbox", "fhir"] = "sandbox"
    sandbox_db: Path | None = Field(None, description="Sandbox EHR SQLite file; default data/.")
    practice_timezone: str = "America/New_York"
    fhir_base_url: str | None = None
    fhir_token_url: str | None = None
    fhir_client_id: str | None = None
    fhir_private_key_path: Path | None = None
    fhir_scopes: str = (
        "system/Patient.read system/Patient.write system/Practitioner.read "
        "system/PractitionerRole.read "
        "system/Schedule.read system/Slot.read system/Appointment.read system/Appointment.write "
        "system/Communication.read system/Communication.write system/Flag.read system/Flag.write "
        "system/CarePlan.read system/Goal.read system/MedicationStatement.read system/Task.read "
        "system/EpisodeOfCare.read system/Organization.read system/Location.read "
        "system/QuestionnaireResponse.read "
        "system/QuestionnaireResponse.write system/Observation.write"
    )
    ehr_timeout_s: float = 10.0
    ehr_max_retries: int = 3
    sandbox_seed: int = Field(7, description="Seed of the synthetic sandbox practice.")
    sandbox_anchor_date: date | None = Field(
        None, description="'Today' of the sandbox practice (YYYY-MM-DD); default: the real date."
    )
    late_cancel_window_hours: float = Field(
        48.0, description="Changes closer than this to the start carry the late-cancel fee notice."
    )
    slot_minutes: int = Field(60, description="Length of one bookable appointment slot.")
    slot_search_days: int = Field(21, description="How far ahead the scheduling tools look.")

    # --- LLM (optional) ----------------------------------------------------------------------
    llm_provider: Literal["none", "openai", "azure"] = "none"
    llm_base_url: str | None = Field(None, description="Any OpenAI-compatible endpoint.")
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    azure_endpoint: str | None = None
    azure_deployment: str | None = None
    azure_api_version: str = "2024-10-21"
    llm_timeout_s: float = 20.0
    llm_max_retries: int = 1
    crisis_llm_second_opinion: bool = Field(
        False,
        description="Let the crisis screen also ask the configured LLM about every message (can "
        "add alerts, never removes one; costs one LLM call and its latency per message).",
    )

    # --- secrets -----------------------------------------------------------------------------
    state_encryption_key: SecretStr | None = Field(
        None, description="AES key (16/24/32 bytes) for checkpoints at rest; generated if unset."
    )
    webhook_secret: SecretStr | None = Field(
        None, description="HMAC secret shared with the EHR; generated under data_dir if unset."
    )

    field_encryption_key: SecretStr | None = Field(
        None,
        description="AES-256-GCM key(s) for PHI columns (base64url, comma-separated, first "
        "encrypts; older ones still decrypt for rotation); generated under data_dir if unset.",
    )
    webhook_max_body_bytes: int = Field(262_144, description="Larger webhook bodies get 413.")
    webhook_replay_window_s: int = Field(
        300, description="Webhook timestamps further than this from now are rejected (401)."
    )
    worker_threads: int = Field(
        2, description="Graph worker threads per server process (0 = none)."
    )
    worker_lease_s: float = Field(
        120.0, description="A claimed event whose worker vanished is re-claimed after this."
    )
    worker_max_attempts: int = Field(
        3, description="After this many failed tries an event is parked for an admin."
    )
    worker_nice: int = Field(
        10, ge=0, le=19, description="CPU niceness of worker-only processes (ingress first)."
    )
    session_secret: SecretStr | None = Field(
        None, description="Signs staff session cookies; generated under data_dir if unset."
    )
    session_max_age_s: int = Field(8 * 3600, description="Staff sessions expire after this.")
    session_cookie_secure: bool = Field(
        False, description="Send the session cookie over HTTPS only (set true behind TLS)."
    )
    outreach_tick_s: float = Field(
        300.0, ge=0, description="Seconds between outreach scheduler passes in each server "
        "process (0 = no scheduler in this process); passes in several processes are safe."
    )
    server_host: str = Field("127.0.0.1", description="Address `make run` binds the server to.")
    server_port: int = Field(8765, description="Port `make run` binds the server to.")

    log_level: str = "INFO"

    # --- release gate judge (optional; evals/judges.py) --------------------------------------
    judge_provider: Literal["none", "openai", "azure"] = Field(
        "none", description="Judge model for the gate's GEval/Faithfulness metrics; none = skip."
    )
    judge_base_url: str | None = Field(None, description="OpenAI-compatible judge endpoint.")
    judge_api_key: SecretStr | None = None
    judge_model: str = Field("gpt-4o", description="Judge model (Azure: the deployment name).")

    # --- derived paths -----------------------------------------------------------------------
    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir / "index"

    @property
    def resolved_sandbox_db(self) -> Path:
        return self.sandbox_db or self.data_dir / "sandbox_ehr.db"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'practice.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests build their own `Settings(...)` instead of patching env."""
    return Settings()
