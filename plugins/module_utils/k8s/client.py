# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes connection options and ApiClient construction.

`K8S_AUTH_ARGS` is merged into the argument spec of every Kubernetes-side
module (documented by the `aizone.platform.kube` doc fragment).

- `build_client(params)`: what modules pass to the apply engine. A light
  standard-library client (k8s/fastclient.py) when the kubeconfig uses certificates or
  tokens, saving the 1.5-2 s of CPU that importing kubernetes costs; a
  kubernetes ApiClient otherwise (exec plugins, auth providers).
- `build_api_client(params)`: always a kubernetes.client.ApiClient, for code
  that calls the generated APIs (CoreV1Api(...)). kubernetes is imported
  only there, so bad input fails first.

The client carries a token-bucket `rate_limiter` (qps/burst) that the apply
engine honours for every request, and a connection pool sized for the
engine's worker threads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import threading
import time

from ansible.module_utils.basic import env_fallback

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError

K8S_AUTH_ARGS = dict(
    kubeconfig=dict(type="path", fallback=(env_fallback, ["K8S_AUTH_KUBECONFIG", "KUBECONFIG"])),
    context=dict(type="str", fallback=(env_fallback, ["K8S_AUTH_CONTEXT"])),
)

DEFAULT_QPS = 200.0
DEFAULT_BURST = 400
DEFAULT_POOL_SIZE = 16


class RateLimiter(object):
    """Token bucket shared by threads: `qps` tokens a second, at most `burst` saved."""

    def __init__(self, qps=DEFAULT_QPS, burst=DEFAULT_BURST, clock=time.monotonic, sleep=time.sleep):
        if qps <= 0 or burst < 1:
            raise ValueError("qps must be > 0 and burst >= 1")
        self.qps = float(qps)
        self.burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self):
        """Take one token, sleeping until one is available; return the time slept."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.qps)
            self._last = now
            self._tokens -= 1.0
            wait = -self._tokens / self.qps if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


def kubeconfig_path(params):
    """The kubeconfig file the params point at (option, env, then ~/.kube/config)."""
    path = params.get("kubeconfig")
    if path:
        return os.path.expanduser(path)
    return os.path.expanduser("~/.kube/config")


def missing_kubeconfig(path):
    return ValidationError("kubeconfig", "file %s does not exist; set kubeconfig, or "
                           "K8S_AUTH_KUBECONFIG / KUBECONFIG in the environment" % path)


def build_client(params, qps=DEFAULT_QPS, burst=DEFAULT_BURST, pool_size=DEFAULT_POOL_SIZE):
    """A client for the apply engine (see the module docstring); same errors as build_api_client."""
    from ansible_collections.aizone.platform.plugins.module_utils.k8s import transport as fastclient

    path = kubeconfig_path(params)
    client = None
    if os.path.isfile(path):
        client = fastclient.load(path, params.get("context"), pool_size=pool_size)
    elif not params.get("kubeconfig") and os.environ.get("KUBERNETES_SERVICE_HOST"):
        client = fastclient.load_incluster(pool_size=pool_size)
    else:
        raise missing_kubeconfig(path)
    if client is None:
        return build_api_client(params, qps, burst, pool_size)
    client.rate_limiter = RateLimiter(qps, burst)
    return client


def build_api_client(params, qps=DEFAULT_QPS, burst=DEFAULT_BURST, pool_size=DEFAULT_POOL_SIZE):
    """Return a kubernetes.client.ApiClient for params['kubeconfig'] / params['context'].

    Without a kubeconfig file, falls back to the in-cluster service account
    when running in a pod. Raises ValidationError naming `kubeconfig` when the
    file is missing, AizoneError when the kubernetes package is absent or the
    file/context cannot be loaded.
    """
    try:
        from kubernetes import client as k8s_client, config as k8s_config
        from kubernetes.config.config_exception import ConfigException
    except ImportError:
        raise AizoneError("the Python package 'kubernetes' is required on the controller "
                          "(pip install kubernetes)")

    path = kubeconfig_path(params)
    configuration = k8s_client.Configuration()
    if os.path.isfile(path):
        try:
            k8s_config.load_kube_config(config_file=path, context=params.get("context"),
                                        client_configuration=configuration, persist_config=False)
        except ConfigException as exc:
            raise AizoneError("cannot load kubeconfig %s (context %s): %s"
                              % (path, params.get("context") or "current-context", exc))
    elif not params.get("kubeconfig") and os.environ.get("KUBERNETES_SERVICE_HOST"):
        try:
            k8s_config.load_incluster_config(client_configuration=configuration)
        except ConfigException as exc:
            raise AizoneError("cannot load in-cluster configuration: %s" % exc)
    else:
        raise missing_kubeconfig(path)

    configuration.connection_pool_maxsize = max(pool_size, 1)
    api_client = k8s_client.ApiClient(configuration)
    api_client.user_agent = "aizone.platform"
    api_client.rate_limiter = RateLimiter(qps, burst)
    return api_client
