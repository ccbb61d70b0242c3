"""Chunked decoding of a binary stream (UTF-8, or Shift_JIS as cp932) into blocks of whole lines, in constant memory.

The reader is the only place that sees bytes. It decodes chunk by chunk with ``codecs.utf_8_decode``
(strict), so a decoding error is located exactly (byte offset and line) without a second pass, and it
refuses NUL bytes before decoding because no text format the market accepts contains them. It also
measures lines in bytes as they arrive (the market's line limit, :class:`Limits`), so a file without line
breaks is refused after one limit's worth of bytes instead of being held.

Japanese spreadsheets export CSV as Shift_JIS (Microsoft's cp932). The encoding is decided at the first line
that is not ASCII (ASCII reads the same in both): that line is UTF-8, or else cp932 when it decodes as cp932
with kana or kanji in it (Western legacy text decodes as cp932 too, as half-width katakana). From then on the
file must be valid in that encoding, and a byte that is not is located as for UTF-8. cp932 is decoded a whole
number of lines at a time: a line break byte never occurs inside one of its two-byte characters.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import Any, Final, NoReturn

from catalog.validation._limits import Limits, line_too_long

CHUNK_BYTES: Final = 1 << 20

_BOM: Final = codecs.BOM_UTF8
_NON_ASCII: Final = re.compile(rb"[\x80-\xff]")
_JAPANESE: Final = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")

# Magic numbers of files uploaded by mistake, so the message can say what was sent instead of text.
_MAGIC: Final = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one); export the sheet as CSV (UTF-8)"),
    (b"\x1f\x8b", "a gzip archive; upload the file uncompressed"),
    (b"%PDF", "a PDF document"),
    (b"PAR1", "a Parquet file; export it as CSV or JSON Lines"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office document (.xls); export the sheet as CSV (UTF-8)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


class EncodingFailure(Exception):
    """The bytes are not UTF-8 text; ``detail`` says where and what to do."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def count_breaks(text: str, universal: bool) -> int:
    """Line breaks in ``text``: ``\\n`` only, or ``\\n``, ``\\r\\n`` and lone ``\\r`` when universal."""
    n = text.count("\n")
    if universal and "\r" in text:
        n += text.count("\r") - text.count("\r\n")
    return n


