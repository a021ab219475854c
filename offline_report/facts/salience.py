"""Which definitions a reader should see first: public before private, API surfaces before internals,
constructors, destructors and test code last."""

from __future__ import annotations

from .kinds import is_api_surface
from .model import Symbol

_ROLE_RANK = {"": 0, "constructor": 1, "destructor": 1, "test": 2}


def rank(symbol: Symbol) -> tuple[int, int, int]:
    return (_ROLE_RANK.get(symbol.role, 0), 0 if symbol.public else 1, 0 if is_api_surface(symbol.path) else 1)


def ordered(symbols: list[Symbol]) -> list[Symbol]:
    """The symbols most worth naming first; otherwise in the order given (stable)."""
    return sorted(symbols, key=rank)


def is_interface(symbol: Symbol) -> bool:
    """Public interface a caller uses: public, and neither test code nor a constructor or destructor."""
    return symbol.public and not symbol.role
