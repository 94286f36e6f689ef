"""Cross-sell: association rules between products and per-customer recommendations, on arrays.

A basket is everything one customer ever bought (not one order): the rules read "of the
customers who bought X, this share also bought Y", which is what a salesperson can say to a
customer. For a rule X → Y over N customers:

* support    = customers who bought both / N
* confidence = customers who bought both / customers who bought X
* lift       = confidence / (customers who bought Y / N); above 1, buying X makes Y likelier.

The customer × product matrix is a scipy sparse matrix, co-purchases one sparse product
``Bᵀ·B``; nothing loops over customers or order lines in Python.

A customer's candidates are the consequents of the rules whose antecedent they own, minus what
they own. Several rules pointing at one product combine as independent evidence (noisy-or:
1 − Π(1 − confidence)), and the strongest of them is the reason given. Ties go to the more
popular product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Baskets:
    """Distinct (customer, product) purchases: ids and the 0/1 sparse matrix over them."""

    customer_ids: np.ndarray  # sorted
    product_ids: np.ndarray  # sorted
    matrix: sparse.csr_matrix  # customers × products, 1 where bought

    @property
    def product_counts(self) -> np.ndarray:
        """Customers who bought each product."""
        return np.asarray(self.matrix.sum(axis=0)).ravel().astype(np.int64)


@dataclass(frozen=True)
class Rules:
    """One entry per rule, sorted by antecedent then confidence (highest first)."""

    antecedent: np.ndarray  # product ids
    consequent: np.ndarray
    customers: np.ndarray  # customers who bought both
    support: np.ndarray
    confidence: np.ndarray
    lift: np.ndarray
    baskets: int  # customers with any purchase

    def __len__(self) -> int:
        return len(self.antecedent)


@dataclass(frozen=True)
class Recommendations:
    """Up to k products per customer, best first: ``rank`` starts at 1. ``because`` is the
    antecedent of the strongest rule, with that rule's ``confidence`` and ``lift``."""

    customer: np.ndarray
    product: np.ndarray
    rank: np.ndarray
    score: np.ndarray
    because: np.ndarray
    confidence: np.ndarray
    lift: np.ndarray

    def __len__(self) -> int:
        return len(self.customer)


def baskets(customers: np.ndarray, products: np.ndarray) -> Baskets:
    """The customer × product matrix of the purchases (one entry per order line is fine:
    repeats collapse to 1)."""
    customers = np.asarray(customers, dtype=np.int64)
    products = np.asarray(products, dtype=np.int64)
    customer_ids, rows = np.unique(customers, return_inverse=True)
    product_ids, cols = np.unique(products, return_inverse=True)
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows.ravel(), cols.ravel())),
                               shape=(len(customer_ids), len(product_ids)))
    matrix.sum_duplicates()
    matrix.data[:] = 1
    return Baskets(customer_ids, product_ids, matrix)


def mine(b: Baskets, *, min_customers: int = 2, min_confidence: float = 0.05,
         min_lift: float = 1.0, per_product: int = 20) -> Rules:
    """The rules X → Y bought together by at least ``min_customers`` customers, with at least
    ``min_confidence`` and ``min_lift``; the ``per_product`` most confident per antecedent."""
    n = b.matrix.shape[0]
    counts = b.product_counts
    co = (b.matrix.T.astype(np.int64) @ b.matrix.astype(np.int64)).tocoo()
    a, c, both = co.row.astype(np.int64), co.col.astype(np.int64), co.data.astype(np.int64)
    keep = (a != c) & (both >= min_customers)
    a, c, both = a[keep], c[keep], both[keep]
    confidence = both / counts[a]
    lift = confidence / (counts[c] / n) if n else confidence
    keep = (confidence >= min_confidence) & (lift >= min_lift)
    a, c, both, confidence, lift = a[keep], c[keep], both[keep], confidence[keep], lift[keep]
    # Per antecedent, most confident first (then higher lift, then consequent id: stable).
    order = np.lexsort((c, -lift, -confidence, a))
    a, c, both, confidence, lift = a[order], c[order], both[order], confidence[order], \
        lift[order]
    keep = _rank_in_groups(a) < per_product
    a, c, both, confidence, lift = a[keep], c[keep], both[keep], confidence[keep], lift[keep]
    return Rules(antecedent=b.product_ids[a], consequent=b.product_ids[c], customers=both,
                 support=both / max(n, 1), confidence=confidence, lift=lift, baskets=n)


