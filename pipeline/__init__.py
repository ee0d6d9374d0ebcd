"""Factpipe: numeric claims from news, with exact provenance, resolved into facts and conflicts."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("factpipe")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.1.0"
