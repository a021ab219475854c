"""Deterministic judgement from the facts: change type, importance with reasons, the rule analysis."""
