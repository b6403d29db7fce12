"""Highlighting: escaped text, marks at the right offsets, overlaps dropped, safe classes."""

from __future__ import annotations

from app.highlight import Mark, highlight, legend, type_class


def test_marks_at_offsets_of_the_document_text():
    text = "Lithium caused polyuria."
    got = highlight(text, [Mark(10, 17, "Chemical"), Mark(25, 33, "Disease")], offset=10)
    assert got == (
        '<mark class="ent-chemical" title="Chemical">Lithium</mark> caused '
        '<mark class="ent-disease" title="Disease">polyuria</mark>.'
    )


def test_text_and_labels_are_escaped():
    got = highlight("<b>x</b> & y", [Mark(0, 8, '"><script>')])
    assert got == (
        '<mark class="ent-script" title="&quot;&gt;&lt;script&gt;">&lt;b&gt;x&lt;/b&gt;</mark>'
        " &amp; y"
    )


def test_overlapping_and_outside_marks_are_dropped():
    text = "acute kidney injury"
    marks = [Mark(6, 12, "Organ"), Mark(0, 19, "Disease"), Mark(15, 40, "Other")]
    assert highlight(text, marks) == f'<mark class="ent-disease" title="Disease">{text}</mark>'


def test_type_class_keeps_letters_and_digits_only():
    assert type_class("Cell Line") == "ent-cellline"
    assert type_class('x" onload="y') == "ent-xonloady"
    assert type_class("<>") == "ent-other"


def test_legend_lists_each_type_once():
    assert legend(["Disease", "Chemical", "Disease"]).count("<mark") == 2
