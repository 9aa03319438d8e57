"""Survey answers: CSAT %, NPS, CES and response counts.

- CSAT: on a two-point scale (binary good/bad) the top value is satisfied; on 1..5 a score at
  or above ``kpi.csat_satisfied_min``; on any other scale the same share of the range
  (``(min_score - 1) / 4``, i.e. top-2-box).
- NPS: the score is put on 0..10; promoters 9..10, detractors 0..6, passives count in the total.
- An answer counts in site, its queue, its agent and their teams, and the teams of its ticket's
  helpdesk group when the ticket is known.
- CSAT is also split by what it is about: ``interaction`` (the answer's ``about``, or any
  answer linked to a call or a ticket without one) and ``relationship`` (``about`` says so);
  an unlinked answer without ``about`` is in neither split.
- Response rate: a ``SurveySent`` counts once per ``survey_id`` in ``surveys_sent``; an answer
  whose ``response_id`` is a sent survey's id counts in ``sent_answered``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from panneau.hub import events as ev
from panneau.hub.config import Config
from panneau.hub.engine.bad import BadEvents
from panneau.hub.engine.exact import exact
from panneau.hub.engine.scopes import Scopes
from panneau.hub.engine.windows import Sums, Tallies

__all__ = ["SMALL_SAMPLES", "Surveys", "survey_kpis"]

#: Survey figures flagged below ``kpi.small_n`` answers, with the count that decides.
SMALL_SAMPLES = (("csat_pct", "csat_responses"), ("nps", "nps_responses"),
                 ("csat_interaction_pct", "csat_interaction_responses"),
                 ("csat_relationship_pct", "csat_relationship_responses"))

_SEEN_MAX = 100_000


class Surveys:
    """Survey contributions and KPIs."""

    def __init__(self, config: Config, scopes: Scopes, tallies: Tallies,
                 bad: BadEvents) -> None:
        self.satisfied_min = config.kpi.csat_satisfied_min
        self.scopes = scopes
        self.tallies = tallies
        self.bad = bad
        self.seen_ids: dict[str, None] = {}
        self.sent_ids: dict[str, None] = {}
        self.seen: set[str] = set()
        #: Extra scopes of a linked ticket (set by the engine).
        self.ticket_scopes: Callable[[str], tuple[str, ...]] = lambda ticket_id: ()


    def to_data(self) -> dict:
        """Answer ids seen and scopes with answers, as plain data."""
        return {"seen_ids": list(self.seen_ids), "seen": sorted(self.seen),
                "sent_ids": list(self.sent_ids)}

    def load_data(self, data: dict) -> None:
        """Take back what :meth:`to_data` gave."""
        self.seen_ids = dict.fromkeys(data["seen_ids"])
        self.seen = set(data["seen"])
        self.sent_ids = dict.fromkeys(data["sent_ids"])

    def satisfied(self, score: float, low: float, high: float) -> bool:
        """Whether a CSAT score counts as satisfied on its scale."""
        if high - low == 1:
            return score >= high
        if (low, high) == (1, 5):
            return score >= self.satisfied_min
        return (score - low) / (high - low) >= (self.satisfied_min - 1) / 4

    def apply(self, event: ev.SurveyResponse | ev.SurveySent) -> None:
        """Count one answer, or one survey sent."""
        if isinstance(event, ev.SurveySent):
            self._sent(event)
            return
        low, high, score = event.scale_min, event.scale_max, event.score
        finite = all(isinstance(x, int | float) and math.isfinite(x) for x in (low, high, score))
        if not (finite and low < high and low <= score <= high):
            self.bad.note("score_out_of_scale")
            return
        if event.survey not in ("csat", "nps", "ces"):
            self.bad.note("unknown_survey_kind")
            return
        if event.survey == "ces" and low < 0:
            self.bad.note("score_out_of_scale")  # effort scales start at 0 or 1
            return
        if event.response_id in self.seen_ids:
            self.bad.note("duplicate_response")
            return
        _remember(self.seen_ids, event.response_id)
        amounts: Sums = {"survey_n": 1}
        if event.response_id in self.sent_ids:
            amounts["sent_answered"] = 1
        if event.survey == "csat":
            amounts["csat_n"] = 1
            good = self.satisfied(score, low, high)
            if good:
                amounts["csat_good"] = 1
            if about := event.about or ("interaction" if event.call_id or event.ticket_id
                                        else None):
                amounts[f"csat_{about}_n"] = 1
                if good:
                    amounts[f"csat_{about}_good"] = 1
        elif event.survey == "nps":
            ten = (score - low) / (high - low) * 10
            amounts["nps_n"] = 1
            if ten >= 9:
                amounts["nps_promoters"] = 1
            elif ten <= 6:
                amounts["nps_detractors"] = 1
        else:  # ces
            amounts["ces_n"] = 1
            amounts["ces_sum"] = exact(score)
        self._add(event, amounts)

    def _sent(self, event: ev.SurveySent) -> None:
        if event.survey_id in self.sent_ids:
            self.bad.note("duplicate_survey_sent")
            return
        _remember(self.sent_ids, event.survey_id)
        self._add(event, {"surveys_sent": 1})

    def _add(self, event: ev.SurveyResponse | ev.SurveySent, amounts: Sums) -> None:
        scopes = list(self.scopes.queue_and_agent(event.queue, event.agent))
        if event.ticket_id:
            scopes += [s for s in self.ticket_scopes(event.ticket_id) if s not in scopes]
        self.seen.update(scopes)
        self.tallies.add(event.ts, scopes, amounts)

    def kpis(self, scope: str, s: Sums, out: dict[str, float]) -> None:
        """Survey KPIs of one scope's sums."""
        if scope in self.seen:
            out["survey_responses"] = s.get("survey_n", 0.0)
        survey_kpis(s, out)

    @staticmethod
    def small(scope: str, windows: dict[str, dict[str, float]], small_n: int) -> frozenset[str]:
        """``<scope>/<window>/<kpi>`` keys of CSAT and NPS figures from fewer than ``small_n``
        answers."""
        return frozenset(
            f"{scope}/{window}/{kpi}"
            for window, kpis in windows.items()
            for kpi, count in SMALL_SAMPLES
            if kpi in kpis and kpis[count] < small_n
        )


