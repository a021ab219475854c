"""JSON schemas of the model's answers, and the output budget of each tier."""

from __future__ import annotations

from ..rules.classify import CHANGE_TYPES, TIERS

PROMPT_VERSION = "2026-11-23.2"
INSIGHT_KEYS = ("architecture", "performance", "security", "maintainability", "compatibility")

# Upper bounds the guard enforces; the grammar only fixes the shape.
MAX_ITEMS = {"high": 4, "medium": 3}
MAX_ITEM_CHARS = 300
MAX_TOKENS = {"high": 640, "medium": 360, "low": 120}


def _string_list(max_items: int) -> dict:
    return {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": max_items}


def tier_schema(tier: str, max_items: int | None = None) -> dict:
    if tier == "low":
        return {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"],
                "additionalProperties": False}
    n = max_items or MAX_ITEMS[tier]
    properties = {"summary": _string_list(n), "impact": _string_list(n)}
    if tier == "high":
        properties["insights"] = {
            "type": "object",
            "properties": {key: {"type": "string"} for key in INSIGHT_KEYS},
            "required": list(INSIGHT_KEYS),
            "additionalProperties": False,
        }
        properties["risks"] = _string_list(n)
    properties["recommendations"] = _string_list(n)
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


VOTE_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": list(CHANGE_TYPES)},
        "importance": {"type": "string", "enum": list(reversed(TIERS))},
        "reason": {"type": "string"},
    },
    "required": ["type", "importance", "reason"],
    "additionalProperties": False,
}
VOTE_MAX_TOKENS = 48
