"""ddbload in a real Jupyter kernel (nbclient driving ipykernel, as a notebook does): awaiting a run
shows one progress output that updates in place - not a line per second, not a widget warning."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

SETUP = """
import os
os.environ.update(AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local")
import ddbload
emulator = ddbload.Emulator()
config = ddbload.LoadConfig(endpoint_url=emulator.url, create_tables=True, seed_products=500, threads=4,
                            duration="3s", products_table="nb-products", orders_table="nb-orders")
"""
RUN = """
result = await ddbload.run_async(config)
result.reads["ok"]
"""


def test_awaiting_a_run_in_a_notebook_updates_one_progress_output_in_place():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(RUN)])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = notebook.cells[1].outputs
    shown = [o for o in outputs if o.output_type == "display_data"]
    streams = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert len(shown) == 1, outputs
    progress = shown[0].data["text/plain"]
    assert "load: run" in progress and "seeding products 500/500" in progress
    assert progress.splitlines()[-2].split()[:3] == ["time", "reads/s", "writes/s"]
    assert progress.splitlines()[-1].split()[0].endswith("s/3s")
    assert "ipywidgets" not in streams and "IProgress" not in streams, streams
    (result,) = [o for o in outputs if o.output_type == "execute_result"]
    assert int(result.data["text/plain"]) > 0
