"""The analyst's JupyterLab, for real: docs/api.md's examples as a notebook, and a browser test.

The browser test starts JupyterLab on 127.0.0.1 (a free port, a token, no browser) over a
temporary project (a copy of the notebooks, the sample params, outputs built into tmp), drives
Debian's chromium with playwright, runs ``explore.ipynb`` and a notebook of the ``docs/api.md``
examples, and checks what an analyst sees: no error outputs, a typo shown as one line, the score
card's alignment and colours in the light and dark themes and in an untrusted notebook (whose
HTML JupyterLab sanitises), no request leaving the machine. Screenshots go to ``tmp_path``.

Without chromium the browser test is skipped locally (with the install hint) and fails under
``CI=true``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from .conftest import CHROMIUM_ARGS, PARAMS, ROOT, chromium_or_skip

API_DOC = ROOT / "docs" / "api.md"


# --------------------------------------------------------------------------- the examples


def api_examples() -> list[str]:
    """Every Python example of docs/api.md, one cell per fenced block (doctest blocks as their
    ``>>>``/``...`` lines)."""
    blocks = re.findall(r"```python\n(.*?)```", API_DOC.read_text(encoding="utf-8"), re.S)
    cells = []
    for block in blocks:
        if block.lstrip().startswith(">>>"):
            lines = [ln[4:] for ln in block.splitlines() if ln.startswith((">>> ", "... "))]
            block = "\n".join(lines)
        cells.append(block.strip())
    return cells


def api_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import evalkit\nfrom evalkit.interactive import explore")]
    nb.cells += [nbformat.v4.new_code_cell(code) for code in api_examples()]
    return nb


def build_outputs(out: Path) -> Path:
    """Score and audit the sample params into ``out`` as a build would (records + results)."""
    from .test_explore import write_outputs

    write_outputs(PARAMS, out)
    return out


def test_every_python_example_of_the_api_doc_is_collected():
    cells = api_examples()
    assert len(cells) >= 6
    assert any("evalkit.load(\"xinshi-rd\", 2023)" in c for c in cells)
    assert any("evalkit.results()" in c for c in cells)
    assert any("what_if" in c for c in cells)


@pytest.mark.slow
def test_the_api_doc_examples_run_as_a_notebook_from_notebooks(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("EVALKIT_OUTPUTS", str(build_outputs(tmp_path / "outputs")))
    monkeypatch.delenv("EVALKIT_PARAMS", raising=False)
    nb = api_notebook()
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    errors = [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert errors == []
    data = [o.get("data", {}) for c in nb.cells for o in c.outputs]
    assert any("evalkit-scorecard" in d.get("text/html", "") for d in data)  # the score card
    assert any("application/vnd.jupyter.widget-view+json" in d for d in data)  # the panel
    assert any("injectModule" in d.get("text/html", "") for d in data)  # interactive, offline


# --------------------------------------------------------------------------- the browser test


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _project(root: Path) -> None:
    """A temporary project laid out as the repository (params/, notebooks/), with outputs built
    elsewhere and named in pyproject's [tool.evalkit], a typo notebook and an untrusted notebook
    with a score card."""
    from evalkit.interactive.api import load

    outputs = build_outputs(root.parent / "built")
    shutil.copytree(PARAMS, root / "params")
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "explore.ipynb", root / "notebooks" / "explore.ipynb")
    (root / "pyproject.toml").write_text(
        f'[tool.evalkit]\noutputs = "{outputs.as_posix()}"\n', encoding="utf-8"
    )
    nbformat.write(api_notebook(), root / "notebooks" / "api-examples.ipynb")
    typo = nbformat.v4.new_notebook()
    typo.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    typo.cells = [nbformat.v4.new_code_cell('import evalkit\nevalkit.load("xinshi-rd", 2023).chart("indicator_score")')]
    nbformat.write(typo, root / "notebooks" / "typo.ipynb")
    # Run elsewhere and saved unsigned: JupyterLab opens it untrusted and sanitises its HTML. The
    # output is what a kernel would have sent for the cell (its display data).
    received = nbformat.v4.new_notebook()
    received.metadata["kernelspec"] = typo.metadata["kernelspec"]
    cell = nbformat.v4.new_code_cell('import evalkit\nevalkit.load("xinshi-rd", 2023)', execution_count=1)
    view = load("xinshi-rd", 2023, params_dir=PARAMS)
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            {"text/html": view._repr_html_(), "text/plain": repr(view)},
            execution_count=1,
        )
    ]
    received.cells = [cell]
    nbformat.write(received, root / "notebooks" / "received.ipynb")


def _settings(root: Path) -> Path:
    settings = root / ".lab-settings"
    notebook = settings / "@jupyterlab" / "notebook-extension"
    notebook.mkdir(parents=True)
    (notebook / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    news = settings / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return settings


# ``python -m jupyterlab``, its nbformat imported as a build worker imports it (evalkit.batch.lean):
# without jsonschema's format checkers, whose grammar costs the server 0.7 s at start.
_LAB_MAIN = """\
from evalkit.batch.lean import JSONSCHEMA_UNUSED, absent
with absent(JSONSCHEMA_UNUSED):
    import nbformat
