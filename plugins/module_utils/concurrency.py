# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calls made side by side: the one thread pool of the collection.

`outcomes(fn, items, workers)` runs fn on every item with at most `workers`
threads and returns, in the items' order, `(value, None)` or `(None, exc)`:
every call runs to its end even when another one fails, so a caller can
report each (node pools) or raise the first failure after all ended
(`all_or_raise`, the apply engine and the local provider's node writes).
One item, or one worker, runs in the calling thread.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor


def outcomes(fn, items, workers):
    """[(value, None) | (None, exception)] of fn(item) for every item, in order."""
    items = list(items)

    def guarded(item):
        try:
            return fn(item), None
        except Exception as exc:  # noqa: BLE001 - handed back to the caller, who decides
            return None, exc
    if len(items) <= 1 or workers <= 1:
        return [guarded(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(int(workers), len(items))) as pool:
        return list(pool.map(guarded, items))


def all_or_raise(fn, items, workers):
    """[fn(item)] for every item; the first failure (in item order) is raised once all calls ended."""
    results = outcomes(fn, items, workers)
    for _value, exc in results:
        if exc is not None:
            raise exc
    return [value for value, _exc in results]