def _rank_in_groups(keys: np.ndarray) -> np.ndarray:
    """0, 1, 2 … within each run of equal ``keys`` (which must be grouped together)."""
    n = len(keys)
    if not n:
        return np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    lengths = np.diff(np.r_[starts, n])
    return np.arange(n) - np.repeat(starts, lengths)


def recommend(b: Baskets, rules: Rules, k: int = 5) -> Recommendations:
    """Up to ``k`` products per customer of ``b`` that they have not bought, from ``rules``."""
    n_products = len(b.product_ids)
    empty_i, empty_f = np.empty(0, dtype=np.int64), np.empty(0)
    known = np.isin(rules.antecedent, b.product_ids) & np.isin(rules.consequent, b.product_ids)
    if not known.any():
        return Recommendations(empty_i, empty_i, empty_i, empty_f, empty_i, empty_f, empty_f)
    ant = np.searchsorted(b.product_ids, rules.antecedent[known])
    con = np.searchsorted(b.product_ids, rules.consequent[known])
    conf, lift = rules.confidence[known], rules.lift[known]
    # Noisy-or in logs: Σ log(1 − confidence) over the customer's rules is one sparse product.
    misses = sparse.csr_matrix((np.log1p(-np.minimum(conf, 1 - 1e-9)), (ant, con)),
                               shape=(n_products, n_products))
    owned = b.matrix.astype(np.float64)
    logs = (owned @ misses).tocsr()
    logs = (logs - logs.multiply(owned)).tocsr()  # what they own is no recommendation
    logs.eliminate_zeros()
    rows = np.repeat(np.arange(logs.shape[0]), np.diff(logs.indptr))
    cols = logs.indices.astype(np.int64)
    score = -np.expm1(logs.data)
    # One integer sort key instead of a lexsort of four (several times faster at 10⁷
    # candidates): customer, then score (to 1e-7), then popularity rank.
    popularity_rank = np.empty(n_products, dtype=np.int64)
    popularity_rank[np.lexsort((b.product_ids, -b.product_counts))] = np.arange(n_products)
    keys = (rows << 42) | (np.round((1.0 - score) * 1e7).astype(np.int64) << 18) \
        | np.minimum(popularity_rank[cols], (1 << 18) - 1)
    order = np.argsort(keys)
    rows, cols, score = rows[order], cols[order], score[order]
    rank = _rank_in_groups(rows)
    top = rank < k
    rows, cols, score, rank = rows[top], cols[top], score[top], rank[top]
    if not len(rows):
        return Recommendations(empty_i, empty_i, empty_i, empty_f, empty_i, empty_f, empty_f)
    because, confidence, lift_out = _strongest(b, rows, cols, ant, con, conf, lift)
    return Recommendations(customer=b.customer_ids[rows], product=b.product_ids[cols],
                           rank=rank + 1, score=score, because=b.product_ids[because],
                           confidence=confidence, lift=lift_out)


