"""``guanxi bench --only analytics-cli``: ``guanxi analytics fit`` on a transaction file, side by
side with the lifetimes library doing the same work on the same file.

The file (``--customers`` customers, about ``--transactions`` rows; 1,000,000 and 2,770,000 by
default) is drawn once from the engine's synthetic shop (``engine.benchmark``) and kept under
``var/bench/``. lifetimes is installed by the bench into its own virtual environment under
``var/bench/lifetimes-venv`` (never a dependency of Guanxi). Each side runs as its own process,
timed from start to exit: read the CSV, summarise per customer (purchases counted per day,
times in weeks), fit BG/NBD and Gamma-Gamma. The sides alternate ``--rounds`` times; the best
time of each is compared, and the fitted parameters must agree within 1%.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import TextIO

import numpy as np

LIFETIMES = "lifetimes==0.11.3"
TOLERANCE = 0.01

# The lifetimes side: what a data scientist would write with pandas and lifetimes.
LIFETIMES_SCRIPT = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
started = time.perf_counter()
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

path, until = sys.argv[1], sys.argv[2]
times = {}
t = time.perf_counter()
df = pd.read_csv(path, parse_dates=["date"])
times["read"] = time.perf_counter() - t
t = time.perf_counter()
s = summary_data_from_transaction_data(df, "customer", "date", monetary_value_col="amount",
                                       observation_period_end=until, freq="D",
                                       freq_multiplier=7)
times["summary"] = time.perf_counter() - t
t = time.perf_counter()
bg = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
times["bgnbd"] = time.perf_counter() - t
t = time.perf_counter()
repeat = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
gg = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
times["gammagamma"] = time.perf_counter() - t
times["in process"] = time.perf_counter() - started
print(json.dumps({"times": times, "customers": len(s),
                  "bgnbd": {k: float(bg.params_[k]) for k in ("r", "alpha", "a", "b")},
                  "gammagamma": {"p": float(gg.params_["p"]), "q": float(gg.params_["q"]),
                                 "gamma": float(gg.params_["v"])}}))
"""


def transaction_file(var_dir: Path, customers: int, transactions: int,
                     say: callable) -> tuple[Path, str]:
    """The CSV (customer,date,amount), written once per size, and its last date."""
    from guanxi.analytics.engine.benchmark import synthetic_transactions

    folder = var_dir / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"transactions-{customers}-{transactions}.csv"
    last = path.with_suffix(".until")
    if path.exists() and last.exists():
        return path, last.read_text().strip()
    customer, dates, amounts, _costs = synthetic_transactions(customers, transactions, seed=17)
    until = str(dates.max())
    started = time.perf_counter()
    order = np.argsort(dates.astype(np.int64), kind="stable")  # a shop's log: by date
    ids = np.char.add("C", np.char.zfill(customer[order].astype(str), 7))
    lines = np.char.add(np.char.add(np.char.add(ids, ","), dates[order].astype(str)),
                        np.char.add(",", np.char.mod("%.2f", amounts[order])))
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as f:
        f.write("customer,date,amount\n")
        f.write("\n".join(lines.tolist()))
        f.write("\n")
    partial.rename(path)
    last.write_text(until)
    say(f"  wrote {len(lines):,} transactions of {customers:,} customers to {path} "
        f"in {time.perf_counter() - started:.0f} s")
    return path, until


def lifetimes_python(var_dir: Path, say: callable) -> Path:
    """A virtual environment with lifetimes (and pandas), made once and kept."""
    venv = var_dir / "bench" / "lifetimes-venv"
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.exists() and marker.read_text() == LIFETIMES:
        return python
    say(f"  installing {LIFETIMES} into {venv} …")
    uv = Path(sys.executable).parent / "uv"
    tools_uv = Path(__file__).resolve().parent.parent / ".tools" / "bin" / "uv"
    uv_bin = next((str(p) for p in (uv, tools_uv) if p.exists()), None)
    if uv_bin:
        subprocess.run([uv_bin, "venv", "-q", "--allow-existing", "-p", sys.executable,
                        str(venv)], check=True)
        subprocess.run([uv_bin, "pip", "install", "-q", "-p", str(python), LIFETIMES],
                       check=True)
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", LIFETIMES], check=True)
    marker.write_text(LIFETIMES)
    return python


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], *, check: bool = True) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one run, and what it printed. Both sides run from compiled
    bytecode, as an installed program does (the warm-up wrote it)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(command, capture_output=True, text=True,
                          env={**env, "PYTHONWARNINGS": "ignore"})
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    if not check:
        return seconds, cpu, {}
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")
    return seconds, cpu, json.loads(done.stdout)


