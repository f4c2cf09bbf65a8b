#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: backup_location
short_description: Converge Velero's backup storage locations of an AI zone
version_added: 0.3.0
description:
  - Converges a list of Velero BackupStorageLocations in one task, with the credentials Secret of each, and waits until
    Velero has validated each against its object store (phase C(Available)).
  - The zone must serve Velero's kinds (M(aizone.platform.addon) with V(velero)).
  - A primary zone writes its backups under a prefix of its own (the zone's name unless O(locations[].prefix) says
    otherwise) with O(locations[].access_mode=ReadWrite); its DR zone reads the same bucket and prefix with
    O(locations[].access_mode=ReadOnly), and Velero's sync brings the backups there as Backup objects.
  - With O(locations[].s3_url) (an S3-compatible store, such as MinIO, Ceph or moto's server), path-style addressing is
    on and the request checksum off unless set, as the AWS SDK's default checksums are what such stores most often
    refuse.
  - Credentials are written into a Secret C(aizone-bsl-<name>) in Velero's namespace, in the AWS shared credentials
    format the plugin reads. They never appear in the result or a diff. Without credentials, Velero uses its own
    identity (IRSA on EKS, workload identity on AKS and GKE).
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.provider
  - aizone.platform.zone_access
  - aizone.platform.velero
  - aizone.platform.attributes.kubernetes
  - aizone.platform.wait
  - aizone.platform.objects
options:
  locations:
    description: The locations.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The location's name (a DNS subdomain).
        type: str
        required: true
      bucket:
        description: The bucket.
        type: str
        required: true
      prefix:
        description: The prefix of this zone's backups in the bucket; the zone's name when unset.
        type: str
      provider:
        description: Velero's object-store plugin.
        type: str
        choices: [aws]
        default: aws
      region:
        description: The bucket's region.
        type: str
        default: us-east-1
      s3_url:
        description: The endpoint of an S3-compatible store (V(http://) or V(https://)); AWS's own when unset.
        type: str
      s3_force_path_style:
        description: Path-style addressing; on when O(locations[].s3_url) is set, unless V(false).
        type: bool
      checksum_algorithm:
        description: The checksum of uploads; V("") (none) when O(locations[].s3_url) is set, the plugin's CRC32
          otherwise.
        type: str
        choices: ["", CRC32, CRC32C, SHA1, SHA256]
      insecure_skip_tls_verify:
        description: Skip the verification of the store's TLS certificate.
        type: bool
        default: false
      access_mode:
        description: V(ReadWrite) on the zone that backs up; V(ReadOnly) on a DR zone that only restores.
        type: str
        choices: [ReadWrite, ReadOnly]
        default: ReadWrite
      sync_period:
        description: How often Velero syncs the store's backups into the zone (a duration such as V(1m), V(30s)).
        type: str
      default:
        description: The zone's default location.
        type: bool
        default: false
      credentials:
        description: An access key for the store, written into the location's Secret.
        type: dict
        suboptions:
          access_key_id:
            description: The access key's id.
            type: str
            required: true
          secret_access_key:
            description: The secret key.
            type: str
            required: true
      credentials_secret:
        description: An existing Secret in Velero's namespace holding an AWS shared credentials file.
        type: dict
        suboptions:
          name:
            description: The Secret.
            type: str
            required: true
          key:
            description: Its key.
            type: str
            default: cloud
'''

EXAMPLES = r'''
- name: The primary zone writes its backups under its own prefix
  aizone.platform.backup_location:
    zone: aizone-local
    provider: local
    locations:
      - name: primary
        bucket: aizone-backups
        s3_url: http://127.0.0.1:9000
        default: true
        credentials:
          access_key_id: "{{ vault_s3_access_key }}"
          secret_access_key: "{{ vault_s3_secret_key }}"

- name: The DR zone reads the primary's backups
  aizone.platform.backup_location:
    zone: aizone-dr
    provider: local
    locations:
      - name: from-primary
        bucket: aizone-backups
        prefix: aizone-local
        access_mode: ReadOnly
        sync_period: 30s
        s3_url: http://127.0.0.1:9000
        credentials_secret: {name: dr-store}
'''

RETURN = r'''
locations:
  description: Each location after the task.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The location.
      type: str
    bucket:
      description: Its bucket.
      type: str
    prefix:
      description: Its prefix.
      type: str
    access_mode:
      description: ReadWrite or ReadOnly.
      type: str
    phase:
      description: Velero's verdict on the store, C(Available) or C(Unavailable); null before Velero has looked.
      type: str
    credentials_secret:
      description: The Secret the location reads its credentials from; null for the server's own identity.
      type: str
  sample: [{name: primary, bucket: aizone-backups, prefix: aizone-local, access_mode: ReadWrite, phase: Available,
            credentials_secret: aizone-bsl-primary}]
secrets:
  description: The credentials Secrets the task wrote or found (names and actions only, never values).
  returned: always
  type: list
  elements: dict
  sample: [{name: aizone-bsl-primary, action: created}]
objects:
  description: The objects that changed, with the action taken or predicted (every object with O(list_unchanged)); the shape is in the notes.
  returned: always
  type: list
  elements: dict
object_counts:
  description: How many objects of the run each action concerned.
  returned: always
  type: dict
  sample: {created: 1, deleted: 0, unchanged: 0, updated: 0}
api_requests:
  description: Requests this task sent to the API server, by HTTP method.
  returned: always
  type: dict
  sample: {GET: 4, PATCH: 1}
'''

from ansible_collections.aizone.platform.plugins.module_utils.dr.locations import ACCESS_MODES, CHECKSUMS, converge
from ansible_collections.aizone.platform.plugins.module_utils.dr.velero import VELERO_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import REPORT_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.providers import ZONE_ACCESS_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args

ARGUMENT_SPEC = dict(
    ZONE_ACCESS_ARGS,
    **VELERO_ARGS,
    locations=dict(type="list", elements="dict", required=True, options=dict(
        name=dict(type="str", required=True),
        bucket=dict(type="str", required=True),
        prefix=dict(type="str"),
        provider=dict(type="str", choices=["aws"], default="aws"),
        region=dict(type="str", default="us-east-1"),
        s3_url=dict(type="str"),
        s3_force_path_style=dict(type="bool"),
        checksum_algorithm=dict(type="str", choices=list(CHECKSUMS)),
        insecure_skip_tls_verify=dict(type="bool", default=False),
        access_mode=dict(type="str", choices=list(ACCESS_MODES), default="ReadWrite"),
        sync_period=dict(type="str"),
        default=dict(type="bool", default=False),
        credentials=dict(type="dict", no_log=False, options=dict(
            access_key_id=dict(type="str", required=True, no_log=True),
            secret_access_key=dict(type="str", required=True, no_log=True),
        )),
        credentials_secret=dict(type="dict", no_log=False, options=dict(
            name=dict(type="str", required=True),
            key=dict(type="str", default="cloud", no_log=False),
        )),
    )),
    **dict(REPORT_ARGS, **wait_args())
)


def main():
    run_module(ARGUMENT_SPEC, lambda m: converge(m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
