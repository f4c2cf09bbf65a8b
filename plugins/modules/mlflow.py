#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mlflow
short_description: An MLflow tracking server in a tenant namespace, its schema migrated before it rolls out
version_added: 0.2.0
description:
  - Converges one MLflow tracking server (Deployment, Service, ServiceAccount, PodDisruptionBudget,
    NetworkPolicy, garbage-collection CronJob, optionally a ServiceMonitor) in a namespace.
  - The backend store is PostgreSQL, its URI read whole from a Secret (M(aizone.platform.platform_databases)
    writes one); no password is spliced into an argument or a manifest. SQLite is refused unless
    O(development=true). The Secrets are read before anything is written, and a backend URI of another
    scheme fails naming the option.
  - Artifacts are proxied by the server (C(--serve-artifacts)) to S3, Azure Blob or GCS, with the store's
    credentials from a Secret or from workload identity (IRSA on EKS, workload identity on AKS and GKE);
    clients need no store credentials.
  - Basic auth is on, backed by its own PostgreSQL database. The admin password and the Flask secret key
    come from Secrets; when those Secrets do not exist they are generated (random, 32 letters and digits,
    stored only in the Secret) unless O(auth.create_missing_secrets=false). There is no default password.
  - The server listens on C(0.0.0.0) and accepts only the Host names of its Service (short, namespaced,
    C(.svc), FQDN, each with and without the port) and O(ingress_host).
  - Schema migrations of both databases run as a Job, named after what it migrates, before the Deployment
    changes. The Deployment's pod template records the migration it was rolled out after, so a run that
    changes nothing migrates nothing, and a new O(version) runs a new Job first. A migration that fails or
    outlasts O(migration_timeout) stops the task with the Job's reason (and the container's exit message,
    when a pod reported one); the running server is left as it was.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.kube
  - aizone.platform.attributes.kubernetes
  - aizone.platform.wait
  - aizone.platform.objects
