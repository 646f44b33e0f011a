"""evals.bench_large: perturbed copies stay near their originals; the report and plot render."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evals.bench_large import MARKER, NEW_ARTICLE_WORDS, new_article, perturbed, plot, render_markdown


def test_perturbed_copies_sit_at_cosine_about_090() -> None:
    rng = np.random.default_rng(1)
    base = rng.standard_normal((50, 384)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    copies = np.stack([perturbed(v, rng) for v in base])
    assert np.allclose(np.linalg.norm(copies, axis=1), 1.0, atol=1e-5)
    cos = np.sum(copies * base, axis=1)
    assert 0.87 < cos.mean() < 0.93 and cos.min() > 0.8


def test_new_article_has_800_words_and_the_marker() -> None:
    article = new_article(["one two three four five"] * 400)
    words = article["body"].split()
    assert MARKER in article["body"] and NEW_ARTICLE_WORDS < len(words) < NEW_ARTICLE_WORDS + 20


def test_report_and_plot(tmp_path: Path) -> None:
    lat = {"p50": 10.0, "p95": 12.0}
    rows = [
        {
            "chunks": n, "copies": n // 2, "bm25_full_build_seconds": 1.0, "bm25_mb": 1.0,
            "disk_mb": 9.0, "sanad_ms": lat, "plain_chroma_ms": lat, "embed_ms": lat, "ratio_p95": 1.0,
            "bench_peak_rss_mb": 300.0,
        }
        for n in (10, 20)
    ]  # fmt: skip
    result = {
        "real_rows": 5, "real_source": "x", "queries": 3, "sizes": rows, "post_seconds": 1.5,
        "chunks_embedded": 5, "visible_after_post_start_s": {"writer": 1.6, "replica": 1.9},
        "serve_peak_rss_mb": 700.0, "replica_peak_rss_mb": 650.0,
    }  # fmt: skip
    md = render_markdown(result, "../reports/x.png")
    assert "| 20 |" in md and "1.9 s on a second" in md and "(../reports/x.png)" in md
    assert plot(result, tmp_path / "p.png").stat().st_size > 1000
