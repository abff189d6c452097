"""Stand-in for the cta-lstchain package: only what ASTRAN's environment probe uses.

The real package exposes its version as ``lstchain.__version__`` (PEP 440, written by setuptools_scm at install time,
e.g. ``0.10.5`` or ``0.10.12.dev5+g6a3f2b1``) and prints nothing on import. This one does the same.
"""
from .version import __version__

__all__ = ["__version__"]