class BlockReader:
    """Yields the text of a stream as blocks that each end on a line break (the last one may not).

    Line breaks are ``\\n`` for JSON Lines and additionally ``\\r\\n`` and lone ``\\r`` for CSV
    (``universal``), matching what :mod:`csv` treats as a record end. Memory is one chunk plus the
    partial line carried to the next block.
    """

    def __init__(
        self, stream: Any, *, universal: bool, chunk_bytes: int = CHUNK_BYTES, limits: Limits | None = None
    ) -> None:
        self._stream = stream
        self._universal = universal
        self.limits = limits or Limits()
        # Bytes of the line under way at the end of what has been read (for the line limit).
        self._line_bytes = 0
        # Whether a line handed out since the caller last cleared it is longer than Limits.cell_chars, the
        # only lines in which a cell can be past the cell limit (a CSV record spanning lines aside).
        self.long_line = False
        self._chunk_bytes = chunk_bytes
        # Undecoded tail of the previous chunk: an incomplete multi-byte character (at most 3 bytes).
        self._pending = b""
        # Decoded text not yet handed out is self._buf[self._pos:]; consuming advances _pos so taking
        # many short lines from a long carry stays linear.
        self._buf = ""
        self._pos = 0
        self._eof = False
        self.total_bytes = 0
        self.bom = False
        # "utf-8" or "cp932" once a line that is not ASCII decided it; None while every byte was ASCII.
        self.encoding: str | None = None
        self._allow_cp932 = universal  # CSV only: JSON Lines is UTF-8 by definition
        # Lines handed out so far. The parser, which splits the blocks into lines anyway, keeps this up
        # to date (the reader itself only adds the continuation lines it hands out), so that locating
        # an error costs nothing until one happens.
        self.lines_out = 0

    # --- decoding ---------------------------------------------------------------------------------

    def _read(self) -> bytes:
        data = self._stream.read(self._chunk_bytes)
        if not data:
            return b""
        if isinstance(data, str):
            raise TypeError("the stream must be opened in binary mode")
        return data if isinstance(data, bytes) else bytes(data)

    def _fill(self) -> bool:
        """Decode one more chunk onto the carry; False at end of stream."""
        if self._eof:
            return False
        data = self._read()
        offset = self.total_bytes  # of data[0] in the file
        if offset == 0:
            # The head must be long enough to recognise a byte-order mark even from a stream that
            # returns very short reads.
            while data and len(data) < 4 and (more := self._read()):
                data += more
        if not data:
            self._eof = True
            if not self._pending:
                return False
            rest, start = self._pending, offset - len(self._pending)
            self._pending = b""
            if self.encoding is None:
                self.encoding = _detect(rest, self._allow_cp932)
            try:
                if self.encoding == "cp932":
                    text = rest.decode("cp932")
                else:
                    text = codecs.utf_8_decode(rest, "strict", True)[0]
            except UnicodeDecodeError as exc:
                if self.encoding == "utf-8" and exc.end == len(rest) and exc.reason == "unexpected end of data":
                    # The stream ends inside a multi-byte character: located after the text before it.
                    self._buf = self._buf[self._pos :] + rest[: exc.start].decode("utf-8")
                    self._pos = 0
                    self._fail_decode(rest[exc.start :], start + exc.start, None)
                self._fail_decode(rest, start, exc)
            self._buf = self._buf[self._pos :] + text
            self._pos = 0
            return True
        self.total_bytes += len(data)
        if offset == 0:
            self._sniff_head(data)
            if data.startswith(_BOM):
                self.bom = True
                data = data[len(_BOM) :]
                offset = len(_BOM)
        nul = data.find(b"\x00")
        if nul >= 0:
            self._fail_binary(data, offset, nul)
        self._measure_lines(data)
        if self._pending:
            data = self._pending + data
            offset -= len(self._pending)
        if self.encoding is None and not data.isascii():
            if self.bom:
                self.encoding = "utf-8"
            else:
                first = _NON_ASCII.search(data)
                assert first is not None
                end = data.find(b"\n", first.start())
                if end < 0:
                    self._pending = data  # the first line that is not ASCII is not complete yet
                    return True
                self.encoding = _detect(data[data.rfind(b"\n", 0, first.start()) + 1 : end + 1], self._allow_cp932)
        try:
            if self.encoding == "cp932":
                consumed = data.rfind(b"\n") + 1
                text = data[:consumed].decode("cp932")
            else:
                text, consumed = codecs.utf_8_decode(data, "strict", False)
        except UnicodeDecodeError as exc:
            self._fail_decode(data, offset, exc)
        self._pending = data[consumed:]
        if self._pos:
            self._buf = self._buf[self._pos :] + text
            self._pos = 0
        else:
            self._buf += text
        return True

    def _last_break(self, data: bytes, start: int, end: int) -> int:
        found = data.rfind(b"\n", start, end)
        if self._universal:
            found = max(found, data.rfind(b"\r", start, end))
        return found

    def _measure_lines(self, data: bytes) -> None:
        """Refuse a line longer than the limit in ``data``, the next chunk, in a few ``rfind`` per chunk:
        each looks for the last break in the longest stretch the current line may still have."""
        limit = self.limits.max_line_bytes
        run, pos, n = self._line_bytes, 0, len(data)
        while run + n - pos > limit:
            brk = self._last_break(data, pos, pos + limit - run + 1)
            if brk < 0:
                raise line_too_long(self._line_at(data, pos), self.limits, fmt="csv" if self._universal else "jsonl")
            pos, run = brk + 1, 0
        last = self._last_break(data, pos, n)
        self._line_bytes = n - last - 1 if last >= 0 else run + n - pos

    def _note_long_lines(self, text: str) -> None:
        """Set ``long_line`` when a line of ``text`` is longer than Limits.cell_chars (again a few ``rfind``)."""
        if self.long_line:
            return
        limit, pos, n = self.limits.cell_chars, 0, len(text)
        while n - pos > limit:
            brk = text.rfind("\n", pos, pos + limit + 1)
            if self._universal:
                brk = max(brk, text.rfind("\r", pos, pos + limit + 1))
            if brk < 0:
                self.long_line = True
                return
            pos = brk + 1

    def _line_at(self, data: bytes, index: int) -> int:
        """1-based line of byte ``index`` of ``data``, the bytes following the decoded carry."""
        before = self._buf[self._pos :] + data[:index].decode("utf-8", "replace")
        return self.lines_out + count_breaks(before, self._universal) + 1

    def _sniff_head(self, head: bytes) -> None:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise EncodingFailure("The file is UTF-16 (it starts with a UTF-16 byte-order mark); re-save it as UTF-8.")

    def _fail_binary(self, data: bytes, offset: int, index: int) -> NoReturn:
        what = "binary, not text"
        if offset <= len(_BOM):
            for magic, name in _MAGIC:
                if data.startswith(magic):
                    what = f"binary, not text: it looks like {name}"
                    break
        raise EncodingFailure(
            f"The file contains NUL bytes (first at byte offset {offset + index}, line "
            f"{self._line_at(data, index)}), so it is {what}. Upload a UTF-8 CSV or JSON Lines file."
        )

    def _fail_decode(self, data: bytes, offset: int, exc: UnicodeDecodeError | None) -> NoReturn:
        if exc is None:
            index, reason = 0, "the file ends in the middle of a multi-byte character"
        else:
            index = exc.start
            reason = f"invalid byte 0x{data[index]:02X}"
        line = self._line_at(data, index)
        where = f"line {line}, byte offset {offset + index}"
        hint = "Re-save it as UTF-8."
        if self.encoding == "cp932":
            raise EncodingFailure(
                f"The file is not valid Shift_JIS (cp932), as its first lines are ({reason} at {where}). {hint}"
            )
        if exc is not None:
            guess = _guess_japanese_encoding(data, index)
            if guess is not None:
                hint = f"It looks like {guess}; re-save as UTF-8."
        raise EncodingFailure(f"The file is not valid UTF-8 ({reason} at {where}). {hint}")

    # --- blocks and lines ---------------------------------------------------------------------------

    def _last_break_end(self, text: str, start: int) -> int:
        """Index just after the last certain line break in ``text[start:]``, or -1 if there is none."""
        end = text.rfind("\n", start)
        if self._universal:
            # A final "\r" may be the first half of a "\r\n" still in the stream, so it is not certain.
            end = max(end, text.rfind("\r", start, len(text) - 1))
        return end + 1 if end >= 0 else -1

    def next_block(self) -> str | None:
        """The next block of whole lines; at the end of the stream the rest (possibly unterminated)."""
        while True:
            cut = self._last_break_end(self._buf, self._pos)
            if cut > 0:
                block = self._buf[self._pos : cut]
                self._pos = cut
                self._note_long_lines(block)
                return block
            if not self._fill():
                rest = self._buf[self._pos :]
                self._buf, self._pos = "", 0
                self._note_long_lines(rest)
                return rest or None

    def lines(self) -> Iterator[str]:
        """Lines (with their terminators) after the last block handed out, consumed as they are taken.

        Used by the CSV parser when a quoted field continues past a block: the csv module takes only
        the lines the record needs, so whatever it does not take stays for the next block.
        """
        while True:
            line = self._take_line()
            if line is None:
                return
            yield line

    def _take_line(self) -> str | None:
        while True:
            buf, pos = self._buf, self._pos
            end = -1
            nl = buf.find("\n", pos)
            if self._universal:
                cr = buf.find("\r", pos, nl if nl >= 0 else len(buf))
                if cr >= 0:
                    if cr + 1 < len(buf):
                        end = cr + 2 if buf[cr + 1] == "\n" else cr + 1
                    elif self._eof:
                        end = cr + 1
                    # else: a trailing "\r" could start a "\r\n"; read more first.
                elif nl >= 0:
                    end = nl + 1
            elif nl >= 0:
                end = nl + 1
            if end > 0:
                self._pos = end
                self.lines_out += 1
                self._note_long_lines(buf[pos:end])
                return buf[pos:end]
            if not self._fill():
                rest = self._buf[self._pos :]
                self._buf, self._pos = "", 0
                if rest:
                    self.lines_out += 1
                    self._note_long_lines(rest)
                return rest or None


