"""The two YAML loaders agree: libyaml's events and PyYAML's own give the same figures.

:func:`evalkit.inputs.yamlio.loads_yaml` parses with libyaml where it can (about three times
faster) and with pure-Python PyYAML otherwise; both compose and construct with the same Python
code and guards. A figure read differently by the fast path would be the silent misreading a
finance tool must never have, so these tests hold the paths together on every shipped file and on
mutations of them: whenever the fast path loads a text that ``loads_yaml`` would give it, PyYAML
loads the same data with the same lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.errors import InputError
from evalkit.inputs import yamlio
from evalkit.inputs.limits import current

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(
    [*ROOT.glob("params/**/*.yaml"), *ROOT.glob("evalkit/core/rulebooks/*.yaml"),
     *ROOT.glob("tests/fixtures/**/*.yaml")]
)

pytestmark = pytest.mark.skipif(len(yamlio._LOADERS) < 2, reason="PyYAML without libyaml has one loader")


def _outcome(loader: type, text: str):
    """(data, lines) or the kind of failure."""
    try:
        node, data = yamlio._load(loader, text, current())
    except (yaml.YAMLError, UnicodeError) as exc:
        return ("yaml-error", type(exc).__name__)
    except InputError as exc:
        return ("input-error", exc.message)
    lines: dict = {}
    if node is not None:
        yamlio._index_lines(node, (), lines)
    return data, lines


def _fast_path_takes(text: str) -> bool:
    return not any(ch in text for ch in yamlio._PYYAML_ONLY) and not yamlio._GLUED_COMMENT.search(text)


def _assert_same(text: str) -> None:
    fast = _outcome(yamlio._LOADERS[0], text)
    if fast[0] == "yaml-error":
        return  # loads_yaml then reparses with PyYAML, whose outcome and message stand
    slow = _outcome(yamlio._DecimalLoader, text)
    assert fast == slow, f"libyaml and PyYAML differ on:\n{text}"


def test_shipped_files_load_the_same_either_way():
    assert len(SHIPPED) > 10
    for path in SHIPPED:
        text = path.read_text(encoding="utf-8")
        if _fast_path_takes(text):
            _assert_same(text)


def test_fast_path_is_taken_for_ordinary_params():
    """Otherwise the test above would compare nothing."""
    text = (ROOT / "params/xinshi-rd/2023.yaml").read_text(encoding="utf-8")
    assert _fast_path_takes(text)


# Mutations drawn from YAML's own punctuation and the figures' characters, on the sample file.
_SAMPLE = (ROOT / "params/xinshi-rd/2023.yaml").read_text(encoding="utf-8")[:3000]
_PIECES = st.sampled_from([
    " ", "  ", "\n", "\n  ", ":", ": ", "- ", "#", "'", '"', "|", ">", "|-", ">+", "[", "]", "{", "}",
    ",", "\t", "? ", "?", "\ufeff", "&a ", "*a", "!", "!!str ", "%", "@", "`", "1", "0", ".", "5", "e3", "_", "1:30", "0x1F",
    "0o17", "~", "null", "yes", "no", "on", "2023-12-31", ".inf", "-.nan", "万元", "≥", "\\", "\r\n", "\u3000",
])


@st.composite
def _mutated(draw):
    text = _SAMPLE
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 3))
        text = text[:at] + draw(_PIECES) + text[at + cut:]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_params_load_the_same_either_way(text):
    if _fast_path_takes(text):
        _assert_same(text)


def test_a_sixty_based_number_is_a_chinese_input_error():
    with pytest.raises(InputError) as info:
        yamlio.loads_yaml("actual: 1:30.5\n", source="2023.yaml")
    assert "2023.yaml" in str(info.value)
    assert "InvalidOperation" not in str(info.value)


# Texts on which libyaml and PyYAML disagree (found by fuzzing): loads_yaml must give PyYAML's.
_DISAGREE = ["a: b\tc\n", "a: b\t\n", "a:\t1\n", "a: |-#x\n  t\n", "a: 1\n\ufeffb: 2\n"]


@pytest.mark.parametrize("text", _DISAGREE)
def test_where_the_parsers_disagree_pyyaml_decides(text):
    fast, slow = _outcome(yamlio._LOADERS[0], text), _outcome(yamlio._DecimalLoader, text)
    assert fast != slow  # still a disagreement, so the routing below is what keeps them apart
    try:
        got = yamlio.loads_yaml(text).data
    except InputError:
        got = "input-error"
    assert got == (slow[0] if slow[0] not in ("yaml-error", "input-error") else "input-error")
