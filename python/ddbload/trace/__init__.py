"""Production traffic as CloudTrail recorded it: reading traces (`read.py`) and their statistics (`stats.py`)."""
