#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mlflow_info
short_description: The MLflow tracking servers of a namespace, as they run
version_added: 0.2.0
description:
  - Lists the MLflow tracking servers M(aizone.platform.mlflow) made in a namespace, or the one named, with
    their version, readiness, URL, the Secret their backend store URI comes from (never its value), the artifact
    destination, and their migration Jobs. Two LIST requests. Read-only.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.kube, aizone.platform.attributes.info]
options:
  namespace:
    description: Namespace to look in.
    type: str
    required: true
  name:
    description: Only this server.
    type: str
seealso:
  - module: aizone.platform.mlflow
'''

EXAMPLES = r'''
- name: Is the tenant's tracking server up, and at which version
  aizone.platform.mlflow_info:
    kubeconfig: "{{ aizone_kubeconfig }}"
    namespace: mlops
    name: mlflow
  register: tracking

- name: Fail unless every replica is ready
  ansible.builtin.assert:
    that: tracking.servers[0].ready_replicas == tracking.servers[0].replicas
'''

RETURN = r'''
servers:
  description: One entry per tracking server.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Its name.
      type: str
    namespace:
      description: Its namespace.
      type: str
    version:
      description: MLflow release (the Deployment's C(app.kubernetes.io/version) label).
      type: str
    image:
      description: Server image.
      type: str
    url:
      description: In-cluster URL.
      type: str
    replicas:
      description: Replicas asked for.
      type: int
    ready_replicas:
      description: Replicas ready.
      type: int
    auth:
      description: Whether basic auth is on.
      type: bool
    backend_store_secret:
      description: Name of the Secret the backend store URI comes from.
      type: str
    artifacts_destination:
      description: Where artifacts are stored.
      type: str
    migration:
      description: C(hash), of what the running pods were migrated with, and C(jobs), the migration Jobs left
        (C(name), C(state) one of C(complete), C(failed), C(running), C(completed) time).
      type: dict
  sample:
    - name: mlflow
      namespace: mlops
      version: 3.17.2
      image: ghcr.io/mlflow/mlflow:v3.17.2
      url: http://mlflow.mlops.svc.cluster.local:5000
      replicas: 2
      ready_replicas: 2
      auth: true
      backend_store_secret: mlflow-postgres
      artifacts_destination: s3://acme-mlflow-artifacts/prod
      migration: {hash: 5d1c2e9a, jobs: [{name: mlflow-migrate-5d1c2e9a, state: complete,
                                          completed: "2026-11-30T15:23:43Z"}]}
api_requests:
  description: Kubernetes API requests by HTTP method.
  returned: always
  type: dict
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.mlops.mlflow import info


def main():
    spec = dict(namespace=dict(type="str", required=True), name=dict(type="str"))
    spec.update(K8S_AUTH_ARGS)
    run_module(spec, lambda m: info(m.params))


if __name__ == "__main__":
    main()
