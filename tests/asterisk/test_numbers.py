"""Number fields: the parse's digit loop reads exactly what ``float()`` reads.

:func:`~panneau.plugins.asterisk.record.read_digits` is the loop the compiled parse uses for
every number field (``decimal``); in pure Python ``decimal`` is ``float`` itself. These tests
run on both engines (``tests/test_compiled_engine.py`` runs tests/asterisk compiled too), so
the native loop is held to ``float()`` as well as the Python one.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from panneau.plugins.asterisk.record import decimal, read_digits


def outcome(read, text: str) -> tuple[str, object]:
    """``("value", v)`` or ``("error", type)`` for ``read(text)``."""
    try:
        value = read(text)
    except ValueError as exc:
        return "error", type(exc)
    assert type(value) is float
    return "value", value


_DIGITS = st.text(alphabet="0123456789", min_size=0, max_size=20)
_NEAR = st.text(alphabet="0123456789 +-._eE\t\n\u0660\u0669\uff10\u00b2", max_size=18)


@given(st.one_of(_DIGITS, _NEAR, st.text(max_size=20),
                 st.integers(0, 10**16).map(str), st.floats(allow_nan=False).map(repr)))
@example("")
@example("0")
@example("000000000000000")
@example("999999999999999")  # 15 digits, the loop's longest
@example("9999999999999999")  # 16: float()'s own
@example("1700000000")
@example("17000000001234567890")
@example(" 12")
@example("12 ")
@example("1_000")
@example("+5")
@example("-0")
@example("1.5")
@example("1e3")
@example("\u0661\u0662")  # Arabic-Indic digits: float() reads them
@example("/")  # one below "0"
@example(":")  # one above "9"
def test_the_digit_loop_reads_what_float_reads(text):
    expected = outcome(float, text)
    assert outcome(read_digits, text) == expected
    assert outcome(decimal, text) == expected


def test_pure_python_reads_number_fields_with_float_itself():
    """The loop costs more than ``float()`` in the interpreter (see ``decimal``)."""
    import panneau.plugins.asterisk.record as record

    if record.__file__.endswith(".py"):
        assert decimal is float
    else:
        assert decimal is read_digits


@pytest.mark.parametrize("text", ["1795000000", "0", "7", "45", "8000", "000123"])
def test_whole_numbers_are_exact(text):
    assert read_digits(text) == int(text) == float(text)
