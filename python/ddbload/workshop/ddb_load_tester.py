#!/usr/bin/env python3
"""Workshop entry point: `python ddb_load_tester.py --threads 20 --minutes 5` runs `ddbload run`."""
# Installed by ddbload (`ddbload install-script DIR`); ddbload may replace this file, so edit a copy.

import sys

try:
    from ddbload.cli import main
except ImportError:
    sys.exit(
        f"{sys.argv[0]}: this Python ({sys.executable}) does not have ddbload installed. Install the wheel\n"
        f"you built or were given with it:  {sys.executable} -m pip install ./ddbload-*.whl"
    )

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
