#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: platform_database_backup
short_description: Dump the platform databases into a zone's backup store, or restore them in another zone
version_added: 0.3.0
description:
  - The platform databases (M(aizone.platform.platform_databases), for example MLflow's) hold state that Velero,
    which backs up Kubernetes objects, never sees. This module moves it - the state a failover moves besides the
    objects.
  - V(dump) runs C(pg_dump --format=custom --no-owner --no-privileges) of each database and writes it, with its
    SHA-256, under C(aizone-databases/<prefix>/<database>/) of the bucket of a ReadWrite backup storage location
    (M(aizone.platform.backup_location)), then C(latest.json) naming it. The dumps sit beside the location's
    prefix, never inside it (Velero marks a location whose prefix holds a directory of its own Unavailable), so the
    location must have a prefix. Every run dumps, as O(aizone.platform.backup_schedule#module:backup_now) backs up;
    check mode predicts the keys and writes nothing.
  - V(restore) reads the newest dump of each database through a location - a DR zone's ReadOnly one on its
    primary's prefix - checks its SHA-256 before anything is written, and restores it into the database
    M(aizone.platform.platform_databases) made in this zone, with C(pg_restore --clean --if-exists
    --single-transaction) as the database's owner, so the tables are the owner's and a failed restore changes
    nothing. The database is marked with the dump it holds (a comment on the database) - a second run finds the mark
    and changes nothing, and check mode predicts from the marks.
  - The admin password reaches C(pg_dump) and C(pg_restore) in their environment only, never their arguments, the
    result or the logs. Bad input fails before any connection, naming the option; an unreachable server is retried
    until O(wait_timeout).
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.kube
  - aizone.platform.attributes.kubernetes
  - aizone.platform.postgres_server
  - aizone.platform.velero
requirements:
  - psycopg2 (or psycopg2-binary) and boto3 on the controller
  - PostgreSQL's client programs C(pg_dump) and C(pg_restore) on the controller, at least the server's major version
options:
  action:
    description: V(dump) the databases now, or V(restore) the newest dump of each.
    type: str
    required: true
    choices: [dump, restore]
  databases:
    description:
      - The databases - the list given to M(aizone.platform.platform_databases) may be given as it is; entries with
        O(databases[].state=absent) are skipped.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The database.
        type: str
        required: true
      owner:
        description: Its owner role, which owns what a restore makes; the database's name by default.
        type: str
      namespace:
        description: Accepted so that platform_databases' list can be given; not used.
        type: str
      secret:
        description: Accepted so that platform_databases' list can be given; not used.
        type: str
      state:
        description: V(absent) skips the entry.
        type: str
        choices: [present, absent]
        default: present
  location:
    description:
      - The backup storage location whose bucket, prefix and credentials are used; it must have a prefix.
      - ReadWrite to V(dump); a DR zone restores through its ReadOnly V(from-<primary>).
    type: str
    default: aizone
  wait_timeout:
    description: Seconds the task may take in all (dumps and restores of large databases are long).
    type: int
    default: 1800
'''

EXAMPLES = r'''
- name: Dump MLflow's databases on the primary (the dr role does, after the backups)
  aizone.platform.platform_database_backup:
    kubeconfig: ~/.kube/aizone-dev-aws-use1.yaml
    action: dump
    server: "{{ mlops_server }}"
    databases: [{name: mlflow}, {name: mlflow_auth}]

- name: On the DR zone, after platform_databases made them, restore the primary's newest dumps
  aizone.platform.platform_database_backup:
    kubeconfig: ~/.kube/aizone-dev-azure-eastus.yaml
    action: restore
    location: from-aizone-dev-use1
    server:
      host: 127.0.0.1
      port: 15432
      admin_password_secret: {namespace: aizone-system, name: platform-db-admin}
    databases: [{name: mlflow}, {name: mlflow_auth}]
'''

RETURN = r'''
databases:
  description: Each database and what happened to it.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The database.
      type: str
    action:
      description: dumped, restored or unchanged (the database already holds that dump); predicted in check mode.
      type: str
    key:
      description: The dump's object key in the bucket.
      type: str
    sha256:
      description: The dump's SHA-256; absent from a predicted dump.
      type: str
    bytes:
      description: The dump's size, when it was written or read.
      type: int
    dumped_at:
      description: When the dump was made (UTC, C(YYYYMMDDTHHMMSSZ)); absent from a predicted dump.
      type: str
    seconds:
      description: How long pg_dump or pg_restore and the transfer took.
      type: float
  sample: [{name: mlflow, action: restored, key: aizone-databases/aizone-dev-use1/mlflow/20261201T071106Z.dump,
            sha256: 0f3c..., bytes: 48213, dumped_at: 20261201T071106Z, seconds: 0.41}]
location:
  description: The location used.
  returned: always
  type: str
api_requests:
  description: Requests this task sent to the API server, by HTTP method (see the notes).
  returned: always
  type: dict
  sample: {GET: 3}
'''

from ansible_collections.aizone.platform.plugins.module_utils.dr.databases import ACTIONS, DEFAULT_TIMEOUT, converge
from ansible_collections.aizone.platform.plugins.module_utils.dr.velero import VELERO_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.mlops.db_spec import server_argument

ARGUMENT_SPEC = dict(
    K8S_AUTH_ARGS,
    **VELERO_ARGS,
    server=server_argument(),
    action=dict(type="str", required=True, choices=list(ACTIONS)),
    databases=dict(type="list", elements="dict", required=True, options=dict(
        name=dict(type="str", required=True),
        owner=dict(type="str"),
        namespace=dict(type="str"),
        secret=dict(type="str", no_log=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )),
    location=dict(type="str", default="aizone"),
    wait_timeout=dict(type="int", default=DEFAULT_TIMEOUT),
)


def main():
    run_module(ARGUMENT_SPEC, lambda m: converge(m.params, check_mode=m.check_mode))


if __name__ == "__main__":
    main()
