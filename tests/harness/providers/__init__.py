"""Provider harnesses for the provider contract suite (tests/integration/providers/test_provider_contract.py).

The suite is ONE set of tests parametrized over providers. Each provider joins
it by adding a harness module ``tests/harness/providers/<name>.py``; the
suite discovers the modules present (``available()``), so it runs before all
of them have landed.

A harness module defines:

``NAME``
    the provider name as users write it (``local``, ``eks``, ``aks``, ``gke``).

``MARKS`` (optional)
    a list of pytest marks applied to that provider's parameter, e.g.
    ``[pytest.mark.controlplane]`` for local.

``make_harness(request)``
    called once per provider per test session with the pytest ``request``
    (use ``request.getfixturevalue("moto_endpoint")``,
    ``request.getfixturevalue("controlplane")`` ...). Returns an object with:

    ``module_params`` (dict)
        the provider-connection options passed to zone, zone_info, node_pool
        and node_pool_info: ``provider`` plus whatever the provider needs
        (``region``, ``endpoint_url``, credentials); names from
        plugins/module_utils/providers/__init__.py ``PROVIDER_ARGS``.
    ``zone_spec`` (dict)
        zone options without the connection options and without ``state``:
        at least ``name``; may carry ``kubernetes_version``, ``zone_type``,
        ``networking``, ``logging``, ``tags``, ``wait_timeout``.
    ``zone_update`` (dict)
        options merged into ``zone_spec`` for the in-place zone update step
        (a field in the provider's ``zone_updatable``, e.g. ``tags``).
    ``node_pool_spec`` (dict)
        node_pool options without ``zone``, connection options and ``state``:
        ``name``, ``type``, ``instance_type`` or ``gpu``, ``autoscaling``,
        ``labels`` (at least one), ``taints`` (EMPTY: the suite adds the
        first taint), ``capacity_type``, ``disk_size_gb``.
    ``write_calls()`` -> int
        number of write calls (create/update/patch/delete) the provider's API
        received since the last ``reset_counts()``. Must count what the
        modules send, so that "second run: no write calls" is a real check.
    ``reset_counts()``
        start a new counting window.
    ``cleanup()``
        best-effort removal of what the suite created (called at session end,
        also after failures).
"""

import importlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def available():
    """Names of the harness modules present, sorted (local first)."""
    names = []
    for entry in sorted(os.listdir(HERE)):
        if entry.endswith(".py") and not entry.startswith("_"):
            names.append(entry[:-3])
    return sorted(names, key=lambda n: (n != "local", n))


def load(name):
    """Import the harness module tests/harness/providers/<name>.py."""
    return importlib.import_module("%s.%s" % (__name__, name))