def _detect(data: bytes, allow_cp932: bool) -> str:
    """The encoding of ``data``, the first line that is not ASCII: UTF-8 when they decode as UTF-8, else
    cp932 when allowed and they decode as cp932 with kana or kanji in them, else UTF-8 (which then fails)."""
    try:
        codecs.utf_8_decode(data, "strict", False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if allow_cp932:
        try:
            text = data.decode("cp932")
        except UnicodeDecodeError:
            return "utf-8"
        if _JAPANESE.search(text):
            return "cp932"
    return "utf-8"


def _guess_japanese_encoding(data: bytes, index: int) -> str | None:
    """Name the legacy Japanese encoding the line around ``index`` decodes as, if any."""
    start = data.rfind(b"\n", max(0, index - 4096), index) + 1
    if start == 0:
        start = max(0, index - 4096)
    end = data.find(b"\n", index, index + 4096)
    window = data[start : end if end >= 0 else min(len(data), index + 4096)]
    for codec, name in (("cp932", "Shift_JIS (cp932)"), ("euc_jp", "EUC-JP")):
        try:
            # A whole line must decode completely; a window cut short may end inside a character.
            text = codecs.getincrementaldecoder(codec)().decode(window, final=end >= 0)
        except UnicodeDecodeError:
            continue
        # Western legacy text often decodes as cp932 too (as half-width katakana); only real kana or
        # kanji make the guess credible.
        if _JAPANESE.search(text):
            return name
    return None
