from fractions import Fraction

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.quantity import (
    compare_quantities, is_quantity, parse_quantity, quantities_equal, validate_quantity)


@pytest.mark.parametrize("text, value", [
    ("4", 4), ("0", 0), ("500m", Fraction(1, 2)), ("0.5", Fraction(1, 2)), (".5", Fraction(1, 2)),
    ("1.", 1), ("+3", 3), ("-2", -2), ("1k", 1000), ("1M", 10 ** 6), ("2G", 2 * 10 ** 9),
    ("1T", 10 ** 12), ("1P", 10 ** 15), ("1E", 10 ** 18), ("1Ki", 1024), ("64Gi", 64 * 2 ** 30),
    ("1.5Gi", 3 * 2 ** 29), ("1Ti", 2 ** 40), ("1Pi", 2 ** 50), ("1Ei", 2 ** 60), ("1e3", 1000),
    ("1E3", 1000), ("5e-3", Fraction(5, 1000)), ("12e+2", 1200),
    (4, 4), (0.25, Fraction(1, 4)),
])
def test_parse_follows_the_grammar(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize("bad", [
    "", "abc", "1 Gi", "1gi", "1GB", "1Kib", "Gi", "1.2.3", "--1", "1e", "e3", "0x10", "1m1",
    " 1", "1 ", "1Mi ", True, None, [], {}, float("inf"), 1e21,
])
def test_parse_rejects_what_the_api_server_rejects(bad):
    assert not is_quantity(bad)
    with pytest.raises(ValueError):
        parse_quantity(bad)


def test_equal_values_in_different_forms_compare_equal():
    assert quantities_equal("1Gi", "1073741824")
    assert quantities_equal("1024Mi", "1Gi")
    assert quantities_equal("1000m", "1")
    assert not quantities_equal("1G", "1Gi")
    assert not quantities_equal("1", "not-a-quantity")
    assert compare_quantities("500m", "1") == -1
    assert compare_quantities("2", "1500m") == 1
    assert compare_quantities("1k", "1000") == 0


def test_validate_names_the_field_and_the_grammar():
    assert validate_quantity("quota.cpu", 4) == "4"
    assert validate_quantity("quota.cpu", "500m") == "500m"
    assert validate_quantity("quota.cpu", 0.5) == "0.5"
    with pytest.raises(ValidationError) as err:
        validate_quantity("tenants[0].quota.memory", "16GB")
    assert err.value.field == "tenants[0].quota.memory"
    assert "16GB" in err.value.msg and "Gi" in err.value.msg
    with pytest.raises(ValidationError, match="negative"):
        validate_quantity("q", "-1")
    assert validate_quantity("q", "-1", allow_negative=True) == "-1"
    with pytest.raises(ValidationError, match="zero"):
        validate_quantity("q", "0", allow_zero=False)
