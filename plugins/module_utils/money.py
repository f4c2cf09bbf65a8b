# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exact money: Decimal amounts, hours to months, and splitting a total into parts that add up to it exactly."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from decimal import ROUND_HALF_UP, Decimal

from ansible_collections.aizone.platform.plugins.module_utils.catalog.price_data import HOURS_PER_MONTH

CENT = Decimal("0.01")
MICRO = Decimal("0.000001")
ZERO = Decimal(0)


def dec(value):
    """A Decimal of a price figure (float, int, str or Decimal); None stays None."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def monthly(hourly):
    """The monthly figure of an hourly one (HOURS_PER_MONTH hours), exact."""
    return None if hourly is None else dec(hourly) * HOURS_PER_MONTH


def cents(amount):
    """amount rounded half-up to the cent."""
    return None if amount is None else dec(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def micros(amount):
    """amount rounded half-up to a millionth (hourly figures)."""
    return None if amount is None else dec(amount).quantize(MICRO, rounding=ROUND_HALF_UP)


def apportion(total, weights, quantum=CENT):
    """Split `total` (a multiple of quantum) into len(weights) multiples of quantum, proportional to the weights,
    adding up to total exactly: the largest remainders get the leftover quanta (ties: the earlier part).

    Weights are non-negative Decimals; all zero gives everything to the last part."""
    total = dec(total)
    units = int((total / quantum).to_integral_value())
    if not weights:
        return []
    whole = sum(weights, ZERO)
    if whole <= 0:
        return [ZERO] * (len(weights) - 1) + [total]
    shares = [w * units / whole for w in weights]
    floors = [int(s) for s in shares]
    left = units - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [quantum * n for n in floors]


def figure(amount, quantum=CENT):
    """A result number: amount rounded to quantum, as a float (None stays None)."""
    if amount is None:
        return None
    return float(dec(amount).quantize(quantum, rounding=ROUND_HALF_UP))
