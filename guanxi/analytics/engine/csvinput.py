"""Reading a transaction file: encoding, delimiter, header and column detection, dates and
amounts. Errors are ``InputError`` with one line a user can act on."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np


class InputError(ValueError):
    """Bad input: the message is one line, meant for the person who gave the file."""


CUSTOMER_NAMES = {
    "customer", "customerid", "customerno", "customercode", "customername", "client",
    "clientid", "account", "accountid", "custid", "buyer", "buyerid", "member", "memberid",
    "userid", "客户", "客户id", "客户编号", "客户代码", "客户名称", "客户名", "会员",
    "会员id", "会员编号", "买家", "用户id", "账户",
}
DATE_NAMES = {
    "date", "orderdate", "transactiondate", "purchasedate", "invoicedate", "datetime",
    "time", "timestamp", "createdat", "日期", "交易日期", "下单日期", "订单日期",
    "购买日期", "销售日期", "时间", "交易时间", "下单时间",
}
AMOUNT_NAMES = {
    "amount", "revenue", "value", "total", "sales", "spend", "monetary", "price",
    "ordertotal", "totalamount", "netamount", "金额", "销售额", "交易金额", "订单金额",
    "实付金额", "总额", "总金额", "收入", "销售金额", "成交金额",
}

_DATE = re.compile(r"^\s*(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[T\s].*)?$")
_NUMBER_JUNK = str.maketrans("", "", "¥￥$€£, \u00a0")


@dataclass(frozen=True)
class Transactions:
    customers: np.ndarray  # str, or int codes into ``names``
    dates: np.ndarray  # datetime64[D]
    amounts: np.ndarray  # float64
    columns: tuple[str, str, str]  # the columns used: customer, date, amount
    names: np.ndarray | None = None  # the customers' ids when ``customers`` holds codes


def _normalise(name: str) -> str:
    return re.sub(r"[\s_\-.()（）]", "", name.strip().lower())


def parse_date(text: str) -> np.datetime64 | None:
    """YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD, 2024年3月5日, with any time after."""
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    if len(month) + len(day) < 4 and not re.search(r"[-/.年]", text):
        return None  # "2024315" is ambiguous
    try:
        return np.datetime64(f"{year}-{int(month):02d}-{int(day):02d}", "D")
    except ValueError:
        return None


def parse_amount(text: str) -> float | None:
    try:
        value = float(text.translate(_NUMBER_JUNK))
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("the file is neither UTF-8 nor GB18030 text")


def _rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError("the file is empty")
    sample = "\n".join(lines[:50])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return [line.split() for line in lines]  # whitespace-separated, like CDNOW
    return [row for row in csv.reader(lines, dialect) if any(cell.strip() for cell in row)]


def _pick(
    header: list[str] | None, width: int, flag: str | None, names: set[str], what: str
) -> int | None:
    if flag:
        if flag.isdigit() and 1 <= int(flag) <= width:
            return int(flag) - 1
        if header:
            wanted = _normalise(flag)
            for i, name in enumerate(header):
                if _normalise(name) == wanted:
                    return i
        raise InputError(f"no column {flag!r} for the {what}")
    if header:
        for i, name in enumerate(header):
            if _normalise(name) in names:
                return i
    return None


def read_transactions(
    path: str | Path,
    *,
    customer_col: str | None = None,
    date_col: str | None = None,
    amount_col: str | None = None,
) -> Transactions:
    """Read a transaction file. Columns are named by header (English or Chinese), by flag
    (a header name or a 1-based column number), or, in a file without a header row, found
    by content: the date column is the one whose values are all dates, the amount the last
    numeric column after it, the customer the first other column.

    A plain UTF-8 file is read column-wise (``fast.read``); any other file, and any file
    with a bad value, is read row by row here, which words every message."""
    from guanxi.analytics.engine import fast

    quick = fast.read(path, customer_col=customer_col, date_col=date_col,
                      amount_col=amount_col)
    if quick is not None:
        return quick
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    rows = _rows(_decode(raw))
    header, cust_i, date_i, amount_i = find_columns(
        rows, customer_col=customer_col, date_col=date_col, amount_col=amount_col)
    data = rows[1:] if header else rows
    return _parse(data, 2 if header else 1, cust_i, date_i, amount_i, header)


def find_columns(
    rows: list[list[str]],
    *,
    customer_col: str | None,
    date_col: str | None,
    amount_col: str | None,
) -> tuple[list[str] | None, int, int, int]:
    """The header (None if the first row is data) and the customer, date and amount column
    positions, from the first rows of a file (all rows or a sample)."""
    first = rows[0]
    header = None if any(parse_date(cell) for cell in first) else first
    data = rows[1:] if header else rows
    if not data:
        raise InputError("the file has a header but no transactions")
    width = max(len(r) for r in data)
    cust_i = _pick(header, width, customer_col, CUSTOMER_NAMES, "customer")
    date_i = _pick(header, width, date_col, DATE_NAMES, "date")
    amount_i = _pick(header, width, amount_col, AMOUNT_NAMES, "amount")
    sample = data[:50]
    cells = lambda i: [r[i] if i < len(r) else "" for r in sample]  # noqa: E731
    if date_i is None:
        date_i = next((i for i in range(width) if all(parse_date(c) for c in cells(i))), None)
    if amount_i is None:
        numeric = [
            i for i in range(width)
            if i not in (date_i, cust_i) and all(parse_amount(c) is not None for c in cells(i))
        ]
        after = [i for i in numeric if date_i is None or i > date_i]
        amount_i = (after or numeric or [None])[-1]
    if cust_i is None and header is None:
        cust_i = next((i for i in range(width) if i not in (date_i, amount_i)), None)
    if cust_i is None or date_i is None or amount_i is None:
        missing = [
            what for what, i in (("customer", cust_i), ("date", date_i), ("amount", amount_i))
            if i is None
        ]
        raise InputError(
            "cannot find the " + ", ".join(missing) + " column; name it with "
            + ", ".join(f"--{m}-col" for m in missing)
        )
    return header, cust_i, date_i, amount_i


def _rows_message(kind: str, lines: list[int]) -> str:
    shown = ", ".join(map(str, lines[:10])) + (" …" if len(lines) > 10 else "")
    return f"{kind} on row{'s' if len(lines) > 1 else ''} {shown}"


def _parse(
    data: list[list[str]],
    first_line: int,
    cust_i: int,
    date_i: int,
    amount_i: int,
    header: list[str] | None,
) -> Transactions:
    need = max(cust_i, date_i, amount_i) + 1
    short = [first_line + n for n, r in enumerate(data) if len(r) < need]
    if short:
        raise InputError(_rows_message("missing values", short))
    customers = np.array([r[cust_i].strip() for r in data])
    date_text = np.array([r[date_i].strip() for r in data])
    amount_text = np.array([r[amount_i].strip() for r in data])
    # Parse each distinct text once: files repeat dates and amounts a lot.
    uniq, inverse = np.unique(date_text, return_inverse=True)
    parsed = [parse_date(t) for t in uniq]
    bad = np.array([p is None for p in parsed])[inverse]
    if bad.any():
        bad_rows = (np.flatnonzero(bad) + first_line).tolist()
        raise InputError(_rows_message("unreadable dates", bad_rows))
    dates = np.array(parsed, dtype="datetime64[D]")[inverse]
    uniq, inverse = np.unique(amount_text, return_inverse=True)
    values = np.array([np.nan if (v := parse_amount(t)) is None else v for t in uniq])[inverse]
    bad_rows = (np.flatnonzero(np.isnan(values)) + first_line).tolist()
    if bad_rows:
        raise InputError(_rows_message("unreadable amounts", bad_rows))
    negative = (np.flatnonzero(values < 0) + first_line).tolist()
    if negative:
        raise InputError(_rows_message("negative amounts", negative))
    empty = (np.flatnonzero(customers == "") + first_line).tolist()
    if empty:
        raise InputError(_rows_message("missing customer", empty))
    label = lambda i: header[i] if header else f"column {i + 1}"  # noqa: E731
    return Transactions(customers, dates, values, (label(cust_i), label(date_i), label(amount_i)))
