"""Options of the ``typeform`` and ``delighted`` webhook sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from panneau.hub.config.validate import OptionProblems, under_minimum
from panneau.hub.source_context import webhook_path_problem
from panneau.hub.toolkit.mapping import scale_problems

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

    def __post_init__(self) -> None:
        if problems := scale_problems(self.survey, self.scale_min, self.scale_max):
            raise OptionProblems(problems)


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

    def __post_init__(self) -> None:
        if problems := _common_problems(self):
            raise OptionProblems(problems)


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

    def __post_init__(self) -> None:
        problems = {**scale_problems(self.survey, self.scale_min, self.scale_max),
                    **_common_problems(self)}
        if problems:
            raise OptionProblems(problems)


def _common_problems(options: TypeformOptions | DelightedOptions) -> dict[str, str]:
    problems = under_minimum(options, 1, "max_body_bytes", "remember_ids")
    if isinstance(options.path, str) and (problem := webhook_path_problem(options.path)):
        problems["path"] = f"{options.path!r}: {problem}"
    if not options.max_age_days > 0:
        problems["max_age_days"] = f"must be more than 0, got {options.max_age_days:g}"
    return problems
