"""Exception types of waardenscan.

Every error the package raises on purpose is a :class:`WaardenscanError`, so the CLI
can turn it into one clear line on stderr and a batch can record it per document.
Messages name the file (and line or value) and say what would have been valid.
"""

from __future__ import annotations


class WaardenscanError(Exception):
    """Base class for all errors raised by waardenscan."""


class InputError(WaardenscanError):
    """A document cannot be read: missing, unreadable, corrupt, encrypted or unsupported."""


class LexiconError(WaardenscanError):
    """A lexicon file is malformed; the message names the file and line."""


class ModelError(WaardenscanError):
    """A classifier directory is missing, tampered with, or from an incompatible version."""


class OutputError(WaardenscanError):
    """The output folder cannot be written."""
