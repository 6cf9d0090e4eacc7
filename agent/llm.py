"""The one place chat models are built from settings: OpenAI, Azure OpenAI or any OpenAI-compatible
base_url. Returns None when no model is configured: every caller must work without one.
"""

from __future__ import annotations

import httpx
from langchain_core.language_models.chat_models import BaseChatModel

from agent.settings import Settings


class LLMConfigError(ValueError):
    """The settings name an LLM provider but leave out something it needs."""


def build_chat_model(
    settings: Settings, *, http_client: httpx.Client | None = None, temperature: float = 0.0
) -> BaseChatModel | None:
    """A chat model for `settings`, or None when `llm_provider` is "none".

    `http_client` lets tests point the real client at a loopback or MockTransport endpoint.
    Timeouts and retries are bounded by settings so a slow model can never stall a message.
    """
    if settings.llm_provider == "none":
        return None
    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    common = {
        "timeout": settings.llm_timeout_s,
        "max_retries": settings.llm_max_retries,
        "temperature": temperature,
        "http_client": http_client,
    }
    if settings.llm_provider == "openai":
        from langchain_openai import ChatOpenAI

        if not (api_key or settings.llm_base_url):
            raise LLMConfigError("PRACTICE_LLM_API_KEY or PRACTICE_LLM_BASE_URL is required")
        return ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=api_key or "not-needed",
            **common,
        )
    from langchain_openai import AzureChatOpenAI

    missing = [
        name
        for name, value in (
            ("PRACTICE_AZURE_ENDPOINT", settings.azure_endpoint),
            ("PRACTICE_AZURE_DEPLOYMENT", settings.azure_deployment),
            ("PRACTICE_LLM_API_KEY", api_key),
        )
        if not value
    ]
    if missing:
        raise LLMConfigError(f"Azure OpenAI needs {', '.join(missing)}")
    return AzureChatOpenAI(
        azure_endpoint=settings.azure_endpoint,
        azure_deployment=settings.azure_deployment,
        api_version=settings.azure_api_version,
        api_key=api_key,
        **common,
    )
