"""``python -m mockserver``: the same command line as ``salesplay-mock``."""

from mockserver.cli import main

raise SystemExit(main())