import sys
from jupyterlab.labapp import main
sys.exit(main())
"""


@pytest.fixture
def lab(tmp_path):
    """JupyterLab over a temporary project; yields (base url, token)."""
    chromium_or_skip()
    root = tmp_path / "project"
    _project(root)
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(_settings(tmp_path)),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / ".workspaces"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / ".runtime"),
        "EVALKIT_PARAMS": "",
        "EVALKIT_OUTPUTS": "",
    }
    command = [
        sys.executable, "-c", _LAB_MAIN, "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
        "--ServerApp.port_retries=0", "--allow-root",
        # server features the test never uses, each paid at start (jupyter_lsp looks for language
        # servers with node); JupyterLab's page works without them
        *(f"--ServerApp.jpserver_extensions={name}=False" for name in ("jupyter_lsp", "jupyter_server_terminals", "notebook_shim")),
        "--LabApp.extension_manager=readonly",  # no look-ups on PyPI
    ]  # fmt: skip
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail((tmp_path / "lab.log").read_text())
                time.sleep(0.1)
        yield base, token, tmp_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


_RUN_AND_WAIT = """async (path) => {
  const app = window.jupyterapp;
  const widget = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await widget.context.ready;
  await widget.sessionContext.ready;
  await app.commands.execute('notebook:run-all-cells');
  const done = () => widget.content.model.cells.toArray ? null : null;
  for (let i = 0; i < 600; i++) {
    const cells = [...widget.content.widgets].filter(c => c.model.type === 'code');
    const busy = widget.sessionContext.session?.kernel?.status !== 'idle';
    const pending = cells.some(c => c.model.executionCount === null || c.promptNode?.textContent.includes('*'));
    if (!busy && !pending) break;
    await new Promise(r => setTimeout(r, 100));
  }
  const outputs = [...widget.content.widgets].filter(c => c.model.type === 'code')
    .map(c => c.model.outputs.toJSON());
  return outputs;
}"""

_OPEN = """async (path) => {
  const app = window.jupyterapp;
  const widget = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await widget.context.ready;
  for (let i = 0; i < 100 && !document.querySelector('.evalkit-scorecard'); i++)
    await new Promise(r => setTimeout(r, 100));
  return widget.content.widgets.map(c => c.model.trusted);
}"""

# What the analyst sees of the score card: alignment, wrapping and colours, as computed.
_SCORECARD = """() => {
  const cards = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .evalkit-scorecard')];
  const card = cards[cards.length - 1];
  if (!card) return null;
  const style = el => getComputedStyle(el);
  const tables = card.querySelectorAll('table');
  const scores = tables[0], findings = tables[1];
  const first = scores.querySelector('tbody tr td');
  const num = scores.querySelectorAll('tbody tr')[1].querySelectorAll('td')[4];
  const lost = scores.querySelectorAll('tbody tr')[1].querySelector('td');
  const sevCell = findings.querySelector('tbody tr td');
  const badge = sevCell.querySelector('span');
  const lineHeight = parseFloat(style(sevCell).lineHeight) || 20;
  const range = document.createRange();
  range.selectNodeContents(findings.querySelector('tbody tr').querySelectorAll('td')[1]);
  const codeLines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  return {
    codeLines,
    headAlign: style(scores.querySelector('th')).textAlign,
    firstAlign: style(first).textAlign,
    numAlign: style(num).textAlign,
    lostBackground: style(lost).backgroundColor,
    badgeBackground: style(badge).backgroundColor,
    badgeColour: style(badge).color,
    severityWhiteSpace: style(sevCell).whiteSpace,
    severityHeight: badge.getBoundingClientRect().height,
    lineHeight,
    textColour: style(first).color,
    pageBackground: style(document.body).backgroundColor,
    hasStyleTag: card.querySelector('style') !== null,
  };
}"""


# The interactive league table: how many lines each header and cell takes, and how cells align.
_LEAGUE = """() => {
  const table = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) table.dataTable');
  const lines = el => {
    const range = document.createRange();
    range.selectNodeContents(el.querySelector('.dt-column-title') || el);
    return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
  };
  const heads = [...table.querySelectorAll('thead th')];
  const cells = [...table.querySelectorAll('tbody tr td')];
  const first = table.querySelector('tbody tr').querySelectorAll('td');
  return {
    headLines: Math.max(...heads.map(lines)),
    cellLines: Math.max(...cells.map(lines)),
    nameAlign: getComputedStyle(first[3]).textAlign,
    scoreAlign: getComputedStyle(first[5]).textAlign,
    rows: table.querySelectorAll('tbody tr').length,
  };
}"""


def _luminance(css: str) -> float:
    r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def _check_card(card: dict | None, *, dark: bool) -> None:
    assert card is not None, "score card not shown"
    assert card["headAlign"] == "left" and card["firstAlign"] == "left"
    assert card["numAlign"] == "right"
    assert card["lostBackground"] == "rgba(230, 140, 0, 0.16)"
    assert card["badgeBackground"] == "rgb(179, 38, 30)" and card["badgeColour"] == "rgb(255, 255, 255)"
    assert card["severityWhiteSpace"] == "nowrap" and card["severityHeight"] < 1.5 * card["lineHeight"]
    assert card["codeLines"] == 1, card  # E-COMPLETION-MISMATCH on one line
    text = _luminance(card["textColour"])
    assert (text > 0.6) if dark else (text < 0.4), card  # the theme's own text colour


@pytest.mark.slow
def test_jupyterlab_in_chromium(lab, tmp_path):
    from playwright.sync_api import sync_playwright

    base, token, shots = lab
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=2)
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{base}/lab?token={token}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=30000)
        page.evaluate("() => window.jupyterapp.started")

        started = time.perf_counter()

        def lap(what: str) -> None:
            print(f"{what}: {time.perf_counter() - started:.1f} 秒")

        # A notebook received from a colleague: untrusted, sanitised, still set as it should be.
        trusted = page.evaluate(_OPEN, "notebooks/received.ipynb")
        assert trusted == [False]
        page.wait_for_selector(".evalkit-scorecard")
        _check_card(page.evaluate(_SCORECARD), dark=False)
        page.screenshot(path=str(shots / "untrusted-light.png"))
        lap("JupyterLab 打开，未受信任的笔记本")

        def run_clean(path: str) -> None:
            outputs = page.evaluate(_RUN_AND_WAIT, path)
            errors = [o for cell in outputs for o in cell if o["output_type"] == "error"]
            assert errors == [], (path, errors)

        # docs/api.md's examples, run all: no error, the score card right in light and dark.
        run_clean("notebooks/api-examples.ipynb")
        assert page.evaluate(_SCORECARD)["hasStyleTag"] is False
        _check_card(page.evaluate(_SCORECARD), dark=False)
        page.screenshot(path=str(shots / "api-light.png"))
        # The what-if panel is live: pick an indicator, change its actual, see the new score.
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .widget-vbox").first
        panel.locator("select").select_option(label="培训费下降率")
        actual = panel.locator("input[type=text]").nth(1)
        actual.fill("5")
        actual.press("Enter")
        panel.get_by_text("99.73 优").first.wait_for(timeout=15000)
        panel.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "what-if-light.png"))
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
        page.wait_for_timeout(500)
        _check_card(page.evaluate(_SCORECARD), dark=True)
        page.screenshot(path=str(shots / "api-dark.png"))
        assert page.evaluate(_OPEN, "notebooks/received.ipynb") == [False]  # untrusted, dark
        _check_card(page.evaluate(_SCORECARD), dark=True)
        page.screenshot(path=str(shots / "untrusted-dark.png"))
        lap("docs/api.md 的示例")

        # explore.ipynb, run all (dark theme): no error, the league table interactive offline.
        run_clean("notebooks/explore.ipynb")
        league = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .dt-container").first
        league.wait_for(state="attached", timeout=15000)  # DataTables ran: embedded, offline
        league.scroll_into_view_if_needed()
        layout = page.evaluate(_LEAGUE)
        assert layout["rows"] == 5 and layout["headLines"] == 1 and layout["cellLines"] == 1, layout
        assert (layout["nameAlign"], layout["scoreAlign"]) == ("left", "right"), layout
        page.screenshot(path=str(shots / "explore-dark.png"))
        lap("explore.ipynb")

        # A typo: one line, no traceback.
        outputs = page.evaluate(_RUN_AND_WAIT, "notebooks/typo.ipynb")
        error = outputs[0][0]
        assert error["output_type"] == "error" and len(error["traceback"]) == 1
        shown = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output").last.inner_text()
        assert len(shown.strip().splitlines()) == 1 and "未知的图表" in shown
        page.screenshot(path=str(shots / "typo-dark.png"))
        browser.close()
    outside = [u for u in requests if not u.startswith((base, "data:", "blob:", "about:"))]
    assert outside == []
