"""The probability models: gradients, recovery of known parameters from simulated
customers, and the prediction formulas against simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import check_grad

from guanxi.analytics.engine import bgnbd, clv, gammagamma, paretonbd
from guanxi.analytics.engine.collapse import collapse


def bgnbd_paths(n, r, alpha, a, b, rng, *, cap=300):
    """Repeat purchase times (n × cap, first purchase at 0) and the number of repeat
    purchases after which each customer leaves."""
    lam = rng.gamma(r, 1 / alpha, n)
    times = np.cumsum(rng.exponential(1.0, (n, cap)), axis=1) / np.maximum(lam, 1e-12)[:, None]
    return times, rng.geometric(rng.beta(a, b, n))


def observe(times, last_alive, T):
    """x and t_x of each customer observed until T."""
    cap = times.shape[1]
    made = (times <= T[:, None]) & (np.arange(1, cap + 1)[None, :] <= last_alive[:, None])
    x = made.sum(axis=1)
    t_x = np.where(x > 0, np.take_along_axis(times, np.maximum(x - 1, 0)[:, None], 1)[:, 0], 0)
    return x.astype(float), t_x


def in_days(weeks):
    """Times as daily data measured in weeks give: whole days / 7."""
    return np.floor(weeks * 7) / 7


def simulate_bgnbd(n, r, alpha, a, b, rng, *, T=None):
    T = in_days(rng.uniform(20, 52, n)) if T is None else np.full(n, float(T))
    x, t_x = observe(*bgnbd_paths(n, r, alpha, a, b, rng), T)
    return x, in_days(t_x), T


def simulate_pareto(n, r, alpha, s, beta, rng, *, cap=300):
    T = in_days(rng.uniform(20, 52, n))
    lam = rng.gamma(r, 1 / alpha, n)
    lifetime = rng.exponential(1 / rng.gamma(s, 1 / beta, n))
    times = np.cumsum(rng.exponential(1.0, (n, cap)), axis=1) / np.maximum(lam, 1e-12)[:, None]
    made = times <= np.minimum(T, lifetime)[:, None]
    x = made.sum(axis=1).astype(float)
    t_x = np.where(x > 0, np.take_along_axis(times, np.maximum(x.astype(int) - 1, 0)[:, None],
                                             axis=1)[:, 0], 0.0)
    return x, in_days(t_x), T


@pytest.fixture(scope="module")
def bg_sample():
    return simulate_bgnbd(20_000, 0.25, 4.0, 0.8, 2.5, np.random.default_rng(7))


def test_bgnbd_gradient_is_the_derivative(bg_sample):
    x, t_x, T = bg_sample
    for point in ([0.3, 5.0, 0.7, 2.0], [1.5, 2.0, 2.5, 0.8]):
        def f(p):
            return bgnbd.log_likelihood(p, x, t_x, T)

        def g(p):
            return bgnbd.gradient(p, x, t_x, T)

        scale = np.abs(g(np.array(point))).max()
        assert check_grad(f, g, np.array(point), epsilon=1e-6) < 1e-4 * scale


def test_pareto_nbd_gradient_is_the_derivative():
    x, t_x, T = simulate_pareto(3000, 0.55, 10.0, 0.6, 12.0, np.random.default_rng(3))
    # Both sides of the α ≥ β branch of the closed form.
    for point in ([0.5, 9.0, 0.7, 11.0], [0.5, 3.0, 0.7, 11.0], [1.2, 14.0, 1.3, 2.0]):
        def f(p):
            return paretonbd.log_likelihood(p, x, t_x, T)

        def g(p):
            return paretonbd.gradient(p, x, t_x, T)

        scale = np.abs(g(np.array(point))).max()
        assert check_grad(f, g, np.array(point), epsilon=1e-6) < 1e-4 * scale


def test_gamma_gamma_gradient_is_the_derivative():
    x, m = simulate_spend(3000, 6.0, 4.0, 15.0, np.random.default_rng(5))
    point = np.array([5.0, 3.0, 12.0])
    scale = np.abs(gammagamma.gradient(point, x, m)).max()
    err = check_grad(lambda p: gammagamma.log_likelihood(p, x, m),
                     lambda p: gammagamma.gradient(p, x, m), point, epsilon=1e-6)
    assert err < 1e-4 * scale


def test_bgnbd_recovers_simulated_parameters(bg_sample):
    fitted = bgnbd.fit(*bg_sample)
    assert fitted.converged
    np.testing.assert_allclose(
        [fitted.r, fitted.alpha, fitted.a, fitted.b], [0.25, 4.0, 0.8, 2.5], rtol=0.2
    )


def test_pareto_nbd_recovers_simulated_parameters():
    x, t_x, T = simulate_pareto(20_000, 0.55, 10.0, 0.6, 12.0, np.random.default_rng(11))
    fitted = paretonbd.fit(x, t_x, T)
    assert fitted.converged
    # r/α (purchase rate) and s/β (dropout rate) are well identified; the shapes less so.
    assert fitted.r / fitted.alpha == pytest.approx(0.055, rel=0.1)
    assert fitted.s / fitted.beta == pytest.approx(0.05, rel=0.3)
    np.testing.assert_allclose([fitted.r, fitted.s], [0.55, 0.6], rtol=0.3)


def simulate_spend(n, p, q, gamma, rng):
    nu = rng.gamma(q, 1 / gamma, n)
    x = 1 + rng.poisson(3, n)
    # The mean of x Gamma(p, ν) spends is Gamma(p·x, x·ν).
    m = rng.gamma(p * x, 1 / (x * nu))
    return x.astype(float), m


def test_gamma_gamma_recovers_simulated_parameters():
    x, m = simulate_spend(20_000, 6.0, 4.0, 15.0, np.random.default_rng(9))
    fitted = gammagamma.fit(x, m)
    np.testing.assert_allclose([fitted.p, fitted.q, fitted.gamma], [6.0, 4.0, 15.0], rtol=0.15)
    # Population mean spend p·γ/(q−1) for a customer without repeats.
    newcomer = gammagamma.conditional_expected_spend(fitted, np.array([0.0]), np.array([0.0]))
    assert newcomer[0] == pytest.approx(fitted.p * fitted.gamma / (fitted.q - 1))


def test_gamma_gamma_weights_shrink_towards_the_customer_mean():
    params = gammagamma.GammaGammaParams(p=6.0, q=4.0, gamma=15.0)
    population = 6.0 * 15.0 / 3.0
    few, many = gammagamma.conditional_expected_spend(params, np.array([1.0, 50.0]),
                                                      np.array([100.0, 100.0]))
    assert population < few < many < 100.0


def test_spend_frequency_check_flags_a_dependence():
    rng = np.random.default_rng(1)
    x = 1.0 + rng.poisson(3, 500)
    independent = gammagamma.check_independence(x, rng.gamma(5, 10, 500))
    dependent = gammagamma.check_independence(x, 10 * x + rng.gamma(2, 1, 500))
    assert not independent.flagged and abs(independent.pearson) < 0.3
    assert dependent.flagged and dependent.spearman > 0.9


def test_unconditional_expectation_matches_simulation():
    params = bgnbd.BGNBDParams(r=0.5, alpha=5.0, a=0.8, b=2.5)
    x, _, _ = simulate_bgnbd(40_000, 0.5, 5.0, 0.8, 2.5, np.random.default_rng(2), T=30)
    assert bgnbd.expected_purchases(params, 30.0) == pytest.approx(x.mean(), rel=0.05)


def test_conditional_expectation_matches_simulation():
    """Observe 26 periods, forecast the next 26: the forecast is what customers then buy."""
    r, alpha, a, b = 0.5, 5.0, 0.8, 2.5
    times, last_alive = bgnbd_paths(60_000, r, alpha, a, b, np.random.default_rng(4))
    half, full = np.full(60_000, 26.0), np.full(60_000, 52.0)
    x_half, tx_half = observe(times, last_alive, half)
    x_full, _ = observe(times, last_alive, full)
    params = bgnbd.BGNBDParams(r, alpha, a, b)
    forecast = bgnbd.conditional_expected_purchases(params, 26, x_half, tx_half, half)
    assert forecast.sum() == pytest.approx((x_full - x_half).sum(), rel=0.05)
    # Also among the customers who bought often in the first half.
    busy = x_half >= 3
    assert forecast[busy].sum() == pytest.approx((x_full - x_half)[busy].sum(), rel=0.08)


def test_collapsing_rows_changes_nothing(bg_sample):
    x, t_x, T = bg_sample
    (ux, utx, uT), weights, inverse = collapse(x, np.round(t_x), np.round(T))
    np.testing.assert_array_equal(ux[inverse], x)
    params = np.array([0.3, 4.0, 0.9, 2.0])
    assert bgnbd.log_likelihood(params, ux, utx, uT, weights) == pytest.approx(
        bgnbd.log_likelihood(params, x, np.round(t_x), np.round(T))
    )


def test_clv_discounts_each_month():
    params = bgnbd.BGNBDParams(r=0.25, alpha=4.0, a=0.8, b=2.5)
    x, t_x, T = np.array([3.0, 0.0]), np.array([20.0, 0.0]), np.array([30.0, 30.0])
    spend = np.array([50.0, 30.0])
    undiscounted = clv.customer_lifetime_value(params, x, t_x, T, spend, months=12,
                                               annual_discount_rate=0.0)
    expected = bgnbd.conditional_expected_purchases(params, 12 * 30 / 7, x, t_x, T) * spend
    np.testing.assert_allclose(undiscounted, expected)
    discounted = clv.customer_lifetime_value(params, x, t_x, T, spend, months=12,
                                             annual_discount_rate=0.2, margin=0.3)
    assert np.all(discounted < 0.3 * undiscounted)
    assert np.all(discounted > 0.3 * undiscounted / 1.2)


def test_pareto_nbd_on_a_sample_of_rows_is_close_to_the_full_fit():
    x, t_x, T = simulate_pareto(20_000, 0.55, 10.0, 0.6, 12.0, np.random.default_rng(11))
    full = paretonbd.fit(x, t_x, T)
    sampled = paretonbd.fit(x, t_x, T, max_rows=4000)
    assert sampled.n_customers == 20_000
    # The reported log-likelihood is the full-data one, so the full fit is at least as high.
    assert sampled.log_likelihood == pytest.approx(paretonbd.log_likelihood(sampled, x, t_x, T))
    assert full.log_likelihood >= sampled.log_likelihood
    assert sampled.r / sampled.alpha == pytest.approx(full.r / full.alpha, rel=0.05)
    assert sampled.s / sampled.beta == pytest.approx(full.s / full.beta, rel=0.15)
