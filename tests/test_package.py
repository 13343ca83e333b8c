"""The package as users get it from the wheel: command, version, help, workshop script, package data."""

from __future__ import annotations

import json
import os
from importlib import resources

import ddbload
from conftest import run_cli


def test_version_flag_prints_the_package_version():
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"ddbload {ddbload.__version__}"


def test_help_lists_every_option_with_its_default_and_the_workshop_example():
    proc = run_cli("run", "--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    for option in (
        "--threads", "--minutes", "--duration", "--region", "--profile", "--endpoint-url", "--products-table",
        "--orders-table", "--create-tables", "--seed-products", "--read-ratio", "--output", "--seed",
    ):  # fmt: skip
        assert option in text, option
    assert "(default: us-east-1)" in text and "(default: 20)" in text
    assert "python ddb_load_tester.py --threads 20 --minutes 5" in text


def test_the_schema_and_the_workshop_script_ship_in_the_wheel():
    schema = json.loads(resources.files("ddbload").joinpath("schema/result.schema.json").read_text())
    assert schema["properties"]["schema_version"]["const"] == 1
    assert resources.files("ddbload").joinpath("workshop/ddb_load_tester.py").is_file()


def test_install_script_copies_the_wrapper_and_never_overwrites_a_foreign_file(tmp_path):
    folder = tmp_path / "home" / "ec2-user" / "ddb"
    first = run_cli("install-script", str(folder))
    assert first.returncode == 0, first.stderr
    script = folder / "ddb_load_tester.py"
    assert os.access(script, os.X_OK)
    assert "ddbload.cli" in script.read_text()
    assert run_cli("install-script", str(folder)).returncode == 0, "re-installing its own file is allowed"

    script.write_text("print('my own tester')\n")
    refused = run_cli("install-script", str(folder))
    assert refused.returncode == 2
    assert "refusing to overwrite" in refused.stderr
    assert script.read_text() == "print('my own tester')\n"


def test_the_installed_wrapper_answers_help(workshop_script):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, str(workshop_script), "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert "--threads" in proc.stdout


def test_the_wrapper_run_by_a_python_without_ddbload_says_how_to_install_it(workshop_script):
    import subprocess
    import sys

    # -S: no site-packages, as a Python that never had the wheel installed.
    proc = subprocess.run(
        [sys.executable, "-S", str(workshop_script), "--threads", "20", "--minutes", "5"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "does not have ddbload installed" in proc.stderr and "-m pip install ./ddbload-*.whl" in proc.stderr
