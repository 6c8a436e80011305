"""Published self-evaluations in: one reader per file format, chosen by content.

Readers are registered (:func:`register`), like papermill's I/O handlers; :func:`detect` asks
each, in order, whether the file's first bytes (and, for zip files, its members) are its
format, so a Word file named ``.pdf`` or a page saved as ``.doc`` is still read right. Each
reader returns an :class:`~evalkit.inputs.readers.base.Extraction`: grids for the Excel
importer and paragraphs for the narrative parser.

A reader is any object with ``name``, ``label``, ``sniff(head: bytes, path) -> bool`` and
``read(path, display) -> Extraction``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from evalkit.errors import InputError
from evalkit.inputs.readers.base import Extraction

__all__ = ["Reader", "READERS", "register", "detect", "read_file"]

HEAD_BYTES = 8192
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Reader(Protocol):
    name: str
    label: str

    def sniff(self, head: bytes, path: Path) -> bool: ...

    def read(self, path: Path, display: str) -> Extraction: ...


READERS: list[Reader] = []


def register(reader: Reader, *, first: bool = False) -> Reader:
    """Add a reader; ``first`` puts it before the built-in ones (to override one)."""
    READERS[:] = [r for r in READERS if r.name != reader.name]
    READERS.insert(0, reader) if first else READERS.append(reader)
    return reader


def _refuse(head: bytes, path: Path, display: str) -> None:
    """Formats recognised but not read, each with what to do instead."""
    if head.startswith(_OLE2) and (
        "WordDocument".encode("utf-16-le") in head or path.suffix.lower() in (".doc", ".wps")
    ):
        raise InputError("这是旧版 Word .doc 文件，无法读取；请在 Word 中另存为 .docx 再导入", file=display)
    if head.lstrip().startswith(b"{\\rtf"):
        raise InputError("这是 RTF 文件，无法读取；请在 Word 中另存为 .docx 再导入", file=display)
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        raise InputError("这是图片（扫描件），无法读取；本工具不做文字识别（OCR）", file=display)


def detect(path: Path | str, *, display: str | None = None) -> Reader:
    """The reader for the file at ``path``, by its content (the extension only breaks ties)."""
    path = Path(path)
    display = display or str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except FileNotFoundError:
        raise InputError("文件不存在", file=display) from None
    except IsADirectoryError:
        raise InputError("这是一个文件夹，不是文件", file=display) from None
    except OSError as exc:
        raise InputError(f"无法读取文件（{exc.strerror}）", file=display) from None
    if not head:
        raise InputError("文件是空的", file=display)
    _refuse(head, path, display)
    _builtin()
    for reader in READERS:
        if reader.sniff(head, path):
            return reader
    if head.startswith(b"PK\x03\x04"):
        raise InputError("是压缩包，但既不是 .docx 也不是 .xlsx；请解压后分别导入", file=display)
    raise InputError("无法识别的文件格式（支持 Word .docx、PDF、网页 HTML、Excel .xlsx/.xls/.ods 与文本 .txt）", file=display)


def read_file(path: Path | str, *, display: str | None = None) -> Extraction:
    """Read a file with the reader its content calls for."""
    display = display or str(path)
    return detect(path, display=display).read(Path(path), display)


def _builtin() -> None:
    if READERS and getattr(_builtin, "done", False):
        return
    from evalkit.inputs.readers.docx import DocxReader
    from evalkit.inputs.readers.html import HtmlReader
    from evalkit.inputs.readers.pdf import PdfReader
    from evalkit.inputs.readers.text import TextReader
    from evalkit.inputs.readers.xlsx import XlsxReader

    names = {r.name for r in READERS}
    # Order matters: binary formats first; HTML before plain text (a page is also text).
    for reader in (PdfReader(), DocxReader(), XlsxReader(), HtmlReader(), TextReader()):
        if reader.name not in names:
            READERS.append(reader)
    _builtin.done = True  # type: ignore[attr-defined]
