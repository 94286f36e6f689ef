"""``guanxi analytics fit`` on files: the CDNOW sample, Chinese and English CSVs, and the
one-line errors a person gets for bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

CDNOW = Path(__file__).parent / "data" / "CDNOW_sample.txt"


def fit(*args: str) -> str:
    out = StringIO()
    call_command("analytics", "fit", *args, stdout=out)
    return out.getvalue()


def test_cdnow_file_prints_the_published_parameters():
    text = fit("--transactions", str(CDNOW), "--until", "1997-09-30")
    assert "Customers           2,357" in text
    assert "Repeat customers    946 (40.1%)" in text
    assert "r=0.2426  alpha=4.4136  a=0.7929  b=2.4259  LL=-9582.43" in text
    assert "r=0.5533  alpha=10.5777  s=0.6062  beta=11.6687  LL=-9594.98" in text
    assert "p=6.2496  q=3.7442  gamma=15.4435  LL=-4055.92" in text
    assert "Pearson 0.114, Spearman 0.206 — within the threshold 0.30" in text
    assert "Top 20% share" in text and "CLV 12 months" in text


def test_cdnow_as_json():
    result = json.loads(fit("--transactions", str(CDNOW), "--until", "19970930", "--json",
                            "--margin", "0.3", "--months", "24"))
    assert result["customers"] == 2357
    assert result["transactions"] == 4960  # up to 30 September 1997, of 6,919
    assert round(result["bgnbd"]["alpha"], 3) == 4.414
    assert round(result["paretonbd"]["beta"], 3) == 11.669
    assert round(result["gammagamma"]["q"], 2) == 3.74
    assert result["spend_frequency"]["flagged"] is False
    assert result["clv"]["months"] == 24 and result["clv"]["margin"] == 0.3
    assert 0 < result["clv"]["mean"] < result["revenue"] / result["customers"]


def write_transactions(path: Path, header: list[str], rows: list[list[str]], *,
                       encoding: str = "utf-8", delimiter: str = ",") -> Path:
    lines = [delimiter.join(header)] if header else []
    lines += [delimiter.join(row) for row in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def shop_rows(date_format: str = "%Y-%m-%d", n: int = 80) -> list[list[str]]:
    """n customers, most buying several times in 2025."""
    rng = np.random.default_rng(3)
    start = np.datetime64("2025-01-01")
    rows = []
    for c in range(n):
        first = int(rng.integers(0, 120))
        days = first + np.cumsum(np.r_[0, rng.exponential(40, int(rng.integers(0, 6)))])
        for d in days[days < 365].astype(int):
            date = (start + d).item().strftime(date_format)
            rows.append([f"C{c:03d}", date, f"{rng.gamma(3, 40):.2f}"])
    return rows


def test_chinese_headers_in_gb18030_with_semicolons(tmp_path):
    path = write_transactions(tmp_path / "订单.csv", ["客户编号", "下单日期", "实付金额"],
                              shop_rows("%Y年%m月%d日"), encoding="gb18030", delimiter=";")
    text = fit("--transactions", str(path), "--freq", "D")
    assert "customer: 客户编号, date: 下单日期, amount: 实付金额" in text
    assert "Customers           80" in text
    assert "time unit: day" in text


def test_english_headers_with_bom_flags_and_slashed_dates(tmp_path):
    rows = [[r[0], "x", r[1], r[2]] for r in shop_rows("%Y/%m/%d")]
    path = write_transactions(tmp_path / "orders.csv", ["Client", "Note", "When", "Total"],
                              rows, encoding="utf-8-sig")
    result = json.loads(fit("--transactions", str(path), "--date-col", "When",
                            "--amount-col", "4", "--json"))
    assert result["columns"] == {"customer": "Client", "date": "When", "amount": "Total"}
    assert result["customers"] == 80 and result["repeat_customers"] > 20


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("customer,date,amount\n", "the file has a header but no transactions"),
        ("foo,bar,baz\nx,y,z\n", "cannot find the customer, date, amount column"),
        ("customer,date,amount\na,2025-01-01,5\nb,2025-01-02,-3\nc,2025-01-03,4\n"
         "d,2025-01-04,-1\n", "negative amounts on rows 3, 5"),
        ("customer,date,amount\na,2025-01-01,5\nb,yesterday,3\n", "unreadable dates on row 3"),
        ("customer,date,amount\na,2025-01-01,5\nb,2025-01-02,five\n",
         "unreadable amounts on row 3"),
        ("customer,date,amount\na,2025-01-01,5\na,2025-02-01,7\n", "only one customer"),
        ("customer,date,amount\na,2025-01-01,5\nb,2025-02-01,7\nb,2025-02-01,1\n",
         "no customer bought on two different days"),
        ("customer,date,amount\na,2025-01-01,5\na,2025-02-01,0\nb,2025-01-01,5\n",
         "every repeat purchase has a zero amount"),
    ],
)
def test_bad_files_give_one_clear_line(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        fit("--transactions", str(path))
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_bad_flags_and_missing_file(tmp_path):
    path = write_transactions(tmp_path / "t.csv", ["customer", "date", "amount"], shop_rows())
    with pytest.raises(CommandError, match="no column 'kunde' for the customer"):
        fit("--transactions", str(path), "--customer-col", "kunde")
    with pytest.raises(CommandError, match="--until 'soon' is not a date"):
        fit("--transactions", str(path), "--until", "soon")
    with pytest.raises(CommandError, match="no transactions on or before 2000-01-01"):
        fit("--transactions", str(path), "--until", "2000-01-01")
    with pytest.raises(CommandError, match="cannot read"):
        fit("--transactions", str(tmp_path / "missing.csv"))
    path.write_bytes(b"\xff\xfe\x00\x00garbage\x81")
    with pytest.raises(CommandError, match="neither UTF-8 nor GB18030"):
        fit("--transactions", str(path))


def test_the_command_line_exits_non_zero_without_a_traceback(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "analytics", "fit",
         "--transactions", str(path)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == "CommandError: the file is empty"


def guanxi_command(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "guanxi.cli", "analytics", "fit", *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})},
        cwd=settings.BASE_DIR,
    )


def test_the_guanxi_command_fits_without_setting_django_up(tmp_path):
    """The engine needs no settings: with settings that cannot even be imported the command
    still fits, and bad input is the same one line as through Django."""
    path = write_transactions(tmp_path / "t.csv", ["customer", "date", "amount"], shop_rows())
    broken = {"DJANGO_SETTINGS_MODULE": "no.such.settings"}
    done = guanxi_command("--transactions", str(path), "--models", "bgnbd", env=broken)
    assert done.returncode == 0, done.stderr
    assert "BG/NBD" in done.stdout and "Customers           80" in done.stdout
    assert "Pareto/NBD" not in done.stdout and "Gamma-Gamma" not in done.stdout
    assert "CLV" not in done.stdout  # needs the spend model too
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    done = guanxi_command("--transactions", str(empty), env=broken)
    assert done.returncode == 1
    assert done.stderr.strip() == "CommandError: the file is empty"


def test_models_fits_only_those_asked_for(tmp_path):
    path = write_transactions(tmp_path / "t.csv", ["customer", "date", "amount"], shop_rows())
    result = json.loads(fit("--transactions", str(path), "--models", "gg,bgnbd", "--json"))
    assert {"bgnbd", "gammagamma", "clv"} <= result.keys()
    assert "paretonbd" not in result
    with pytest.raises(CommandError, match="--models 'bgnbd,clv': choose from bgnbd, pnbd, gg"):
        fit("--transactions", str(path), "--models", "bgnbd,clv")


def test_a_plain_utf8_file_reads_as_the_same_file_in_gb18030(tmp_path):
    """UTF-8 with commas is read column-wise, GB18030 row by row: the figures agree, with
    yuan signs, thousands separators, times after the dates and padded cells alike."""
    rows = [[f" {c} ", f"{d} 10:3{i % 10}", f"¥{float(a) * 20:,.2f}"]
            for i, (c, d, a) in enumerate(shop_rows())]
    header = ["客户编号", "下单日期", "实付金额"]
    fast = write_transactions(tmp_path / "utf8.csv", header, rows, delimiter=";")
    slow = write_transactions(tmp_path / "gb.csv", header, rows, encoding="gb18030",
                              delimiter=";")
    one, two = (json.loads(fit("--transactions", str(p), "--json")) for p in (fast, slow))
    one.pop("file"), two.pop("file")
    assert one == two
    assert one["customers"] == 80 and one["revenue"] > 100_000


def test_a_bad_value_deep_in_a_large_file_is_found_with_its_row(tmp_path):
    rows = shop_rows(n=400)
    rows[-2][2] = "12.5O"
    path = write_transactions(tmp_path / "t.csv", ["customer", "date", "amount"], rows)
    with pytest.raises(CommandError, match=f"unreadable amounts on row {len(rows)}$"):
        fit("--transactions", str(path))
