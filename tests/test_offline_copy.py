"""`ddbload serve --copy-settings-from-aws`: an offline endpoint whose tables have production's keys,
indexes, capacity and auto scaling, seeded by a workload file. "Production" here is another `ddbload
serve` (it has Application Auto Scaling, which DynamoDB Local lacks); the copy is checked with
`capacity show --json`, as a user would look at it."""

from __future__ import annotations

import json

from conftest import client_for, refusal, run_cli, start_serve

ORDERS = """\
version: 1
tables:
  orders:
    table: CopiedOrders
    partition_key: {name: id, type: S}
    items: 30
    billing: {read: 7, write: 3}
    indexes:
      - name: by_status
        partition_key: {name: status, type: S}
        billing: {read: 4, write: 2}
    item:
      status: {choice: [OPEN, PAID]}
operations:
  - name: new_order
    weight: 1
    put: {table: orders}
"""


def shown(url: str) -> dict:
    proc = run_cli("capacity", "show", "--table", "CopiedOrders", "--json", "--endpoint-url", url)
    assert proc.returncode == 0, proc.stderr
    (table,) = json.loads(proc.stdout)
    return table


def test_copy_has_productions_keys_indexes_capacity_and_auto_scaling(tmp_path):
    file = tmp_path / "orders.yaml"
    file.write_text(ORDERS)
    production, prod_url = start_serve()
    copy = None
    try:
        made = run_cli("run", "--workload", str(file), "--create-tables", "--endpoint-url", prod_url,
                       "--rate", "1", "--duration", "1s", "--no-save")  # fmt: skip
        assert made.returncode == 0, made.stderr
        scaled = run_cli("capacity", "set", "--autoscale-min", "6/3", "--autoscale-max", "60/30", "--index",
                         "by_status=4/2", "--table", "CopiedOrders", "--endpoint-url", prod_url,
                         "--backup-dir", str(tmp_path))  # fmt: skip
        assert scaled.returncode == 0, scaled.stderr
        before = shown(prod_url)

        seeding = tmp_path / "seeding.yaml"  # production has 30 items; the copy gets the file's 12
        seeding.write_text(ORDERS.replace("items: 30", "items: 12"))
        copy, copy_url = start_serve("--copy-settings-from-aws", "--table", "CopiedOrders",
                                     "--aws-endpoint-url", prod_url, "--workload", str(seeding))  # fmt: skip
        copied = shown(copy_url)
        for key in ("billing_mode", "read_capacity_units", "write_capacity_units"):
            assert copied[key] == before[key], key
        strip = ("status",)
        assert [{k: v for k, v in i.items() if k not in strip} for i in copied["indexes"]] == [
            {k: v for k, v in i.items() if k not in strip} for i in before["indexes"]
        ]
        assert copied["autoscaling"]["targets"] == before["autoscaling"]["targets"]
        assert copied["autoscaling"]["policies"] == before["autoscaling"]["policies"]
        key_schema = client_for(copy_url).describe_table(TableName="CopiedOrders")["Table"]["KeySchema"]
        assert key_schema == [{"AttributeName": "id", "KeyType": "HASH"}]
        # Seeded by the workload's generators, not copied: production's items are never read.
        assert client_for(copy_url).scan(TableName="CopiedOrders", Select="COUNT")["Count"] == 12
        assert shown(prod_url) == before
    finally:
        for server in (copy, production):
            if server is not None:
                server.terminate()
                server.communicate(timeout=10)


def test_copy_flags_without_the_copy_are_refused():
    line = refusal(run_cli("serve", "--port", "0", "--table", "Orders"))
    assert "--copy-settings-from-aws" in line
    line = refusal(run_cli("serve", "--port", "0", "--copy-settings-from-aws"))
    assert "--table" in line
