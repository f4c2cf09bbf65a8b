#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: platform_databases
short_description: PostgreSQL databases of the platform's services, each with its own role and password Secret
version_added: 0.2.0
description:
  - Converges a list of databases in one PostgreSQL server (a managed server's endpoint, or one the zone runs)
    in one task. Each database gets a login role that owns it and nothing else (no superuser, createdb,
    createrole, replication or bypassrls), and C(CONNECT) and C(TEMPORARY) are revoked from C(PUBLIC), so a
    service's role reaches only its own database.
  - Each database's password lives in a Kubernetes Secret in the consuming service's namespace, with the
    keys C(username), C(password), C(host), C(port), C(database), C(sslmode) and C(uri) (the whole
    C(postgresql://) URI, to be read from the Secret as it is; nothing splices a password into an argument).
    A missing Secret gets a generated password; an existing one is the source of truth, and a role whose
    password no longer opens its database is given the Secret's back.
  - Passwords are sent to the server as SCRAM-SHA-256 verifiers computed on the controller, never as plain
    text, and never appear in the module's result, diff or logs.
  - Everything is read before anything is written; bad input fails before any connection, naming the option.
    Connection failures that a retry can fix (server starting, refused, too many connections) are retried
    with backoff for up to 60 seconds.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment: [aizone.platform.kube, aizone.platform.attributes.kubernetes, aizone.platform.postgres_server]
requirements:
  - psycopg2 (or psycopg2-binary) on the controller
options:
  databases:
    description: The databases, one per service.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Database name; lowercase letters, digits and C(_), at most 63 characters, not C(postgres),
            C(template0), C(template1) nor starting with C(pg_).
        type: str
        required: true
      owner:
        description: The database's own login role. Defaults to O(databases[].name). Never shared between databases.
        type: str
      namespace:
        description: Namespace of the service that uses the database, where its Secret is written. It must exist.
        type: str
        required: true
      secret:
        description: Name of the Secret. Defaults to the database name with C(-) for C(_) and a C(-postgres) suffix.
        type: str
      state:
        description:
          - V(absent) drops the database (closing its connections) and its role, and deletes the Secret.
        type: str
        default: present
        choices: [present, absent]
  password_length:
    description: Length of generated passwords (letters and digits), 16 to 128.
    type: int
    default: 32
notes:
  - The Secrets carry the labels C(app.kubernetes.io/managed-by=aizone.platform) and C(aizone.io/database); a
    Secret of the same name without them is refused, never overwritten.
  - A role of the list that already exists with more privileges is reduced to a plain login role.
seealso:
  - module: aizone.platform.tenant
'''

EXAMPLES = r'''
- name: The platform services' databases in the zone's PostgreSQL
  aizone.platform.platform_databases:
    kubeconfig: "{{ aizone_kubeconfig }}"
    server:
      host: platform-db.example.internal
      admin_user: platform_admin
      admin_password_secret: {namespace: aizone-system, name: platform-db-admin}
      sslmode: verify-full
    databases:
      - {name: mlflow, namespace: mlops}
      - {name: mlflow_auth, namespace: mlops}
      - {name: agent, namespace: agentic}
      - {name: training, namespace: training}

- name: Retire a service's database (drops it, its role and its Secret)
  aizone.platform.platform_databases:
    kubeconfig: "{{ aizone_kubeconfig }}"
    server: {host: platform-db.example.internal, admin_password: "{{ vault_platform_db_admin }}"}
    databases:
      - {name: tuning, namespace: training, state: absent}
'''

RETURN = r'''
databases:
  description: One entry per database of the list, in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Database name.
      type: str
    owner:
      description: Its login role.
      type: str
    secret:
      description: C(namespace/name) of its Secret.
      type: str
    action:
      description: C(created), C(updated), C(deleted) or C(unchanged).
      type: str
    changed:
      description: Whether anything changed (or would, in check mode).
      type: bool
    changes:
      description: What was (or would be) done, in order, one line each; never a password.
      type: list
      elements: str
  sample:
    - name: mlflow
      owner: mlflow
      secret: mlops/mlflow-postgres
      action: created
      changed: true
      changes: [create Secret mlops/mlflow-postgres, create role mlflow, set the password of role mlflow,
                create database mlflow owned by mlflow, revoke CONNECT and TEMPORARY on database mlflow from PUBLIC]
sql_statements:
  description: SQL statements that changed the server (0 in check mode and on a run with nothing to do).
  returned: always
  type: int
api_requests:
  description: Kubernetes API requests by HTTP method.
  returned: always
  type: dict
  sample: {GET: 8}
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.mlops.databases import converge
from ansible_collections.aizone.platform.plugins.module_utils.mlops.db_spec import argument_spec


def main():
    spec = argument_spec()
    spec.update(K8S_AUTH_ARGS)
    run_module(spec, lambda m: converge(m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
