"""The answerability fitting recipe's pieces (evals/fit_answerability.py) on small made-up data."""

from __future__ import annotations

import numpy as np

from evals.fit_answerability import Case, abstention_rates, balanced_weights, fit_logistic, page_of


def test_page_of_strips_the_language_and_the_paragraph() -> None:
    assert page_of("ar:xquad-Super_Bowl_50-p3") == "xquad-Super_Bowl_50"
    assert page_of("arcd-train-a000-p12") == "arcd-train-a000"


def test_logistic_fit_returns_raw_feature_weights_that_separate() -> None:
    rng = np.random.default_rng(1)
    x = np.vstack([rng.normal(0.2, 0.05, (200, 1)), rng.normal(0.6, 0.05, (200, 1))]) * 10
    y = np.r_[np.ones(200), np.zeros(200)]  # low values should abstain
    coef, intercept = fit_logistic(x, y, np.ones(400))
    odds = intercept + x @ coef
    assert coef[0] < 0
    assert (odds[:200] > 0).mean() > 0.95 and (odds[200:] < 0).mean() > 0.95
    # weights are on raw features: rescaling a feature rescales its weight, the log-odds stay
    coef10, intercept10 = fit_logistic(x * 10, y, np.ones(400))
    assert np.allclose(intercept10 + (x * 10) @ coef10, odds, atol=1e-6)
    assert np.isclose(coef10[0] * 10, coef[0])


def test_every_set_weighs_the_same_and_classes_balance_within_it() -> None:
    cases = [Case("a", "pos", "g", (0.0,), True)] * 3 + [Case("a", "null", "g", (0.0,), True)]
    cases += [Case("b", "pos", "h", (0.0,), True)] * 10 + [Case("b", "gold_removed", "h", (0.0,), True)] * 10
    w = balanced_weights(cases)
    assert np.isclose(w[:3].sum(), w[3]) and np.isclose(w[4:14].sum(), w[14:].sum())
    assert np.isclose(w[:4].sum(), w[4:].sum())


def test_rates_keep_todays_abstentions() -> None:
    live = [Case("a", "pos", "g", (0.0,), True), Case("a", "null", "g", (0.0,), True)]
    refused_today = [Case("a", "null", "g", (0.0,), False)]
    rates = abstention_rates(np.array([-1.0, 2.0]), live, 1.0, live + refused_today)
    assert rates == {"a:null": 1.0, "a:pos": 0.0}
    rates = abstention_rates(np.array([-1.0, 0.0]), live, 1.0, live + refused_today)
    assert rates == {"a:null": 0.5, "a:pos": 0.0}
