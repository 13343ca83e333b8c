"""The baseline: a load test written the way the workshop's boto3 script is - 20 threads, one boto3
resource per thread, Decimal money, GetItem / PutItem in the same mix - printing its figures as JSON.
Usage: python bench/boto3_baseline.py ENDPOINT_URL SECONDS [THREADS] [READ_RATIO]"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
import uuid
from decimal import Decimal

import boto3


def worker(url: str, deadline: float, read_ratio: float, latencies: list[float], errors: list[int]) -> None:
    table = boto3.resource(
        "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    ).Table("Bench")
    rng = random.Random()
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            if rng.random() < read_ratio:
                table.get_item(Key={"id": f"p{rng.randint(1, 4)}"})
            else:
                quantity = rng.randint(1, 5)
                price = Decimal("19.99")
                table.put_item(
                    Item={"id": str(uuid.uuid4()), "quantity": quantity, "price": price, "total": price * quantity},
                    ConditionExpression="attribute_not_exists(id)",
                )
            latencies.append(time.perf_counter() - started)
        except Exception:
            errors.append(1)


def main() -> int:
    url, seconds = sys.argv[1], float(sys.argv[2])
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    read_ratio = float(sys.argv[4]) if len(sys.argv) > 4 else 0.8
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors: list[int] = []
    started = time.monotonic()
    pool = [
        threading.Thread(target=worker, args=(url, deadline, read_ratio, latencies, errors)) for _ in range(threads)
    ]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0

    print(
        json.dumps(
            {"ops": len(latencies), "errors": len(errors), "seconds": elapsed, "p50_ms": pct(0.5), "p99_ms": pct(0.99)}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
