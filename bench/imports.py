"""``guanxi bench --only import`` (20,000 then 1,000,000 rows) or ``--import-rows N``: import
a generated customer CSV (Chinese headers, registration ids, mobiles, e-mails, contacts,
addresses; 1 % bad rows and 0.5 % duplicates inside the file) through the import service —
validation, duplicate checks, search index, timeline and audit included — and report the time
of each step, rows per second, that every row is accounted for, and the load average.

Each run's rows are new customers (numbered after the highest customer id), so runs can
follow each other on one database."""

from __future__ import annotations

import csv
import json
import os
import platform
import resource
import time
from pathlib import Path

from django.db import connection
from django.db.models import Max
from stdnum.cn import uscc

from guanxi.accounts.models import Role, User
from guanxi.customers.models import Account
from guanxi.integrations.services import imports

HEADER = ["客户名称", "统一社会信用代码", "电话", "邮箱", "行业", "联系人", "联系人手机", "省份",
          "城市", "地址", "标签"]
CITIES = [("上海", "上海市"), ("浙江", "杭州市"), ("广东", "深圳市"), ("北京", "北京市"),
          ("江苏", "苏州市"), ("四川", "成都市"), ("湖北", "武汉市"), ("山东", "青岛市")]
WORDS = ["华新", "明珠", "东方", "宏达", "金桥", "天成", "远大", "恒通", "瑞丰", "中联", "博远",
         "鑫源", "嘉禾", "永安", "海纳", "新锐"]
TRADES = ["机电", "科技", "贸易", "电子", "物流", "材料", "软件", "医疗"]
INDUSTRIES = ["制造业", "IT and software", "Retail and wholesale", "物流", "能源与公用事业"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
            "155", "156", "157", "158", "159", "180", "181", "182", "183", "186", "187", "188"]


def _uscc(n: int) -> str:
    body = f"91{310000 + n % 90000:06d}MA{n:08X}"[:17]
    return body + uscc.calc_check_digit(body)


def _name(n: int) -> str:
    city = CITIES[n % len(CITIES)][1]
    return f"{city[:-1]}{WORDS[n % 16]}{TRADES[(n // 16) % 8]}{n}号有限公司"


def generate(path: Path, rows: int, start: int = 0) -> tuple[int, int]:
    """Write the file of customers ``start + 1`` … ``start + rows``; returns (bad rows,
    duplicate rows) planted in it."""
    bad = dup = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for n in range(start + 1, start + rows + 1):
            province, city = CITIES[n % len(CITIES)]
            name = _name(n)
            phone = f"{PREFIXES[n % len(PREFIXES)]}{n:08d}"
            reg = _uscc(n)
            if n % 100 == 17:
                phone, bad = "12345", bad + 1
            elif n % 200 == 33:
                name, reg, dup = _name(n - 1), "", dup + 1  # the row above, again
            contact = SURNAMES[n % 20] + GIVEN[(n // 20) % 20]
            w.writerow([name, reg, phone, f"c{n}@example{n % 100}.cn", INDUSTRIES[n % 5],
                        contact, f"{PREFIXES[(n + 7) % len(PREFIXES)]}{n + 50_000_000:08d}",
                        province, city, f"{WORDS[n % 16]}路{n % 999 + 1}号", "导入"])
    return bad, dup


def _importer() -> User:
    user = User.objects.filter(username="bench_importer").first()
    if user is None:
        from guanxi.accounts.models import UserRole

        user = User.objects.create_user("bench_importer", password=None,
                                        display_name="Bench importer")
        UserRole.objects.create(user=user, role=Role.MANAGER)
    return user


def run(rows: int, batch_size: int, directory: Path) -> dict:
    start = Account.objects.aggregate(m=Max("id"))["m"] or 0
    path = directory / f"bench-import-{rows}-{start}.csv"
    load_before = _load()
    t0 = time.perf_counter()
    if not path.exists():
        generate(path, rows, start)
    t1 = time.perf_counter()
    user = _importer()
    before = Account.objects.count()
    with path.open("rb") as f:
        job = imports.create_job(user, "customers", iter(lambda: f.read(1 << 20), b""),
                                 path.name, policy="skip", enqueue=False, any_size=True)
    job = imports.read(job.pk)
    if batch_size:
        job.batch_size = batch_size
        job.save(update_fields=["batch_size"])
    imports.confirm(user, job, job.version, enqueue=False)
    t2 = time.perf_counter()
    cpu2 = _cpu()
    job = imports.run(job.pk)
    t3 = time.perf_counter()
    cpu = _cpu() - cpu2
    path.unlink()
    return {
        "database": connection.vendor, "rows": rows, "batch_size": job.batch_size,
        "customers_before": before, "customers_after": Account.objects.count(),
        "imported": job.imported, "updated": job.updated, "skipped": job.skipped,
        "rejected": job.rejected, "all_accounted_for": job.done_rows == rows == job.total,
        "status": job.status, "seconds_generate_file": round(t1 - t0, 1),
        "seconds_upload_detect_count": round(t2 - t1, 1), "seconds_import": round(t3 - t2, 1),
        "rows_per_second": round(rows / (t3 - t2)),
        # CPU moves much less with the machine's load than wall time does (the database
        # server's own CPU is not counted on PostgreSQL).
        "cpu_seconds_import": round(cpu, 1), "cpu_ms_per_row": round(cpu * 1000 / rows, 3),
        "load_average_before": load_before,
        "load_average_after": _load(), "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def _cpu() -> float:
    """User + system seconds of this process and its finished children (cleaning workers)."""
    me, children = (resource.getrusage(who) for who in
                    (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(stdout, rows: list[int], batch_size: int, directory: Path, as_json: bool) -> None:
    results = [run(n, batch_size, directory) for n in rows]
    if as_json:
        stdout.write(json.dumps(results if len(results) > 1 else results[0],
                                ensure_ascii=False, indent=2))
        return
    for result in results:
        for key, value in result.items():
            stdout.write(f"{key:>28}: {value}")
        stdout.write("")
    stdout.write(f"{'database':<12}{'rows':>11}{'seconds':>9}{'rows/s':>9}{'CPU ms/row':>11}"
                 "  load average (1, 5, 15 min) before → after")
    for r in results:
        stdout.write(f"{r['database']:<12}{r['rows']:>11,}{r['seconds_import']:>9}"
                     f"{r['rows_per_second']:>9,}{r['cpu_ms_per_row']:>11}  "
                    f"{r['load_average_before']} → "
                     f"{r['load_average_after']}")
