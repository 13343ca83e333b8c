"""Commands that stay on this machine: `ddbload serve` (the offline endpoint) and `ddbload install-script`."""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path
from typing import Any

from .. import _engine
from .common import EXIT_OK, Fail, stop_on_sigterm

MAX_SERVE_THREADS = 256
WORKSHOP_SCRIPT = Path(__file__).parents[1] / "workshop" / "ddb_load_tester.py"
WORKSHOP_MARKER = "Installed by ddbload"


def add_commands(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the offline endpoint (throttles like DynamoDB) in the foreground")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on, 0 = any free one (default: 8000)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, loopback)")
    serve.add_argument("--threads", type=int, default=1, help=f"server threads, 1 to {MAX_SERVE_THREADS} (default: 1)")
    serve.add_argument("--region", default="us-east-1", help="region in ARNs (default: us-east-1)")
    serve.set_defaults(handler=cmd_serve)

    install = commands.add_parser("install-script", help="copy the workshop's ddb_load_tester.py into a folder")
    install.add_argument("directory", help="folder to put ddb_load_tester.py in (created if missing)")
    install.set_defaults(handler=cmd_install_script)


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise Fail(f"--port must be between 0 and 65535, got {args.port}")
    if not 1 <= args.threads <= MAX_SERVE_THREADS:
        raise Fail(f"--threads must be between 1 and {MAX_SERVE_THREADS}, got {args.threads}")
    try:
        emulator = _engine.Emulator(host=args.host, port=args.port, threads=args.threads, region=args.region)
    except OSError as e:
        raise Fail(f"--port: {e}") from None
    stop_on_sigterm()
    print(f"ddbload offline endpoint on {emulator.url} (Ctrl-C stops it)", flush=True)
    print(f"  try: ddbload run --endpoint-url {emulator.url} --create-tables --seed-products 1000", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    print("stopped", flush=True)
    return EXIT_OK


def cmd_install_script(args: argparse.Namespace) -> int:
    folder = Path(args.directory).expanduser()
    target = folder / WORKSHOP_SCRIPT.name
    if folder.exists() and not folder.is_dir():
        raise Fail(f"install-script: {folder} is not a folder")
    if target.exists() and WORKSHOP_MARKER not in target.read_text(encoding="utf-8", errors="replace"):
        raise Fail(f"install-script: {target} exists and was not installed by ddbload; refusing to overwrite it")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(WORKSHOP_SCRIPT, target)
    target.chmod(0o755)
    print(f"Installed {target}\nRun it with: python {target} --threads 20 --minutes 5")
    return EXIT_OK
