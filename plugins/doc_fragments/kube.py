# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options of every Kubernetes-side module (module_utils/k8s/client.py K8S_AUTH_ARGS)."""

    DOCUMENTATION = r'''
options:
  kubeconfig:
    description:
      - Path to the kubeconfig file of the cluster.
      - When not set, the environment variable E(K8S_AUTH_KUBECONFIG), then E(KUBECONFIG),
        then C(~/.kube/config) is used; inside a pod without any of them, the in-cluster
        service account.
      - A missing file fails before any API call.
    type: path
  context:
    description:
      - Name of the kubeconfig context to use.
      - When not set, the environment variable E(K8S_AUTH_CONTEXT), then the kubeconfig's
        current context.
    type: str
notes:
  - Requests go through the Python standard library. Only a kubeconfig whose user runs an exec credential
    plugin or an auth provider, or whose cluster needs a proxy or a TLS server name, needs the
    C(kubernetes) Python package on the controller.
  - Writes go through server-side apply with field manager C(aizone.platform), and every object
    written carries the label C(app.kubernetes.io/managed-by=aizone.platform); objects without it
    are never deleted or pruned.
  - Check mode uses the API server's dry run, so admission and validation are part of the
    prediction.
'''