options:
  name:
    description: Name of the server's objects (a DNS label of at most 52 characters).
    type: str
    default: mlflow
  namespace:
    description: Namespace (a tenant) the server runs in. It must exist; in check mode a missing one is
      predicted created by an earlier task.
    type: str
    required: true
  state:
    description: C(absent) deletes the server's objects and migration Jobs and keeps its Secrets, databases and
      artifacts claim.
    type: str
    choices: [present, absent]
    default: present
  version:
    description: MLflow release the server runs; a new one migrates the schema first.
    type: str
    default: 3.17.2
  image:
    description: Server image; C(ghcr.io/mlflow/mlflow:v<version>) when omitted.
    type: str
  python_packages:
    description:
      - Python requirements an init container installs for the server, Job and CronJob. By default the pinned
        drivers for PostgreSQL, basic auth and the artifact store's scheme. An empty list installs none (an
        image that has them).
    type: list
    elements: str
  package_index_url:
    description: Package index for O(python_packages) (a mirror), instead of PyPI.
    type: str
  replicas:
    description: Server replicas, 1 to 20.
    type: int
    default: 1
  workers:
    description: Worker processes per replica, 1 to 32.
    type: int
    default: 2
  port:
    description: Port of the server and its Service, 1024 to 65535.
    type: int
    default: 5000
  backend_store:
    description: The tracking backend store.
    type: dict
    suboptions:
      uri_secret:
        description: Secret key holding the whole C(postgresql://) URI (required unless O(development=true)).
        type: dict
        suboptions:
          name:
            description: Secret name, in O(namespace).
            type: str
            required: true
          key:
            description: Key of the URI.
            type: str
            default: uri
  auth:
    description: Basic authentication.
    type: dict
    default: {}
    suboptions:
      enabled:
        description: Off only with O(development=true).
        type: bool
        default: true
      database_uri_secret:
        description: Secret key holding basic auth's own database URI (C(postgresql://)).
        type: dict
        suboptions:
          name:
            description: Secret name, in O(namespace).
            type: str
            required: true
          key:
            description: Key of the URI.
            type: str
            default: uri
      admin_username:
        description: The admin user basic auth creates on first start.
        type: str
        default: admin
      admin_password_secret:
        description: Secret key holding the admin's password.
        type: dict
        suboptions:
          name:
            description: Secret name, in O(namespace).
            type: str
            required: true
          key:
            description: Key of the password.
            type: str
            default: password
      secret_key_secret:
        description: Secret key holding the Flask secret key (CSRF), the same for every replica.
        type: dict
        suboptions:
          name:
            description: Secret name, in O(namespace).
            type: str
            required: true
          key:
            description: Key of the secret key.
            type: str
            default: secret-key
      create_missing_secrets:
        description: Generate the admin password and secret key Secrets when they do not exist. An existing
          Secret is never changed; one without the key fails the task.
        type: bool
        default: true
      default_permission:
        description: What an authenticated user may do with others' experiments and models.
        type: str
        choices: [READ, EDIT, MANAGE, NO_PERMISSIONS]
        default: READ
  artifacts:
    description: Where the server stores artifacts; it proxies every client's uploads and downloads.
    type: dict
    default: {}
    suboptions:
      destination:
        description: C(s3://bucket[/prefix]), C(wasbs://container@account.blob.core.windows.net[/prefix]) or
          C(gs://bucket[/prefix]); required unless O(development=true).
        type: str
      volume:
        description:
          - Artifacts on a PersistentVolumeClaim (C(<name>-artifacts)) the server mounts and serves, for a zone
            without an object store; instead of O(artifacts.destination).
          - A C(ReadWriteOnce) claim serves one replica, and the Deployment then replaces its pod rather than
            rolling (the old and new pod cannot mount it at once).
        type: dict
        suboptions:
          size:
            description: Storage requested, like C(20Gi).
            type: str
            required: true
          storage_class:
            description: StorageClass (M(aizone.platform.storage_classes)); the zone's default when omitted.
            type: str
          access_mode:
            description: C(ReadWriteMany) needs a shared class, and allows several replicas.
            type: str
            choices: [ReadWriteOnce, ReadWriteMany]
            default: ReadWriteOnce
      s3_endpoint_url:
        description: S3-compatible endpoint (MinIO and the like).
        type: str
      credentials_secret:
        description: Secret whose keys become the server's environment (for example C(AWS_ACCESS_KEY_ID) and
          C(AWS_SECRET_ACCESS_KEY), or C(AZURE_STORAGE_CONNECTION_STRING)). Not with O(artifacts.workload_identity).
        type: str
      workload_identity:
        description: The cloud identity of the server's ServiceAccount.
        type: dict
        suboptions:
          provider:
            description: The cloud.
            type: str
            required: true
            choices: [eks, aks, gke]
          role_arn:
            description: IAM role ARN (EKS, IRSA annotation).
            type: str
          client_id:
            description: Managed identity client ID (AKS).
            type: str
          service_account:
            description: Google service account e-mail (GKE).
            type: str
  ingress_host:
    description: Host name clients reach the server by through an ingress; added to the allowed hosts.
    type: str
  node_pool:
    description: Node pool the server, migration and gc pods run on.
    type: str
  resources:
    description: Server container resources.
    type: dict
    default: {}
    suboptions:
      cpu:
        description: CPU request.
        type: str
        default: 500m
      memory:
        description: Memory request.
        type: str
        default: 1Gi
      cpu_limit:
        description: CPU limit (none by default).
        type: str
      memory_limit:
        description: Memory limit.
        type: str
        default: 2Gi
  metrics:
    description: Prometheus metrics.
    type: dict
    default: {}
    suboptions:
      enabled:
        description: Serve C(/metrics).
        type: bool
        default: false
      service_monitor:
        description: Make a ServiceMonitor, when the zone serves its CRD (with a warning and none otherwise).
        type: bool
        default: false
  gc:
    description: A CronJob running C(mlflow gc) for runs deleted longer ago than O(gc.older_than).
    type: dict
    default: {}
    suboptions:
      enabled:
        description: Make the CronJob (false deletes it).
        type: bool
        default: true
      schedule:
        description: Five-field cron schedule.
        type: str
        default: 17 3 * * *
      older_than:
        description: Age of deleted runs to remove, like C(30d), C(12h).
        type: str
        default: 30d
  migration_timeout:
    description: Seconds the migration Job may run (its C(activeDeadlineSeconds)), 10 to 7200.
    type: int
    default: 600
  development:
    description: Allow what production must not have - SQLite, no artifact store, auth off.
    type: bool
    default: false
notes:
  - The task warns about what it could not check in check mode (a namespace or Secret an earlier task of the
    play creates), and about a ServiceMonitor the zone cannot serve.
  - Secret values never appear in the result, the diff or the manifests; generated Secrets are shown with
    C(<generated>) in place of their values.
  - On a local zone the pods are played by KWOK, so the Job completes and the server reports ready without
    running MLflow; the collection's tests run the rendered containers with the real MLflow, PostgreSQL and
    an S3 double.
seealso:
  - module: aizone.platform.platform_databases
  - module: aizone.platform.mlflow_info
'''

EXAMPLES = r'''
- name: The tenant's databases for the server and its auth
  aizone.platform.platform_databases:
    kubeconfig: "{{ aizone_kubeconfig }}"
    server: {host: platform-db.example.internal, admin_password_secret: {namespace: aizone-system, name: platform-db}}
    databases:
      - {name: mlflow, namespace: mlops}
      - {name: mlflow_auth, namespace: mlops}

- name: MLflow, artifacts in S3 through IRSA
  aizone.platform.mlflow:
    kubeconfig: "{{ aizone_kubeconfig }}"
    namespace: mlops
    backend_store: {uri_secret: {name: mlflow-postgres}}
    auth:
      database_uri_secret: {name: mlflow-auth-postgres}
      admin_password_secret: {name: mlflow-admin}
      secret_key_secret: {name: mlflow-flask}
    artifacts:
      destination: s3://acme-mlflow-artifacts/prod
      workload_identity: {provider: eks, role_arn: "arn:aws:iam::123456789012:role/mlflow-artifacts"}
    ingress_host: mlflow.ml.acme.example
    replicas: 2

- name: Upgrade - the migration Job runs to completion before the new pods
  aizone.platform.mlflow:
    kubeconfig: "{{ aizone_kubeconfig }}"
    namespace: mlops
    version: 3.17.2
    backend_store: {uri_secret: {name: mlflow-postgres}}
    auth:
      database_uri_secret: {name: mlflow-auth-postgres}
      admin_password_secret: {name: mlflow-admin}
      secret_key_secret: {name: mlflow-flask}
    artifacts: {destination: "gs://acme-mlflow/prod",
                workload_identity: {provider: gke, service_account: mlflow@acme-ml.iam.gserviceaccount.com}}
    migration_timeout: 900
'''

RETURN = r'''
mlflow:
  description: The server.
  returned: always
  type: dict
  contains:
    name:
      description: Its name.
      type: str
    namespace:
      description: Its namespace.
      type: str
    version:
      description: MLflow release.
      type: str
    url:
      description: In-cluster URL.
      type: str
    allowed_hosts:
      description: Host names the server accepts.
      type: list
      elements: str
    auth:
      description: Whether basic auth is on.
      type: bool
    action:
      description: With O(state=absent), C(deleted) or C(unchanged).
      type: str
      returned: when state is absent
    migration:
      description: The schema migration of this run - C(job), its name (null when none was due), and
        C(action), one of C(not needed), C(run), C(rerun) (a failed Job of the same hash replaced),
        C(joined) (one already running, waited for) or C(completed earlier).
      type: dict
      returned: when state is present
    rollout:
      description: The Deployment's state after the wait.
      type: str
      returned: when waited
  sample:
    name: mlflow
    namespace: mlops
    version: 3.17.2
    url: http://mlflow.mlops.svc.cluster.local:5000
    auth: true
    migration: {job: mlflow-migrate-5d1c2e9a, action: run}
    rollout: 1/1 ready, 1 updated
objects:
  description: The objects of the run that changed (see the notes).
  returned: always
  type: list
  elements: dict
object_counts:
  description: How many objects each action concerned.
  returned: always
  type: dict
diff:
  description: Before and after of each changed object, with Secret values never shown.
  returned: with --diff
  type: list
  elements: dict
api_requests:
  description: Kubernetes API requests by HTTP method.
  returned: always
  type: dict
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS, REPORT_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.mlops.mlflow import converge
from ansible_collections.aizone.platform.plugins.module_utils.mlops.mlflow_spec import argument_spec
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args


def main():
    spec = argument_spec()
    spec.update(K8S_AUTH_ARGS)
    spec.update(REPORT_ARGS)
    spec.update(wait_args())
    run_module(spec, lambda m: converge(m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
