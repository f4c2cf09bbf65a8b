# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place a caller gets a Kubernetes client: `connect(params)` -> k8s.rest.Rest.

`K8S_AUTH_ARGS` is merged into the argument spec of every Kubernetes-side
module (documented by the `aizone.platform.kube` doc fragment); the local
provider passes its zone's kubeconfig the same way.

`connect` picks the transport (k8s/transport.py): the light standard-library
HttpTransport when the kubeconfig uses certificates or tokens, saving the
1.5-2 s of CPU that importing kubernetes costs; the adapter over a
kubernetes ApiClient otherwise (exec plugins, auth providers, proxies).
`connect_with_kubernetes` always takes the adapter. Without a kubeconfig
file, both fall back to the in-cluster service account inside a pod.

The Rest carries a token-bucket rate limiter (qps/burst) and a connection
pool sized for the engine's worker threads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import env_fallback

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.k8s.rest import (
    DEFAULT_BURST, DEFAULT_QPS, RateLimiter, Rest)

K8S_AUTH_ARGS = dict(
    kubeconfig=dict(type="path", fallback=(env_fallback, ["K8S_AUTH_KUBECONFIG", "KUBECONFIG"])),
    context=dict(type="str", fallback=(env_fallback, ["K8S_AUTH_CONTEXT"])),
)
#: what a module writing objects adds (the aizone.platform.objects doc fragment; errors.trim_objects reads it)
REPORT_ARGS = dict(list_unchanged=dict(type="bool", default=False))

DEFAULT_POOL_SIZE = 16


def kubeconfig_path(params):
    """The kubeconfig file the params point at (option, env, then ~/.kube/config)."""
    path = params.get("kubeconfig")
    if path:
        return os.path.expanduser(path)
    return os.path.expanduser("~/.kube/config")


def _source(params):
    """The kubeconfig path to load, or None for the in-cluster service account."""
    path = kubeconfig_path(params)
    if os.path.isfile(path):
        return path
    if not params.get("kubeconfig") and os.environ.get("KUBERNETES_SERVICE_HOST"):
        return None
    raise ValidationError("kubeconfig", "file %s does not exist; set kubeconfig, or "
                          "K8S_AUTH_KUBECONFIG / KUBECONFIG in the environment" % path)


def connect(params, qps=DEFAULT_QPS, burst=DEFAULT_BURST, pool_size=DEFAULT_POOL_SIZE):
    """A Rest client for params['kubeconfig'] / params['context'] (see the module docstring).

    Raises ValidationError naming `kubeconfig` when the file is missing, and
    AizoneError when it cannot be loaded."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s import transport

    path = _source(params)
    if path is None:
        chosen = transport.incluster_http_transport(pool_size=pool_size)
    else:
        chosen = transport.http_transport(path, params.get("context"), pool_size=pool_size)
    if chosen is None:
        chosen = transport.ApiClientTransport.from_kubeconfig(path, params.get("context"), pool_size)
    return Rest(chosen, limiter=RateLimiter(qps, burst))


def connect_config(config, qps=DEFAULT_QPS, burst=DEFAULT_BURST, pool_size=DEFAULT_POOL_SIZE):
    """connect() for a kubeconfig given as a dict (a secret): written 0600 in a private directory, read, removed."""
    import shutil
    import tempfile
    from ansible_collections.aizone.platform.plugins.module_utils.files import kubeconfig_text, write_private_file
    tmp = tempfile.mkdtemp(prefix="aizone-kube-")
    try:
        path = os.path.join(tmp, "kubeconfig")
        write_private_file(path, kubeconfig_text(config))
        return connect({"kubeconfig": path}, qps, burst, pool_size)   # credentials are read now: the file can go
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def connect_with_kubernetes(params, qps=DEFAULT_QPS, burst=DEFAULT_BURST, pool_size=DEFAULT_POOL_SIZE):
    """Like connect, always through the kubernetes ApiClient adapter."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s.transport import ApiClientTransport

    chosen = ApiClientTransport.from_kubeconfig(_source(params), params.get("context"), pool_size)
    return Rest(chosen, limiter=RateLimiter(qps, burst))
