#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: platform_database_server
short_description: The PostgreSQL server a zone runs for its platform databases, and its admin Secret
version_added: 0.2.0
description:
  - Makes the zone's PostgreSQL server run, stores its admin password in a Secret of the zone, and returns the
    C(server) option M(aizone.platform.platform_databases) takes, with the password by Secret reference only.
  - On the local zone the server is Debian's PostgreSQL (C(postgresql-15)) as a process next to the control
    plane, like the add-on operators - initialized on the first run (SCRAM-SHA-256 authentication, a generated
    admin password), listening on a loopback port that stays the zone's, started and stopped with the zone and
    deleted with it. As root its data lives under C(/var/lib/aizone/zones/<zone>) and it runs as the
    C(postgres) user.
  - Cloud zones keep their platform databases in a managed server (RDS for PostgreSQL, Azure Database for
    PostgreSQL, Cloud SQL) that this collection does not create; on them the task fails saying so, and
    M(aizone.platform.platform_databases) takes the managed server's endpoint.
  - In check mode a server still to be made is predicted started, with a free port and its Secret created.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.provider
  - aizone.platform.zone_access
  - aizone.platform.attributes.kubernetes
options:
  admin_secret:
    description: Where the admin Secret goes (keys C(username), C(password), C(host), C(port)); its namespace is
      created when missing.
    type: dict
    default: {}
    suboptions:
      namespace:
        description: Namespace of the Secret.
        type: str
        default: aizone-system
      name:
        description: Name of the Secret.
        type: str
        default: platform-db-admin
seealso:
  - module: aizone.platform.platform_databases
'''

EXAMPLES = r'''
- name: The local zone's PostgreSQL
  aizone.platform.platform_database_server:
    zone: aizone-local
    provider: local
  register: db_server

- name: The platform services' databases in it
  aizone.platform.platform_databases:
    kubeconfig: "{{ aizone_kubeconfig }}"
    server: "{{ db_server.server }}"
    databases:
      - {name: mlflow, namespace: mlops}
      - {name: mlflow_auth, namespace: mlops}
'''

RETURN = r'''
server:
  description: The O(aizone.platform.platform_databases#module:server) option for this server.
  returned: always
  type: dict
  sample:
    host: 127.0.0.1
    port: 35325
    admin_user: postgres
    admin_password_secret: {namespace: aizone-system, name: platform-db-admin, key: password}
    sslmode: disable
    service_host: 127.0.0.1
    service_port: 35325
database_server:
  description: What runs - C(zone), C(provider), C(started) (this run started it), C(initialized), C(admin_secret)
    (namespace/name), C(secret_action) (created, updated or null) and C(log), the server's log file.
  returned: always
  type: dict
api_requests:
  description: Kubernetes API requests by HTTP method.
  returned: always
  type: dict
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.mlops.db_server import argument_spec, converge
from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS


def main():
    spec = dict(PROVIDER_ARGS)
    spec.update(argument_spec())
    run_module(spec, lambda m: converge(m.params, check_mode=m.check_mode))


if __name__ == "__main__":
    main()
