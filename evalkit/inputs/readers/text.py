"""Plain text (.txt): the paragraphs of a report, for the narrative parser.

Encodings: a byte-order mark, else UTF-8, else GB18030 (GBK/GB2312 files saved by Windows
Notepad). Each line is a paragraph; the narrative parser joins lines broken inside a sentence.
"""

from __future__ import annotations

from pathlib import Path

from evalkit.inputs.readers.base import Extraction, clean_text
from evalkit.inputs.readers.html import decode_text

__all__ = ["TextReader"]


class TextReader:
    name = "text"
    label = "文本文件"

    @staticmethod
    def sniff(head: bytes, path: Path) -> bool:
        if not head:
            return False
        if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
            return True
        if b"\x00" in head:
            return False
        for encoding in ("utf-8", "gb18030"):
            try:
                head.decode(encoding)
                return True
            except UnicodeDecodeError as exc:
                # A multi-byte character cut at the end of the sample is not a failure.
                if exc.start >= len(head) - 4:
                    return True
        return False

    @staticmethod
    def read(path: Path, display: str) -> Extraction:
        text = decode_text(path.read_bytes(), display=display)
        out = Extraction(file=display, reader=TextReader.name)
        out.paragraphs = [line for line in (clean_text(raw) for raw in text.splitlines()) if line]
        out.notes.append(f"文本文件：{len(out.paragraphs)} 行文字")
        return out