def _strongest(b: Baskets, rows: np.ndarray, cols: np.ndarray, ant: np.ndarray,
               con: np.ndarray, conf: np.ndarray,
               lift: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each recommended (customer row, product column): the owned product whose rule
    towards it is the most confident, with that rule's confidence and lift."""
    n_products = len(b.product_ids)
    indptr, owned = b.matrix.indptr, b.matrix.indices.astype(np.int64)
    fan = indptr[rows + 1] - indptr[rows]
    total = int(fan.sum())
    pair = np.repeat(np.arange(len(rows)), fan)
    position = np.repeat(indptr[rows], fan) + (np.arange(total)
                                               - np.repeat(np.cumsum(fan) - fan, fan))
    antecedent = owned[position]
    rule_keys = ant * n_products + con
    order = np.argsort(rule_keys)
    rule_keys = rule_keys[order]
    wanted = antecedent * n_products + np.repeat(cols, fan)
    found = np.clip(np.searchsorted(rule_keys, wanted), 0, len(rule_keys) - 1)
    hit = rule_keys[found] == wanted
    pair, antecedent, rule = pair[hit], antecedent[hit], order[found[hit]]
    best = np.argsort((pair << 24) | np.round((1.0 - conf[rule]) * 1e6).astype(np.int64),
                      kind="stable")
    pair, antecedent, rule = pair[best], antecedent[best], rule[best]
    first = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    return antecedent[first], conf[rule[first]], lift[rule[first]]


def popular(b: Baskets, k: int = 5) -> Recommendations:
    """The baseline: the ``k`` products bought by most customers that each has not bought."""
    counts = b.product_counts
    ranked = np.lexsort((b.product_ids, -counts))[: k + int(b.matrix.getnnz(axis=1).max(
        initial=0))]
    m = len(ranked)
    n = b.matrix.shape[0]
    customer = np.repeat(np.arange(n), m)
    product = np.tile(ranked, n)
    owned = np.asarray(b.matrix[:, ranked].todense()).ravel().astype(bool)
    customer, product = customer[~owned], product[~owned]
    rank = _rank_in_groups(customer)
    top = rank < k
    customer, product, rank = customer[top], product[top], rank[top]
    share = counts[product] / max(n, 1)
    return Recommendations(customer=b.customer_ids[customer], product=b.product_ids[product],
                           rank=rank + 1, score=share, because=np.full(len(product), -1),
                           confidence=share, lift=np.ones(len(product)))


def precision_at_k(recs: Recommendations, customers: np.ndarray, later_customers: np.ndarray,
                   later_products: np.ndarray, k: int = 5) -> float:
    """Mean over ``customers`` of (recommended products among those bought later) / k; an
    empty slot counts as a miss."""
    customers = np.unique(np.asarray(customers, dtype=np.int64))
    if not len(customers):
        return float("nan")
    later = np.unique(np.asarray(later_customers, dtype=np.int64) * (1 << 32)
                      + np.asarray(later_products, dtype=np.int64))
    chosen = np.isin(recs.customer, customers) & (recs.rank <= k)
    hit = np.isin(recs.customer[chosen] * (1 << 32) + recs.product[chosen], later)
    return float(hit.sum() / (k * len(customers)))


@dataclass(frozen=True)
class Evaluation:
    k: int
    customers: int  # customers evaluated: bought before the split and something new after it
    rules: int
    precision_rules: float
    precision_popular: float
    covered: float  # share of evaluated customers with at least one rule-based recommendation


def evaluate(train_customers: np.ndarray, train_products: np.ndarray,
             test_customers: np.ndarray, test_products: np.ndarray, k: int = 5,
             **mining: float) -> Evaluation:
    """Rules mined on the purchases before a date, recommendations judged by what the same
    customers bought after it (products new to them only), against the most popular ones."""
    b = baskets(train_customers, train_products)
    rules = mine(b, **mining)  # type: ignore[arg-type]
    recs = recommend(b, rules, k)
    base = popular(b, k)
    # Only what was new to the customer counts: a repeat purchase is no discovery.
    test_c = np.asarray(test_customers, dtype=np.int64)
    test_p = np.asarray(test_products, dtype=np.int64)
    known_c = np.isin(test_c, b.customer_ids)
    test_c, test_p = test_c[known_c], test_p[known_c]
    owned = np.unique(b.customer_ids[b.matrix.tocoo().row] * (1 << 32)
                      + b.product_ids[b.matrix.tocoo().col])
    new = ~np.isin(test_c * (1 << 32) + test_p, owned)
    test_c, test_p = test_c[new], test_p[new]
    judged = np.unique(test_c)
    return Evaluation(
        k=k, customers=len(judged), rules=len(rules),
        precision_rules=precision_at_k(recs, judged, test_c, test_p, k),
        precision_popular=precision_at_k(base, judged, test_c, test_p, k),
        covered=float(np.isin(judged, recs.customer).mean()) if len(judged) else float("nan"))
