#!/usr/bin/env python3
"""Workshop entry point: `python ddb_load_tester.py --threads 20 --minutes 5` runs `ddbload run`."""
# Installed by ddbload (`ddbload install-script DIR`); ddbload may replace this file, so edit a copy.

import sys

from ddbload.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
