"""Facts read from a commit's diff without a model: file kinds, definitions with their parameters, moves,
renames and signature changes, manifests and versions, options, environment variables and tests."""

from .commit import diff_facts
from .model import (DependencyChange, DiffFacts, FilePatch, LockfileChange, Moved, Renamed, SignatureChange, Symbol,
                    VersionBump)

__all__ = ["diff_facts", "DependencyChange", "DiffFacts", "FilePatch", "LockfileChange", "Moved", "Renamed",
           "SignatureChange", "Symbol", "VersionBump"]