def _warm_up_file(path: Path) -> Path:
    small = path.with_name("transactions-warm-up.csv")
    with path.open(encoding="utf-8") as big, small.open("w", encoding="utf-8") as f:
        for _, line in zip(range(5_000), big, strict=False):
            f.write(line)
    return small


def _worst_difference(ours: dict, theirs: dict) -> float:
    worst = 0.0
    for model in ("bgnbd", "gammagamma"):
        for name, value in theirs[model].items():
            worst = max(worst, abs(ours[model][name] - value) / abs(value))
    return worst


def main(var_dir: Path, customers: int, transactions: int, rounds: int, *, out: TextIO,
         err: TextIO, as_json: bool = False) -> dict:
    def say(message: str) -> None:
        err.write(message)

    path, until = transaction_file(var_dir, customers, transactions, say)
    python = lifetimes_python(var_dir, say)
    script = Path(sys.executable).parent / "guanxi"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "guanxi.cli"]

    def guanxi(file: Path) -> list[str]:
        return [*program, "analytics", "fit", "--transactions", str(file), "--until", until,
                "--models", "bgnbd,gg", "--json"]

    def theirs_cmd(file: Path) -> list[str]:
        return [str(python), "-c", LIFETIMES_SCRIPT, str(file), until]

    # The warm-up only loads each program's modules (a small sample may not even converge).
    small = _warm_up_file(path)
    _timed(guanxi(small), check=False)
    _timed(theirs_cmd(small), check=False)
    ours_s, theirs_s, ours_cpu, theirs_cpu = [], [], [], []
    ours = theirs = {}
    for n in range(rounds):
        seconds, cpu, ours = _timed(guanxi(path))
        ours_s.append(seconds)
        ours_cpu.append(cpu)
        say(f"  round {n + 1}: guanxi {seconds:.2f} s (CPU {cpu:.2f} s)")
        seconds, cpu, theirs = _timed(theirs_cmd(path))
        theirs_s.append(seconds)
        theirs_cpu.append(cpu)
        say(f"  round {n + 1}: lifetimes {seconds:.2f} s (CPU {cpu:.2f} s; in process: "
            f"{', '.join(f'{k} {v:.1f}' for k, v in theirs['times'].items())})")
    worst = _worst_difference(ours, theirs)
    result = {
        "file": str(path), "customers": ours["customers"],
        "transactions": ours["transactions_in_file"],
        "guanxi_s": round(min(ours_s), 2), "lifetimes_s": round(min(theirs_s), 2),
        "ratio": round(min(ours_s) / min(theirs_s), 3),
        "guanxi_cpu_s": round(min(ours_cpu), 2), "lifetimes_cpu_s": round(min(theirs_cpu), 2),
        "cpu_ratio": round(min(ours_cpu) / min(theirs_cpu), 3),
        "guanxi": {m: {k: v for k, v in ours[m].items() if k in theirs[m]}
                   for m in ("bgnbd", "gammagamma")},
        "lifetimes": {m: theirs[m] for m in ("bgnbd", "gammagamma")},
        "largest_parameter_difference": round(worst, 5),
        "parameters_agree": worst <= TOLERANCE,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if as_json:
        out.write(json.dumps(result, indent=2))
        return result
    out.write(f"guanxi analytics fit vs lifetimes {LIFETIMES.split('==')[1]}: "
              f"{result['customers']:,} customers, {result['transactions']:,} transactions, "
              f"best of {rounds}")
    out.write(f"  {'guanxi (read, summary, BG/NBD, Gamma-Gamma)':<48}{result['guanxi_s']:>8.2f} s")
    out.write(f"  {'lifetimes (the same)':<48}{result['lifetimes_s']:>8.2f} s")
    out.write(f"  {'ratio guanxi / lifetimes':<48}{result['ratio']:>8.3f}  (target ≤ 0.25)")
    out.write(f"  {'CPU seconds: guanxi, lifetimes, ratio':<48}{result['guanxi_cpu_s']:>8.2f} "
              f"{result['lifetimes_cpu_s']:>8.2f} {result['cpu_ratio']:>8.3f}")
    for model in ("bgnbd", "gammagamma"):
        ours_p = "  ".join(f"{k}={v:.4f}" for k, v in result["guanxi"][model].items())
        theirs_p = "  ".join(f"{k}={v:.4f}" for k, v in result["lifetimes"][model].items())
        out.write(f"  {model:<11} guanxi    {ours_p}")
        out.write(f"  {'':<11} lifetimes {theirs_p}")
    out.write(f"  largest parameter difference {worst:.3%} "
              f"({'within' if result['parameters_agree'] else 'OUTSIDE'} 1%)")
    out.write(f"  load average {' '.join(map(str, result['load_average']))}")
    return result