def _remember(ids: dict[str, None], key: str) -> None:
    """Note ``key``, forgetting the older half of ``ids`` past :data:`_SEEN_MAX`."""
    ids[key] = None
    if len(ids) > _SEEN_MAX:
        for old in list(ids)[: _SEEN_MAX // 2]:
            del ids[old]


#: The sums any of :func:`survey_kpis`' figures needs (none of them: no figure).
_SURVEY_KEYS = frozenset(("csat_n", "csat_interaction_n", "csat_relationship_n", "surveys_sent",
                          "nps_n", "ces_n"))


def survey_kpis(s: Sums, out: dict[str, float]) -> None:
    """CSAT (and its split), NPS, CES and the response rate from survey sums."""
    if _SURVEY_KEYS.isdisjoint(s):  # most scopes and windows: no survey
        return
    g = s.get
    for prefix in ("csat", "csat_interaction", "csat_relationship"):
        if (n := g(f"{prefix}_n", 0.0)) > 0:
            out[f"{prefix}_pct"] = min(100.0, max(0.0, 100.0 * g(f"{prefix}_good", 0.0) / n))
            out[f"{prefix}_responses"] = n
    if (sent := g("surveys_sent", 0.0)) > 0:
        out["surveys_sent"] = sent
        out["survey_response_rate_pct"] = min(100.0, 100.0 * g("sent_answered", 0.0) / sent)
    if (n := g("nps_n", 0.0)) > 0:
        score = 100.0 * (g("nps_promoters", 0.0) - g("nps_detractors", 0.0)) / n
        out["nps"] = min(100.0, max(-100.0, score))
        out["nps_responses"] = n
    if (n := g("ces_n", 0.0)) > 0:
        out["ces_avg"] = g("ces_sum", 0.0) / n
