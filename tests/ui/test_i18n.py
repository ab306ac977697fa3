"""English at the counter: every Chinese phrase in app/ui has an English entry, and the windows built in
English show no Chinese of their own (the town's data — names, items, villages — stays as it is)."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLineEdit, QPlainTextEdit, QTabWidget, QWidget

from app.services.demo import DEMO_PASSWORD
from app.services.staff import authenticate
from app.services.station import station_view
from app.ui import i18n
from app.ui.counter.view import CounterView
from app.ui.counter.view_model import CounterViewModel
from app.ui.shell import MainWindow
from app.ui.work.view import WorkView
from app.ui.work.view_model import WorkViewModel

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3001-\u9fff\uff00-\uffef]")  # Chinese characters and full-width punctuation
FIELD = re.compile(r"\{(\w*)\}")


def _phrases() -> tuple[list[str], list[str]]:
    """(phrases passed to tr()/N_(), Chinese literals that are not) across app/ui."""
    marked, loose = [], []
    for path in sorted((ROOT / "app" / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value)):
                continue
            parent = parents.get(node)
            if isinstance(parent, ast.Expr):  # a docstring
                continue
            if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and \
                    parent.func.id in {"tr", "N_", "trn"}:
                marked.append(node.value)
                continue
            exempt, up = False, node
            while up in parents:
                up = parents[up]
                # The command line's help is bilingual (read before a language is chosen); samples() are data
                # that size the columns; ENDONYMS names each language in itself.
                exempt |= isinstance(up, ast.FunctionDef) and up.name in {"parse_args", "samples"}
                exempt |= isinstance(up, ast.Assign) and any(getattr(t, "id", "") == "ENDONYMS" for t in up.targets)
            if not exempt:
                loose.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    return marked, loose


def _english() -> dict[str, str]:
    return json.loads((ROOT / "resources" / "translations" / "en.json").read_text(encoding="utf-8"))


def test_every_chinese_phrase_in_the_ui_goes_through_tr_and_has_an_english_entry() -> None:
    marked, loose = _phrases()
    assert loose == [], "wrap these in tr() (or N_() for a constant) and add them to en.json"
    english = _english()
    assert sorted(set(marked) - set(english)) == []
    assert sorted(set(english) - set(marked)) == [], "entries no label uses any more"


def test_each_english_entry_keeps_the_fields_of_its_chinese_phrase_and_has_no_chinese_words() -> None:
    for zh, entry in _english().items():
        forms = [entry] if isinstance(entry, str) else [entry["one"], entry["other"]]
        assert isinstance(entry, str) or set(entry) == {"one", "other"}, zh
        for en in forms:
            assert sorted(FIELD.findall(zh)) == sorted(FIELD.findall(en)) or (
                en is not forms[-1] and set(FIELD.findall(en)) <= set(FIELD.findall(zh))), zh
            words = FIELD.sub("", en)
            for example in ("青溪村", "石门村", "浙A12345"):  # sample data quoted inside a hint stays Chinese
                words = words.replace(example, "")
            assert not CJK.search(words), en


@pytest.fixture
def english() -> Iterator[None]:
    i18n.use_language("en")
    yield
    i18n.use_language("zh")


def _own_words(root: QWidget) -> list[str]:
    """The texts a window writes itself: buttons, group titles and placeholders (not data in labels)."""
    texts = [b.text() for b in root.findChildren(QAbstractButton)]
    texts += [g.title() for g in root.findChildren(QGroupBox)]
    texts += [t.tabText(n) for t in root.findChildren(QTabWidget) for n in range(t.count())]
    texts += [e.placeholderText() for e in root.findChildren(QLineEdit)]
    texts += [e.placeholderText() for e in root.findChildren(QPlainTextEdit)]
    return [t for t in texts if t]


def test_the_counter_and_todays_work_in_english_show_no_chinese_of_their_own(qtbot, demo_ctx, runner, english):
    actor = authenticate(demo_ctx, username="xiaoli", password=DEMO_PASSWORD)
    counter = CounterView(CounterViewModel(demo_ctx, runner, "en", actor=actor))
    work = WorkView(WorkViewModel(demo_ctx, runner, "en", actor=actor))
    window = MainWindow(station=station_view(demo_ctx), actor=actor, counter=counter, work=work)
    qtbot.addWidget(window)
    window.show()
    words = _own_words(window)
    assert {"Accept  F9", "Counter  F1", "Forward to town  F7"} <= set(words)
    assert [w for w in words if CJK.search(w)] == []
    headers = [counter.residents.headerData(n, Qt.Orientation.Horizontal)
               for n in range(counter.residents.columnCount())]
    assert headers == ["Name  village", "ID number  phone"]
    assert "post" in window.staff_label.text() and "工号" not in window.staff_label.text()

    counter.search.setText("zs")  # the hint after a search is English, the residents' names stay as they are
    counter.vm.search_now()
    qtbot.waitUntil(lambda: counter.residents.rowCount() > 0, timeout=5000)
    assert re.fullmatch(r"\d+ found by pinyin initials\. ↓ to choose, Enter to confirm", counter.hint.text())


def test_a_count_of_one_reads_in_the_singular_in_english(english) -> None:
    assert i18n.trn("有 {n} 处需要改正，见红字。", 1).format(n=1) == "1 field needs correcting; see the red text."
    assert i18n.trn("有 {n} 处需要改正，见红字。", 3).format(n=3) == "3 fields need correcting; see the red text."
    i18n.use_language("zh")
    assert i18n.trn("有 {n} 处需要改正，见红字。", 1).format(n=1) == "有 1 处需要改正，见红字。"
