# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes resource quantities: parse, validate and compare, without a server.

The grammar is the one of k8s.io/apimachinery/pkg/api/resource (quantity.go)::

    <quantity>        ::= <signedNumber><suffix>
    <signedNumber>    ::= <number> | <sign><number>
    <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <sign>            ::= "+" | "-"
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= m | "" | k | M | G | T | P | E
    <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>

Values are exact (fractions.Fraction), so "1Gi" == "1073741824" and
"500m" == "0.5" compare equal, as the API server's canonical form would.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from fractions import Fraction
from functools import lru_cache

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError

BINARY_SI = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60}
DECIMAL_SI = {"m": Fraction(1, 1000), "": 1, "k": 10 ** 3, "M": 10 ** 6, "G": 10 ** 9,
              "T": 10 ** 12, "P": 10 ** 15, "E": 10 ** 18}

_QUANTITY_RE = re.compile(
    r"^(?P<sign>[+-]?)(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?:(?P<binary>Ki|Mi|Gi|Ti|Pi|Ei)|[eE](?P<exp>[+-]?[0-9]+)|(?P<decimal>m|k|M|G|T|P|E)?)$"
)

GRAMMAR_HINT = ("a Kubernetes quantity: a number with an optional suffix "
                "(Ki Mi Gi Ti Pi Ei, m k M G T P E, or an exponent like 1e3), e.g. 500m, 4, 64Gi")


def parse_quantity(value):
    """Return the exact value of a quantity (str, int or float) as a Fraction.

    Raises ValueError when value does not follow the grammar.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError("%r is not a quantity" % (value,))
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text or "inf" in text or "nan" in text:
            raise ValueError("%r is not a quantity" % (value,))
        value = text
    if not isinstance(value, str):
        raise ValueError("%r is not a quantity" % (value,))
    return _parse_text(value)


@lru_cache(maxsize=4096)
def _parse_text(value):
    """parse_quantity for a string; cached, since a batch repeats the same few quantities."""
    match = _QUANTITY_RE.match(value)
    if not match:
        raise ValueError("%r is not a quantity" % (value,))
    number = Fraction(match.group("number") if not match.group("number").endswith(".")
                      else match.group("number")[:-1])
    if match.group("sign") == "-":
        number = -number
    if match.group("binary"):
        return number * BINARY_SI[match.group("binary")]
    if match.group("exp") is not None:
        exp = int(match.group("exp"))
        if abs(exp) > 100:
            raise ValueError("%r: exponent out of range" % (value,))
        return number * (Fraction(10) ** exp)
    return number * DECIMAL_SI[match.group("decimal") or ""]


def is_quantity(value):
    """True when value parses as a quantity."""
    try:
        parse_quantity(value)
    except ValueError:
        return False
    return True


def validate_quantity(field, value, allow_negative=False, allow_zero=True):
    """Check value against the grammar; return it as the string sent to the API.

    field names the option path for the error message. Integers and plain
    floats are accepted (YAML gives `pods: 10`) and rendered as strings.
    """
    try:
        amount = parse_quantity(value)
    except ValueError:
        raise ValidationError(field, "%r is not %s" % (value, GRAMMAR_HINT))
    if amount < 0 and not allow_negative:
        raise ValidationError(field, "%r is negative; quantities here must be >= 0" % (value,))
    if amount == 0 and not allow_zero:
        raise ValidationError(field, "%r is zero; it must be > 0" % (value,))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def compare_quantities(a, b):
    """-1, 0 or 1 as quantity a is smaller, equal to or larger than b."""
    qa, qb = parse_quantity(a), parse_quantity(b)
    return (qa > qb) - (qa < qb)


def quantities_equal(a, b):
    """True when a and b are both quantities of the same value."""
    try:
        return parse_quantity(a) == parse_quantity(b)
    except ValueError:
        return False
