"""``python -m tests.golden`` (``make golden``): rebuild the reference unit and rewrite the golden files."""

from __future__ import annotations

if __name__ == "__main__":
    from tests.golden import ROOT, regenerate

    for path in regenerate():
        print(f"已重新生成 {path.relative_to(ROOT)}")
    print("请用 git diff tests/golden/ 检查报告的变化是否都是有意的，再提交。")
