"""One definition read from one line, as every language's reader returns it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Def:
    name: str
    kind: str
    public: bool
    container: bool = False     # methods defined deeper than this line are qualified with its name
    symbol: bool = True         # a Rust impl block is a container, not a symbol
    static: bool = False        # C/C++ `static`: file-local at namespace level, class-wide inside a class
    role: str = ""              # "" | "constructor" | "destructor" | "test" (see scan.py)

