"""salesplay-mock: SalesPlay POS's side of the webhook wire, on your laptop or in CI."""

__all__ = ["__version__"]

try:  # written at build time from the git tag (pyproject.toml's [tool.hatch.build.hooks.vcs])
    from mockserver._version import __version__
except ImportError:  # a source tree never built nor installed: say so rather than guess
    __version__ = "0+unknown"
