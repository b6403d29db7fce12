"""A folder of plain-text abstracts."""

from __future__ import annotations

import io

from mining.corpus.text_folder import read_text_folder, text_document
from mining.types import Document
from tests.corpus.helpers import Errors, truncated_gzip, write


def test_first_non_empty_line_is_the_title():
    doc = text_document("file:a", "\n\n  A title  \n\nFirst line.\nSecond line.\n")
    assert doc == Document("file:a", "A title", "First line.\nSecond line.")
    assert text_document("file:b", "Just a title") == Document("file:b", "Just a title")
    assert text_document("file:c", " \n\n") is None


def test_folder_reads_each_text_file_and_reports_bad_ones_per_file(tmp_path):
    write(tmp_path / "b.txt", "Title B\nAbstract B.")
    write(tmp_path / "a.txt.gz", "Title A\nAbstract A.", gz=True)
    write(tmp_path / "c.txt", "")
    write(tmp_path / "d.txt", "Caf\xe9 title\nna\xefve text \xe9".encode("latin-1"))
    write(tmp_path / "e.txt.gz", truncated_gzip("Title E\n" + "word " * 5000))
    write(tmp_path / "notes.md", "# not an abstract")
    errors = Errors()
    docs = list(read_text_folder(tmp_path, on_error=errors))
    assert [d.id for d in docs] == ["file:a", "file:b", "file:d"]
    assert docs[0].title == "Title A" and docs[0].abstract == "Abstract A."
    assert docs[2].title == "Caf\ufffd title"
    assert [e.source.rsplit("/", 1)[-1] for e in errors] == ["c.txt", "d.txt", "e.txt.gz"]
    assert "UTF-8" in str(errors[1]) and "gzip" in str(errors[2])


def test_single_file_and_stream(tmp_path):
    path = write(tmp_path / "one.txt", "Title\nText.")
    assert [d.id for d in read_text_folder(path)] == ["file:one"]
    (doc,) = read_text_folder(io.BytesIO(b"Title\nText."), name="<stdin>")
    assert doc.id == "file:stdin"


def test_folder_without_text_files_is_one_error(tmp_path):
    errors = Errors()
    assert list(read_text_folder(tmp_path, on_error=errors)) == []
    assert len(errors) == 1 and str(tmp_path) in str(errors[0])
