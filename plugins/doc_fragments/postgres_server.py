# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""server: the PostgreSQL server of platform_databases and platform_database_backup (mlops/db_spec.server_argument)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  server:
    description: The PostgreSQL server, as the controller reaches it.
    type: dict
    required: true
    suboptions:
      host:
        description: Host name or IP address.
        type: str
        required: true
      port:
        description: TCP port.
        type: int
        default: 5432
      admin_user:
        description: A role allowed to create roles and databases (a superuser, or C(CREATEROLE CREATEDB) on managed servers).
        type: str
        default: postgres
      admin_password:
        description: The admin's password. Exactly one of this and O(server.admin_password_secret).
        type: str
      admin_password_secret:
        description: A Kubernetes Secret holding the admin's password.
        type: dict
        suboptions:
          namespace:
            description: Namespace of the Secret.
            type: str
            required: true
          name:
            description: Name of the Secret.
            type: str
            required: true
          key:
            description: Key of the password in the Secret.
            type: str
            default: password
      maintenance_db:
        description: Database the admin connects to.
        type: str
        default: postgres
      sslmode:
        description: libpq C(sslmode) for every connection, and written into the Secrets.
        type: str
        default: prefer
        choices: [disable, allow, prefer, require, verify-ca, verify-full]
      connect_timeout:
        description: Seconds to wait for each connection.
        type: int
        default: 10
      service_host:
        description:
          - Host the services use, written into the Secrets (for example the in-zone Service's DNS name).
            Defaults to O(server.host).
        type: str
      service_port:
        description: Port the services use, written into the Secrets. Defaults to O(server.port).
        type: int
'''
