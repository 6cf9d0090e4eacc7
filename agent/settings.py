"""Every knob of the product in one place: each field has an env var (PRACTICE_<NAME>) and a safe default.

Defaults describe the embedded, single-machine deployment (everything under one data directory,
sandbox EHR, no LLM). Production deployments override by environment or a `.env` file.
"""

from __future__ import annotations

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
        "system/Patient.read system/Practitioner.read system/Schedule.read system/Slot.read "
        "system/Appointment.read system/Appointment.write system/Communication.write "
        "system/Flag.write system/QuestionnaireResponse.write system/Observation.write"
    )
    ehr_timeout_s: float = 10.0
    ehr_max_retries: int = 3

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

    # --- secrets -----------------------------------------------------------------------------
    state_encryption_key: SecretStr | None = Field(
        None, description="AES key (16/24/32 bytes) for checkpoints at rest; generated if unset."
    )
    webhook_secret: SecretStr | None = Field(
        None, description="HMAC secret shared with the EHR; generated under data_dir if unset."
    )

    log_level: str = "INFO"

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
