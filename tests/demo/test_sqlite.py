"""The demo runs on SQLite (`make run` without DATABASE_URL): its migrations apply there,
and a sale whose promo-code shares have kopecks passes the money check constraints, which
SQLite evaluates on binary floats (a plain equality refused 1600 − 310.80 = 1289.20)."""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("sqlite_sale.py")


def test_the_demo_database_migrates_and_sells_with_a_fixed_promo_code(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    sale = json.loads(result.stdout.strip().splitlines()[-1])
    assert sale["total"] == "3223.00"
    assert sale["tickets"] == [
        ["1600.00", "310.80", "1289.20"],
        ["1100.00", "213.68", "886.32"],
        ["1300.00", "252.52", "1047.48"],
    ]
