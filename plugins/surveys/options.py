"""Options of the ``typeform`` and ``delighted`` webhook sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["DelightedOptions", "TypeformForm", "TypeformOptions"]

SurveyKind = Literal["nps", "csat", "ces"]
#: What the answers are about: one call or ticket just handled, or the service as a whole.
About = Literal["interaction", "relationship"]


@dataclass
class TypeformForm:
    """``[sources.options.forms.<form_id>]``: which question is scored and which hidden fields
    link the answer to a call, ticket, agent or queue (field ``ref`` or ``id``)."""

    score_field: str
    survey: SurveyKind = "nps"
    scale_min: float | None = None
    scale_max: float | None = None
    comment_field: str | None = None
    call_field: str | None = None
    ticket_field: str | None = None
    agent_field: str | None = None
    queue_field: str | None = None
    about: About | None = None


@dataclass
class TypeformOptions:
    """Typeform ``form_response`` webhooks signed with ``Typeform-Signature``."""

    forms: dict[str, TypeformForm]
    secret: str | None = field(default=None, repr=False)
    secret_env: str = "TYPEFORM_SECRET"
    path: str = "typeform"
    max_body_bytes: int = 262144
    remember_ids: int = 5000
    max_age_days: float = 7.0


@dataclass
class DelightedOptions:
    """Delighted-style webhooks signed with a hex HMAC-SHA256 header."""

    secret: str | None = field(default=None, repr=False)
    secret_env: str = "DELIGHTED_SECRET"
    path: str = "delighted"
    signature_header: str = "X-Delighted-Webhook-Signature"
    survey: SurveyKind | None = None
    scale_min: float | None = None
    scale_max: float | None = None
    event_types: list[str] = field(default_factory=lambda: ["survey_response.created"])
    call_property: str | None = None
    ticket_property: str | None = None
    agent_property: str | None = None
    queue_property: str | None = None
    about: About | None = None
    max_body_bytes: int = 262144
    remember_ids: int = 5000
    max_age_days: float = 7.0
