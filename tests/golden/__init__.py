"""Golden files: the reference unit's two documents, as ``evalkit build`` writes them, normalised.

``tests/golden/`` keeps the text of ``outputs/2023/xinshi-rd.html`` (the unit's report) and
``outputs/2023/xinshi-rd.review.html`` (the bureau's review opinion) built from the sample params.
``tests/test_report.py`` compares a fresh build with them, so a change that was meant to make
builds faster or leaner cannot change what a reader gets without showing up as a diff.

Only build metadata is normalised: the build time, evalkit's version and the input fingerprint
(SHA-256 of the params and rulebook files: provenance, not content). Each embedded ``data:`` URI
(the charts' PNGs, the font subset) becomes a short marker with its MIME type, size and SHA-256,
so the files stay readable and a chart that changed by one pixel shows as a changed hash.

Regenerate on purpose, after a change that is meant to alter the documents::

    make golden        # or: .venv/bin/python -m tests.golden
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import re
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent
ROOT = GOLDEN.parent.parent
UNIT, YEAR = "xinshi-rd", 2023
#: built document (in ``outputs/<year>/``) → its golden file
DOCUMENTS = {f"{UNIT}.html": f"{UNIT}-{YEAR}.html.txt", f"{UNIT}.review.html": f"{UNIT}-{YEAR}.review.html.txt"}
DIFF_LINES = 80
REGENERATE = "make golden"

# data:[<mime>][;param=value…][;base64],<payload> — ends at a quote, a bracket or white space
_DATA_URI = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)(?P<params>(?:;[\w.+-]+(?:=[^;,\"'()\s]*)?)*),(?P<payload>[^\"'()\s]*)")

#: (what, pattern, replacement): the build metadata the documents carry, and only that
_METADATA = [
    # data-built="2026-11-29 03:53 UTC" on the report's colophon
    ("生成时间", re.compile(r'(data-built=")[^"]*(")'), r"\1<生成时间>\2"),
    # 生成时间：2026-11-29。 (report), 生成时间 2026-11-29 03:53 UTC (keywords), 生成时间：… UTC。 (review)
    ("生成时间", re.compile(r"(生成时间[：\s])\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2} UTC)?"), r"\1<生成时间>"),
    # <meta name="generator" content="evalkit 0.1.0">, data-generator, the review's method line
    ("版本", re.compile(r"\bevalkit \d+\.\d+[\w.+-]*"), "evalkit <版本>"),
    # the input fingerprint: data-input-sha256, <meta name="evalkit-input-sha256">, keywords, review
    ("输入指纹", re.compile(r"\b[0-9a-f]{64}\b"), "<输入指纹>"),
]


def _data_marker(match: re.Match[str]) -> str:
    """``data:image/png;base64,iVBOR…`` → ``data:image/png;bytes=48213;sha256=0123456789abcdef``."""
    payload = match["payload"]
    if match["params"].endswith(";base64"):
        data = base64.b64decode(payload, validate=False)
    else:
        data = urllib.parse.unquote_to_bytes(payload)
    return f"data:{match['mime']};bytes={len(data)};sha256={hashlib.sha256(data).hexdigest()[:16]}"


def normalise(html: str) -> str:
    """The document with its data URIs as markers and its build metadata as placeholders.

    >>> normalise('<img src="data:image/png;base64,AAAA"> <p>生成时间：2026-11-29。evalkit 0.1.0</p>')
    '<img src="data:image/png;bytes=3;sha256=709e80c88487a241"> <p>生成时间：<生成时间>。evalkit <版本></p>'
    """
    text = _DATA_URI.sub(_data_marker, html)  # first: a base64 payload may hold 64 hex letters
    for _, pattern, replacement in _METADATA:
        text = pattern.sub(replacement, text)
    return text


def built_documents(year_dir: Path) -> dict[str, str]:
    """Golden file name → normalised text of the reference documents in ``outputs/<year>/``."""
    return {golden: normalise((year_dir / built).read_bytes().decode("utf-8")) for built, golden in DOCUMENTS.items()}


def _diff_lines(text: str) -> list[str]:
    """Lines for the diff, cut after each tag as well: a changed figure inside a long line of
    markup shows as its own short line instead of a 2,000-character one."""
    return [part for line in text.splitlines() for part in re.split(r"(?<=>)(?=.)", line)]


def differences(year_dir: Path, golden_dir: Path = GOLDEN) -> list[str]:
    """One message per document that differs from its golden file: a unified diff, cut short."""
    messages = []
    for built, name in DOCUMENTS.items():
        golden = golden_dir / name
        if not golden.is_file():
            messages.append(f"缺少金标准文件 {golden}：运行 {REGENERATE} 生成")
            continue
        text = normalise((year_dir / built).read_bytes().decode("utf-8"))
        expected = golden.read_bytes().decode("utf-8")
        if text == expected:
            continue
        diff = list(difflib.unified_diff(_diff_lines(expected), _diff_lines(text), f"tests/golden/{name}",
                                         f"{year_dir.name}/{built}（本次构建，已规范化）", lineterm="", n=2))
        shown = [line if len(line) <= 240 else line[:240] + "…" for line in diff[:DIFF_LINES]]
        if len(diff) > DIFF_LINES:
            shown.append(f"…（另有 {len(diff) - DIFF_LINES} 行差异未显示）")
        messages.append(
            f"{year_dir.name}/{built} 与金标准不一致（生成时间、版本和输入指纹不计）：\n" + "\n".join(shown)
            + f"\n若这是有意的修改，运行 {REGENERATE} 重新生成 tests/golden/，用 git diff 检查后提交。"
        )
    return messages


def write_golden(year_dir: Path, golden_dir: Path = GOLDEN) -> list[Path]:
    """Write the normalised documents of ``outputs/<year>/`` as the golden files."""
    written = []
    for name, text in built_documents(year_dir).items():
        path = golden_dir / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def regenerate(golden_dir: Path = GOLDEN) -> list[Path]:
    """Build the reference unit with ``evalkit build`` from ``params/`` and rewrite the golden files."""
    with tempfile.TemporaryDirectory(prefix="evalkit-golden-") as tmp:
        out = Path(tmp) / "outputs"
        subprocess.run(
            [sys.executable, "-m", "evalkit.cli", "build", "--params", str(ROOT / "params"), "--out", str(out),
             "--unit", UNIT, "--year", str(YEAR), "--quiet"],
            check=True, cwd=ROOT,
        )  # fmt: skip
        return write_golden(out / str(YEAR), golden_dir)
