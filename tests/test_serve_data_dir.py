"""`ddbload serve --data-dir`: a rehearsal's tables and every order it wrote are there after the endpoint
is stopped (Ctrl-C) and started again on the same directory, as DynamoDB Local's -dbPath keeps them."""

from __future__ import annotations

import json
import signal

import ddbload
from conftest import client_for, refusal, run_cli, scan_all, start_serve


def stop_with_ctrl_c(server) -> None:
    server.send_signal(signal.SIGINT)
    out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert out.endswith("stopped\n")


def test_a_rehearsals_tables_and_orders_are_there_after_a_restart(tmp_path):
    data = tmp_path / "tables"
    server, url = start_serve("--data-dir", str(data))
    result = tmp_path / "run.json"
    proc = run_cli(
        "run", "--endpoint-url", url, "--products-table", "kept-products", "--orders-table", "kept-orders",
        "--create-tables", "--seed-products", "200", "--rate", "300", "--duration", "2s", "--output", str(result),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    written = json.loads(result.read_text())["summary"]["writes"]["ok"]
    assert written > 0
    stop_with_ctrl_c(server)

    server, url = start_serve("--data-dir", str(data))
    try:
        dynamodb = client_for(url)
        assert sorted(dynamodb.list_tables()["TableNames"]) == ["kept-orders", "kept-products"]
        assert len(scan_all(dynamodb, "kept-products")) == 200
        orders = scan_all(dynamodb, "kept-orders")
        assert len(orders) == written
        described = dynamodb.describe_table(TableName="kept-orders")["Table"]
        assert described["ItemCount"] == written
    finally:
        stop_with_ctrl_c(server)
    assert (data / "ddbload.redb").is_file()


def test_without_data_dir_nothing_is_kept(tmp_path):
    server, url = start_serve()
    client_for(url).create_table(
        TableName="gone", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )  # fmt: skip
    stop_with_ctrl_c(server)
    server, url = start_serve()
    try:
        assert client_for(url).list_tables()["TableNames"] == []
    finally:
        stop_with_ctrl_c(server)


def test_a_file_or_a_directory_in_use_is_refused_in_one_line(tmp_path):
    not_a_dir = tmp_path / "notes.txt"
    not_a_dir.write_text("mine")
    line = refusal(run_cli("serve", "--port", "0", "--data-dir", str(not_a_dir)))
    assert line == f"ddbload: error: --data-dir: {not_a_dir} is not a directory"
    assert not_a_dir.read_text() == "mine"

    data = tmp_path / "busy"
    server, _ = start_serve("--data-dir", str(data))
    try:
        line = refusal(run_cli("serve", "--port", "0", "--data-dir", str(data)))
        assert (
            line
            == f"ddbload: error: --data-dir: cannot open {data / 'ddbload.redb'}: another ddbload serve has it open"
        )
    finally:
        stop_with_ctrl_c(server)


def test_the_python_api_finds_its_items_again_after_stop(tmp_path):
    """As a notebook uses it: ddbload.Emulator(data_dir=...), stopped and started again."""
    with ddbload.Emulator(data_dir=tmp_path / "nb") as server:
        dynamodb = client_for(server.url)
        dynamodb.create_table(
            TableName="carts", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )  # fmt: skip
        dynamodb.put_item(TableName="carts", Item={"pk": {"S": "c1"}, "total": {"N": "12.30"}})
        assert server.warnings == []
    with ddbload.Emulator(data_dir=tmp_path / "nb") as server:
        item = client_for(server.url).get_item(TableName="carts", Key={"pk": {"S": "c1"}})["Item"]
        assert item == {"pk": {"S": "c1"}, "total": {"N": "12.3"}}
