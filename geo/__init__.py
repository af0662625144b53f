"""claimmap's domain engine: data, gazetteer, claims and their analysis."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("claimmap")
except PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "unknown"
