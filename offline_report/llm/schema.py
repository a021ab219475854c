"""JSON schemas of the model's answers, derived from the tier spec, and the prompt version."""

from __future__ import annotations

from ..analysis_spec import INSIGHT_KEYS, MAX_TOKENS, TIERS, FieldSpec, fields_of
from ..rules.classify import CHANGE_TYPES

PROMPT_VERSION = "2026-11-25.2"  # .2: strings bounded by maxLength; the answer check
# The types a model votes among: the rules' types before "release" and "sync" (the vote grammar is unchanged).
VOTE_TYPES = tuple(t for t in CHANGE_TYPES if t not in ("release", "sync"))
__all__ = ["MAX_TOKENS", "PROMPT_VERSION", "VOTE_MAX_TOKENS", "VOTE_SCHEMA", "field_schema", "tier_schema"]


def field_schema(spec: FieldSpec, max_items: int | None = None) -> dict:
    """One field's schema; every string bounded by the spec's max_chars, so the grammar cannot run on."""
    string = {"type": "string", "maxLength": spec.max_chars}
    if spec.shape == "line":
        return dict(string)
    if spec.shape == "insights":
        return {"type": "object", "properties": {key: dict(string) for key in INSIGHT_KEYS},
                "required": list(INSIGHT_KEYS), "additionalProperties": False}
    return {"type": "array", "items": dict(string), "minItems": 1,
            "maxItems": min(max_items or spec.max_items, spec.max_items)}


def tier_schema(tier: str, max_items: int | None = None) -> dict:
    """The tier's answer as a JSON schema, fields in the spec's order."""
    properties = {spec.name: field_schema(spec, max_items) for spec in fields_of(tier)}
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


VOTE_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": list(VOTE_TYPES)},
        "importance": {"type": "string", "enum": list(reversed(TIERS))},
        "reason": {"type": "string"},
    },
    "required": ["type", "importance", "reason"],
    "additionalProperties": False,
}
VOTE_MAX_TOKENS = 48
