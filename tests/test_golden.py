"""The golden files' normaliser hides build metadata and nothing else (the comparison itself runs
on the shared build in tests/test_report.py)."""

from __future__ import annotations

import base64

from .golden import DOCUMENTS, GOLDEN, differences, normalise, write_golden

COLOPHON = (
    '<meta name="generator" content="evalkit {version}">'
    '<footer class="colophon" data-built="{built}" data-generator="evalkit {version}" data-input-sha256="{sha}">'
    "<p>本报告各项得分按评分规则重新计算，生成时间：{date}。</p><p>综合得分 91.73 分，等级为优。</p></footer>"
    '<img src="data:image/png;base64,{png}"><style>src:url(data:font/woff;base64,{font}) format("woff")</style>'
)


def _page(**changes: str) -> str:
    values = {
        "version": "0.1.0", "built": "2026-11-29 03:53 UTC", "date": "2026-11-29", "sha": "b3" * 32,
        "png": base64.b64encode(b"\x89PNG chart").decode(), "font": base64.b64encode(b"wOFF subset").decode(),
    }  # fmt: skip
    return COLOPHON.format(**{**values, **changes})


def test_build_time_version_and_input_fingerprint_are_normalised():
    later = _page(version="0.2.0.dev3+g1a2b3c4", built="2027-01-02 11:59 UTC", date="2027-01-02", sha="0f" * 32)
    assert normalise(later) == normalise(_page())
    assert "2026" not in normalise(_page()) and "0.1.0" not in normalise(_page())


def test_content_and_embedded_files_are_not_normalised_away():
    original = normalise(_page())
    assert normalise(_page().replace("91.73", "91.74")) != original
    assert normalise(_page().replace("等级为优", "等级为良")) != original
    changed_chart = _page(png=base64.b64encode(b"\x89PNG chart, one pixel off").decode())
    assert normalise(changed_chart) != original
    assert normalise(_page(font=base64.b64encode(b"wOFF other subset").decode())) != original
    # a data URI becomes a readable marker: its type, size and hash, not its payload
    assert "data:image/png;bytes=10;sha256=" in original and "base64" not in original


def test_a_difference_fails_with_a_diff_and_the_way_to_regenerate(tmp_path):
    built = tmp_path / "2023"
    built.mkdir()
    for name in DOCUMENTS:
        (built / name).write_text(_page(), encoding="utf-8")
    golden = tmp_path / "golden"
    golden.mkdir()
    assert len(write_golden(built, golden)) == 2
    assert differences(built, golden) == []

    (built / "xinshi-rd.html").write_text(_page(built="2030-01-01 00:00 UTC").replace("91.73", "91.2"), encoding="utf-8")
    [problem] = differences(built, golden)
    assert "xinshi-rd.html" in problem and "make golden" in problem
    assert "\n-综合得分 91.73 分" in problem and "\n+综合得分 91.2 分" in problem
    assert "2030" not in problem  # the build time is not a difference


def test_the_golden_files_are_checked_in_and_readable():
    for name in DOCUMENTS.values():
        text = (GOLDEN / name).read_text(encoding="utf-8")
        assert "base64," not in text and len(text) < 200_000
        assert "<生成时间>" in text and "evalkit <版本>" in text and "<输入指纹>" in text
