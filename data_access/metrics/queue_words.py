"""The work queue's words (METRICS.md, "Work queue", "Provider scorecard"): a step's evidence, the missing evidence
as a sentence, days against typical, the owner, the thresholds used and a provider's percentile. Pure functions of
the figures and the language (no Streamlit): the Work queue page, the brand page's diagnosis and the providers page's
scorecard (ui.work_queue) and the digests (data_access.digest.compose) say them alike."""
from __future__ import annotations

from babel.numbers import format_percent

from ..words import fmt
from ..words.messages import N_, join, t
from . import rules

# Step -> (its evidence in words, shown as a share or a multiple)
MEASURES = {1: (N_("burst coefficient"), "multiple"), 2: (N_("public-traffic GMV growth"), "multiple"),
            3: (N_("self-broadcast share"), "share"), 4: (N_("private-traffic share"), "share"),
            5: (N_("channel-exclusive share"), "share")}
# Scorecard figures: (column, kind); the percentile already counts "better" in the figure's direction.
SCORECARD = (("gmv_multiple", "multiple"), ("refund_rate", "rate"), ("return_rate", "rate"),
             ("repeat_buyer_rate", "rate"), ("roi_t30", "ratio"), ("median_days_per_step", "days"))
FIGURE_FORMATS = {"multiple": fmt.multiple, "rate": fmt.rate, "ratio": fmt.ratio, "days": fmt.days}


def evidence_value(value, step: int, lang: str) -> str:
    """A step's evidence as the sentence shows it: a share as a whole percent, a multiple with one decimal."""
    if fmt.is_empty(value):
        return fmt.EMPTY
    if MEASURES[step][1] == "share":
        return format_percent(float(value), "#,##0%", locale=fmt.locale(lang))
    return fmt.multiple(value, lang)


def evidence_sentence(step: int, evidence, threshold, peer_evidence, lang: str) -> str:
    """The missing (or present) evidence in words, e.g. "self-broadcast share 12%, below the 30% bar; brands that
    completed this step had 34%" / "自播占比 12%，低于 30% 门槛；完成此步的品牌中位数 34%"."""
    measure = t(MEASURES[step][0], lang)
    bar = evidence_value(threshold, step, lang)
    if fmt.is_empty(evidence):
        head = t("{measure} cannot be measured yet (no sales to measure it on)", lang, measure=measure)
    elif float(evidence) >= float(threshold):
        head = t("{measure} {value}, meets the {bar} bar", lang, measure=measure,
                 value=evidence_value(evidence, step, lang), bar=bar)
    else:
        head = t("{measure} {value}, below the {bar} bar", lang, measure=measure,
                 value=evidence_value(evidence, step, lang), bar=bar)
    if fmt.is_empty(peer_evidence):
        tail = t("no selected brand has completed this step yet", lang)
    else:
        tail = t("brands that completed this step had {peers}", lang, peers=evidence_value(peer_evidence, step, lang))
    return t("{evidence}; {peers}", lang, evidence=head, peers=tail)


def days_vs_typical(days, typical, lang: str) -> str:
    if fmt.is_empty(typical):
        return fmt.days(days, lang)
    return t("{days} (typical {typical})", lang, days=fmt.days(days, lang), typical=fmt.days(typical, lang))


def owner(provider_name, provider_id, lang: str) -> str:
    """Who owns the brand's next step: the serving provider, or the platform's staff when none serves it."""
    if fmt.is_empty(provider_id):
        return t("Platform staff", lang)
    return provider_name if not fmt.is_empty(provider_name) else f"#{int(provider_id)}"


def thresholds_note(used: rules.Rules, lang: str) -> str:
    bars = join([f"{t(MEASURES[step][0], lang)} ≥ {evidence_value(value, step, lang)}"
                 for step, value in used.thresholds], lang)
    source = t("METRICS.md defaults", lang) if used.source == rules.DEFAULTS_SOURCE else used.source
    return t("Thresholds ({source}): {bars}", lang, source=source, bars=bars)


def percentile_text(pct, lang: str) -> str:
    return fmt.EMPTY if fmt.is_empty(pct) else t("better than {share} of peers", lang, share=fmt.rate(pct, lang))
