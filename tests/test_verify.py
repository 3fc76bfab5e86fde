"""`python -m binary_gumbel.verify`: the table, the JSON record, and the exit status."""

from __future__ import annotations

import json
import subprocess
import sys

from binary_gumbel import verify
from binary_gumbel.derivation import CLAIM_IDS, verify_claim

KEYS = {"id", "statement", "verdict", "evidence", "corrected", "corrected_verdict", "typos"}
VERDICTS = {"holds", "holds in distribution", "fails"}


def test_cli_json():
    done = subprocess.run(
        [sys.executable, "-m", "binary_gumbel.verify", "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    claims = json.loads(done.stdout)["claims"]
    assert [c["id"] for c in claims] == list(CLAIM_IDS)
    for claim in claims:
        assert set(claim) == KEYS
        assert claim["verdict"] in VERDICTS
        assert claim["verdict"] == verify_claim(claim["id"]).verdict
        assert claim["evidence"]["summary"]
        if claim["verdict"] == "fails":
            assert claim["corrected"] and claim["corrected_verdict"] in VERDICTS
        else:
            assert claim["corrected"] is None and claim["corrected_verdict"] is None


def test_table(capsys):
    assert verify.main([]) == verify.EXIT_OK
    out = capsys.readouterr().out
    header, rule = out.splitlines()[:2]
    assert header.split(" | ")[0].strip() == "id" and set(rule) <= {"-", "+"}
    for claim_id in CLAIM_IDS:
        assert f"\n{claim_id} " in out
        assert verify_claim(claim_id).verdict in out


def test_a_check_that_cannot_run_gives_exit_2(capsys, monkeypatch):
    def broken(claim_id):
        if claim_id == "step-2":
            raise RuntimeError("simulated failure")
        return verify_claim(claim_id)

    monkeypatch.setattr(verify, "verify_claim", broken)
    assert verify.main(["--json"]) == verify.EXIT_COULD_NOT_RUN
    claims = {c["id"]: c for c in json.loads(capsys.readouterr().out)["claims"]}
    assert claims["step-2"]["verdict"] is None
    assert "simulated failure" in claims["step-2"]["evidence"]["summary"]
    assert claims["step-1"]["verdict"] in VERDICTS
    assert verify.main([]) == verify.EXIT_COULD_NOT_RUN
    assert "COULD NOT RUN" in capsys.readouterr().out
