"""`python -m ddbload ...`: the same command line as `ddbload`."""

import sys

from .cli import main

sys.exit(main())
