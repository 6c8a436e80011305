"""How evalkit's objects look in JupyterLab: tables with inline styles, Chinese labels, exact figures.

JupyterLab's own table CSS right-aligns every cell, and in an untrusted notebook (one received
from a colleague, or run by papermill) its HTML sanitiser drops ``<style>`` blocks and scripts.
Everything here is therefore written with **inline** ``style`` attributes limited to properties
the sanitiser keeps (``text-align``, ``white-space``, ``min-width``, ``background-color``,
``color``, ``border``, ``padding``, ``display``, ``width``, ``height``…; checked in a real
JupyterLab by ``tests/test_lab.py``). Colours are translucent tints or badges with their own
background, so they read in the light and the dark theme alike; text colour is left to the theme.

- :class:`Table` — a :class:`pandas.DataFrame` that shows itself with Chinese column labels
  (``labels="en"`` for the English names), figures with as many decimals as the column needs
  (``96.60`` and ``91.73``, never ``9.940000``), ``—`` for missing values, 是/否 for booleans,
  Chinese words for status codes (``built`` → 已生成), every column, and a link to each
  unit-year's HTML report.
- :func:`interactive` — the same table sortable and filterable (itables, offline: its JavaScript
  is embedded in the notebook, nothing is fetched); untrusted, it stays a readable static table.
- :class:`LabFigure` — a chart as a 2× PNG on a transparent background with mid-grey text, crisp
  on high-density screens and legible in the dark theme.

>>> t = Table({"status": ["built", None], "score": [Decimal("9.94"), Decimal("8")]})
>>> "已生成" in t._repr_html_() and "得分" in t._repr_html_() and "8.00" in t._repr_html_()
True
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from html import escape, unescape
from pathlib import Path
from typing import Any

import pandas as pd

from evalkit.core.figures import decimals_of, fmt
from evalkit.labels import KIND_LABELS
from evalkit.report.charts import ChartFigure
from evalkit.report.render import Html as HtmlBlock  # markup shown as HTML in a notebook

__all__ = [
    "COLUMN_LABELS",
    "VALUE_LABELS",
    "LabFigure",
    "Table",
    "cell",
    "for_lab",
    "html_table",
    "interactive",
]

#: Chinese labels of the results table's columns (``evalkit.results``), as docs/api.md lists them.
COLUMN_LABELS = {
    "year": "年度", "unit_id": "单位编号", "unit_name": "单位名称", "kind": "评价类型",
    "status": "报告状态", "row_kind": "行类型", "position": "序号", "indicator": "指标",
    "level1": "一级指标", "level2": "二级指标", "op": "比较方式", "target": "指标值",
    "target_adjusted": "调整指标值", "target_text": "指标值（定性）", "unit": "计量单位",
    "actual": "实际完成值", "actual_text": "实际完成值（定性）", "completion": "完成率（%）",
    "weight": "分值", "score": "得分", "lost": "失分", "applicable": "是否适用",
    "indicator_grade": "完成等级", "total": "综合得分", "grade": "评价等级",
    "execution_rate": "预算执行率（%）", "execution_weight": "执行率分值",
    "execution_score": "执行率得分", "reported_total": "报告所列总分",
    "reported_grade": "报告所列等级", "rulebook": "评分规则", "findings_error": "复核错误",
    "findings_warning": "复核警告", "findings_info": "复核提示", "error": "失败原因",
    "html": "报告", "key": "构建指纹",
}  # fmt: skip

#: Internal code words and their Chinese, per column (any column not listed keeps its values).
VALUE_LABELS = {
    "status": {"built": "已生成", "failed": "失败", "skipped": "未变（沿用）", "scored": "已评分（无报告）"},
    "row_kind": {"execution": "预算执行率", "indicator": "绩效指标", "failed": "未能评分"},
    "kind": dict(KIND_LABELS),
    "op": {"qualitative": "定性"},
}
for _zh in ("报告状态", "状态"):
    VALUE_LABELS[_zh] = VALUE_LABELS["status"]
VALUE_LABELS["评价类型"] = VALUE_LABELS["kind"]

#: Columns that hold the path of a unit-year's report (relative to the outputs folder).
LINK_COLUMNS = ("html", "报告")

#: Rows shown before a table says how many it left out.
MAX_ROWS = 60

# ------------------------------------------------------------------ inline styles
BORDER = "1px solid rgba(128,128,128,0.4)"
TABLE = "border-collapse:collapse;margin:0.3em 0 0.8em 0;font-size:13px;line-height:1.45"
CAPTION = "caption-side:top;text-align:left;font-weight:bold;padding:0.2em 0"
_CELL = f"border:{BORDER};padding:0.2em 0.5em;vertical-align:top"
TINTS = {
    "lost": "rgba(230,140,0,0.16)",
    "error": "rgba(214,39,40,0.16)",
    "warning": "rgba(230,140,0,0.16)",
    "info": "rgba(0,114,178,0.10)",
    "total": "rgba(128,128,128,0.12)",
    "changed": "rgba(0,114,178,0.14)",
}
#: Solid badge colours (white text on them reads in both themes).
BADGES = {
    "error": "#b3261e",
    "warning": "#a15c00",
    "info": "#0b5394",
    "优": "#1b7f3b",
    "良": "#0b5394",
    "中": "#a15c00",
    "差": "#b3261e",
}
_TAG = re.compile(r"<[^>]+>")
#: Short text stays on one line (no 错/误 wrapping); longer text wraps but keeps a readable width.
SHORT = 14


def th(text: str, *, align: str = "left", title: str | None = None) -> str:
    tip = f' title="{escape(title)}"' if title else ""
    return (
        f'<th style="{_CELL};text-align:{align};white-space:nowrap;font-weight:bold"{tip}>'
        f"{escape(text)}</th>"
    )


def td(
    text: str,
    *,
    align: str = "left",
    tint: str | None = None,
    markup: bool = False,
    bold: bool = False,
    nowrap: bool = False,
) -> str:
    """One cell. ``text`` is escaped unless ``markup``; short text (or any, with ``nowrap``) never
    wraps."""
    visible = unescape(_TAG.sub("", text)) if markup else text
    short = nowrap or len(visible) <= SHORT
    wrap = "white-space:nowrap" if short else "white-space:normal;min-width:12em"
    style = f"{_CELL};text-align:{align};{wrap}"
    if tint:
        style += f";background-color:{TINTS.get(tint, tint)}"
    if bold:
        style += ";font-weight:bold"
    return f'<td style="{style}">{text if markup else escape(text)}</td>'


def badge(text: str, colour_key: str) -> str:
    colour = BADGES.get(colour_key, "#555555")
    return (
        f'<span style="display:inline-block;background-color:{colour};color:#ffffff;'
        f'padding:0 0.4em;border-radius:3px;white-space:nowrap">{escape(text)}</span>'
    )


def bar(share: Decimal | None) -> str:
    """A small horizontal bar, 0–100 (%), drawn with inline styles only."""
    if share is None:
        return ""
    width = fmt(max(Decimal(0), min(Decimal(100), share)), 1)
    return (
        f'<span title="{width}%" style="display:inline-block;width:6em;height:0.6em;'
        f'background-color:rgba(128,128,128,0.3);vertical-align:middle">'
        f'<span style="display:block;height:0.6em;width:{width}%;background-color:#0072B2">'
        "</span></span>"
    )


def html_table(
    header: Sequence[str | tuple[str, str]],
    rows: Iterable[Sequence[str]],
    *,
    caption: str = "",
    numeric: Iterable[int] = (),
    tints: Sequence[str | None] | None = None,
    markup: Iterable[int] = (),
    titles: Sequence[str | None] | None = None,
    nowrap: Iterable[int] = (),
) -> str:
    """A table with inline styles: column ``i`` right-aligned when in ``numeric``, its cells
    taken as markup when in ``markup`` (else escaped), never wrapped when in ``nowrap`` (codes);
    ``tints[r]`` colours row ``r``."""
    numeric, markup, nowrap = set(numeric), set(markup), set(nowrap)
    heads = [
        th(h, align="right" if i in numeric else "left", title=titles[i] if titles else None)
        for i, h in enumerate(header)
    ]
    body = []
    for r, row in enumerate(rows):
        tint = tints[r] if tints else None
        cells = [
            td(str(v), align="right" if i in numeric else "left", tint=tint, markup=i in markup,
               bold=tint == "total", nowrap=i in nowrap)
            for i, v in enumerate(row)
        ]  # fmt: skip
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f'<caption style="{CAPTION}">{escape(caption)}</caption>' if caption else ""
    return (
        f'<table style="{TABLE}">{cap}<thead><tr>{"".join(heads)}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


# ------------------------------------------------------------------ cell text


def cell(value: Any, places: int | None = None, column: str = "") -> str:
    """A value as a table shows it: ``—`` for missing, 是/否, exact decimals, Chinese codes.

    >>> cell(None), cell(True), cell(Decimal("9.940000"), 2), cell("built", column="status")
    ('—', '是', '9.94', '已生成')
    """
    if value is None or (not isinstance(value, str | bytes) and _is_na(value)):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return fmt(value, places if places is not None else 6, keep_zeros=places is not None)
    if isinstance(value, float):
        return fmt(Decimal(repr(value)), places if places is not None else 6)
    text = str(value)
    return VALUE_LABELS.get(column, {}).get(text, text)


def _is_na(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def places_of(series: pd.Series) -> int | None:
    """Decimals a column of exact figures needs (``None`` for other columns)."""
    values = [v for v in series if isinstance(v, Decimal)]
    if not values:
        return None
    return min(6, max(decimals_of(v.normalize()) for v in values))


def _is_numeric(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series.dtype):
        return False
    if pd.api.types.is_numeric_dtype(series.dtype):
        return True
    return any(isinstance(v, Decimal) for v in series.head(50))


def report_link(path: str, outputs_dir: str | None) -> str:
    """A link to a unit-year's HTML report, relative to the notebook's working directory (JupyterLab
    opens it in a new tab)."""
    target = Path(outputs_dir or ".") / path
    try:
        href = os.path.relpath(target, Path.cwd())
    except ValueError:  # another drive (Windows)
        href = str(target)
    return f'<a href="{escape(Path(href).as_posix())}" target="_blank">报告</a>'


# ------------------------------------------------------------------ tables


class Table(pd.DataFrame):
    """A DataFrame that JupyterLab shows as a readable table (see the module's docstring).

    It is a DataFrame in every other way: ``df[df["lost"] > 0]`` is again a :class:`Table`.
    ``df.attrs["labels"] = "en"`` (or ``evalkit.results(labels="en")``) shows the English column
    names; :meth:`show` picks the labels for one display; :meth:`interactive` makes it sortable.
    """

    @property
    def _constructor(self) -> type[Table]:
        return Table

    def show(self, labels: str | None = None, max_rows: int = MAX_ROWS) -> HtmlBlock:
        """This table for display, with ``labels="zh"`` (default) or ``"en"`` column names."""
        return HtmlBlock(frame_html(self, labels=labels, max_rows=max_rows))

    def interactive(self, labels: str | None = None) -> HtmlBlock:
        """Sortable and filterable (itables, offline); see :func:`interactive`."""
        return interactive(self, labels=labels)

    def _repr_html_(self) -> str:  # type: ignore[override]
        return frame_html(self)


def frame_html(
    frame: pd.DataFrame, *, labels: str | None = None, max_rows: int = MAX_ROWS
) -> str:
    """A DataFrame as an inline-styled table: Chinese labels (English in the header's tooltip),
    exact figures, every column, at most ``max_rows`` rows (and a note saying how many more)."""
    labels = labels or frame.attrs.get("labels", "zh")
    outputs_dir = frame.attrs.get("outputs_dir")
    shown = frame.head(max_rows)
    show_index = not isinstance(frame.index, pd.RangeIndex)
    columns = [str(c) for c in frame.columns]
    header = [COLUMN_LABELS.get(c, c) if labels != "en" else c for c in columns]
    titles = [c if labels != "en" else COLUMN_LABELS.get(c) for c in columns]
    numeric = [i for i, c in enumerate(frame.columns) if _is_numeric(frame[c])]
    places = {c: places_of(shown[c]) for c in frame.columns}
    links = [i for i, c in enumerate(columns) if c in LINK_COLUMNS]
    rows = []
    for index, record in zip(shown.index, shown.itertuples(index=False, name=None), strict=True):
        row = []
        for c, value in zip(columns, record, strict=True):
            if c in LINK_COLUMNS and isinstance(value, str) and value:
                row.append(report_link(value, outputs_dir))
            else:
                row.append(cell(value, places[c] if c in places else None, c))
        if show_index:
            row.insert(0, cell(index))
        rows.append(row)
    offset = 1 if show_index else 0
    if show_index:
        name = frame.index.name or ""
        header.insert(0, COLUMN_LABELS.get(name, name) if labels != "en" else name)
        titles.insert(0, None)
    html = html_table(
        header,
        rows,
        numeric=[i + offset for i in numeric],
        markup=[i + offset for i in links],
        titles=titles,
    )
    note = ""
    if len(frame) > max_rows:
        note = (
            f'<p style="margin:0">共 {len(frame)} 行，显示前 {max_rows} 行；'
            "全部可排序、筛选：<code>evalkit.interactive.display.interactive(df)</code></p>"
        )
    if not len(frame):
        note = '<p style="margin:0">（没有数据行）</p>'
    return f'<div style="overflow-x:auto;max-width:100%">{html}{note}</div>'


def display_frame(frame: pd.DataFrame, labels: str | None = None) -> pd.DataFrame:
    """The values as shown (text), with the display's column labels: for itables and Excel."""
    labels = labels or frame.attrs.get("labels", "zh")
    outputs_dir = frame.attrs.get("outputs_dir")
    out = {}
    for c in frame.columns:
        places = places_of(frame[c])
        name = str(c) if labels == "en" else COLUMN_LABELS.get(str(c), str(c))
        if str(c) in LINK_COLUMNS:
            out[name] = [report_link(v, outputs_dir) if isinstance(v, str) and v else "—"
                         for v in frame[c]]  # fmt: skip
        else:
            out[name] = [cell(v, places, str(c)) for v in frame[c]]
    shown = pd.DataFrame(out, index=frame.index)
    if not isinstance(frame.index, pd.RangeIndex):
        shown.index = [cell(i) for i in frame.index]
        shown.index.name = frame.index.name
    return shown


_ITABLES_READY = False


def interactive(frame: pd.DataFrame, labels: str | None = None, caption: str | None = None) -> HtmlBlock:
    """A sortable, filterable table (DataTables through itables, **offline**: the library is
    embedded in the notebook the first time, from the installed package; nothing is fetched).

    In an untrusted notebook the scripts do not run and the table stays a plain, readable
    static table. Needs the ``lab`` extra (``pip install 'evalkit[lab]'``).
    """
    try:
        import itables
    except ImportError:
        from evalkit.errors import InputError

        raise InputError(
            "交互式表格需要 itables：pip install 'evalkit[lab]'（或 make setup）", field="itables"
        ) from None
    global _ITABLES_READY
    if not _ITABLES_READY:
        itables.init_notebook_mode(all_interactive=False, connected=False)
        _ITABLES_READY = True
    shown = display_frame(frame, labels)
    offset = 0 if isinstance(frame.index, pd.RangeIndex) else 1
    numeric = [i + offset for i, c in enumerate(frame.columns) if _is_numeric(frame[c])]
    markup = itables.to_html_datatable(
        shown,
        caption=caption,
        connected=False,
        allow_html=True,
        showIndex=bool(offset),
        lengthMenu=[10, 25, 100, -1],
        pageLength=25,
        # Lab's table CSS right-aligns every cell: text left, figures right, no 1–2 character lines.
        classes="display nowrap compact",
        style="width:auto;margin:0",
        columnDefs=[
            {"className": "dt-right", "targets": numeric},
            {"className": "dt-left", "targets": "_all"},
        ],
        maxBytes=0,
        language={
            "search": "筛选：",
            "info": "第 _START_–_END_ 行，共 _TOTAL_ 行",
            "lengthMenu": "每页 _MENU_ 行",
            "zeroRecords": "没有符合条件的行",
            "infoEmpty": "没有数据",
            "infoFiltered": "（从 _MAX_ 行中筛选）",
        },
    )
    return HtmlBlock(markup)


# ------------------------------------------------------------------ charts

#: Text on charts in notebooks: mid-grey reads on Lab's light (#fff) and dark (#111) backgrounds.
NEUTRAL = "#7a7a7a"
#: Screen pixels per inch of a chart (its width in the notebook) and the PNG's density (2×).
SCREEN_DPI = 100
RETINA = 2


def _dark(colour: Any) -> bool:
    from matplotlib.colors import to_rgb

    try:
        r, g, b = to_rgb(colour)
    except ValueError:
        return False
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.35


def lab_png(fig: Any) -> bytes:
    """The chart as a 2× PNG with a transparent background; dark text, ticks and spines are
    drawn mid-grey for the duration of the rendering (the figure is left as it was)."""
    from matplotlib import rcParams
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.spines import Spine
    from matplotlib.text import Text

    restore: list[tuple[Any, str, Any]] = []
    for artist in fig.findobj(lambda a: isinstance(a, Text | Spine)):
        if isinstance(artist, Text) and _dark(artist.get_color()):
            restore.append((artist, "color", artist.get_color()))
            artist.set_color(NEUTRAL)
        elif isinstance(artist, Spine) and _dark(artist.get_edgecolor()):
            restore.append((artist, "edgecolor", artist.get_edgecolor()))
            artist.set_edgecolor(NEUTRAL)
    for ax in fig.axes:
        ax.tick_params(color=NEUTRAL, labelcolor=NEUTRAL)
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    try:
        fig.savefig(
            buffer, format="png", dpi=SCREEN_DPI * RETINA, transparent=True,
            metadata={"Software": None},
        )  # fmt: skip
    finally:
        for artist, prop, value in restore:
            getattr(artist, f"set_{prop}")(value)
        for ax in fig.axes:
            for name in ("x", "y"):
                colour = rcParams[f"{name}tick.color"]
                label = rcParams[f"{name}tick.labelcolor"]
                ax.tick_params(axis=name, color=colour, labelcolor=colour if label == "inherit" else label)
    return buffer.getvalue()


class LabFigure(ChartFigure):
    """A report chart shown in JupyterLab as a 2× PNG (crisp on high-density screens) on a
    transparent background with mid-grey text (legible in the dark theme). Still a matplotlib
    Figure: ``fig.savefig(...)`` writes it in the report's own look."""

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:  # type: ignore[override]
        width, height = self.get_size_inches()
        return lab_png(self), {
            "width": round(width * SCREEN_DPI),
            "height": round(height * SCREEN_DPI),
        }


def for_lab(fig: Any) -> Any:
    """Make a chart of :mod:`evalkit.report.charts` display as a :class:`LabFigure`.

    The report's functions build a ``ChartFigure``; :class:`LabFigure` only changes how it is
    shown, so the object is re-labelled in place (same attributes, one more method)."""
    if fig is not None and type(fig) is ChartFigure:
        fig.__class__ = LabFigure
    return fig
