"""An analysis whose process is killed with SIGKILL mid-run stops blocking new runs once its
lease runs out, and the next run says what happened to it."""

from __future__ import annotations

import signal

import pytest

from guanxi.core.tests.processes import SharedDatabase

RUN = "SELECT id, status, error FROM analytics_analysisrun ORDER BY id DESC"


@pytest.mark.django_db(transaction=True)
def test_a_killed_run_is_failed_and_a_new_one_runs(shop, tmp_path):
    shared = SharedDatabase(tmp_path, GUANXI_LANGUAGE="en")
    proc = shared.run("analytics", "run", "--until", "2026-06-30", GUANXI_LEASE_SECONDS="2")
    shared.wait_for("SELECT COUNT(*) FROM analytics_analysisrun WHERE status = 'running'",
                    lambda row: bool(row and row[0]), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    killed = shared.one(RUN)
    assert killed[1] == "running"

    shared.wait_for("SELECT lease_until < CURRENT_TIMESTAMP FROM analytics_analysisrun",
                    lambda row: bool(row and row[0]), timeout=10)
    again = shared.run("analytics", "run", "--until", "2026-06-30")
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    # The killed run is the one before the new one.
    status, error = shared.one("SELECT status, error FROM analytics_analysisrun "
                               "ORDER BY id DESC LIMIT 1 OFFSET 1")
    assert status == "failed"
    assert error.startswith("Interrupted: the process computing this run stopped")
    assert shared.one("SELECT COUNT(*) FROM analytics_analysisrun WHERE status = 'done' "
                      "AND is_current")[0] == 1
    assert "5 customers" in out
