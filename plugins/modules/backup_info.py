#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: backup_info
short_description: Read the Velero backups of an AI zone, their RPO, and verify them offline
version_added: 0.3.0
description:
  - Lists the zone's Velero backups, newest first, with phase, age, items, warnings and errors, and per schedule the
    RPO achieved now - the age of its newest C(Completed) backup.
  - With O(verify), checks backups offline, from their files in the object store and without Velero - the chosen
    ones (O(names)), or else the newest C(Completed) one. The tarball must open whole (a flipped or cut byte fails
    it), every entry must be a Kubernetes object, the objects must be those of the backup's resource list one for
    one and as many as Velero backed up. Then each object is looked up in the zone (one list per kind and
    namespace) - what a restore into this zone would find.
  - An object edited inside a re-packed, well-formed archive whose resource list was edited to match cannot be
    detected, as Velero stores no digest of its files.
  - The store is read with the backup's location's own settings and credentials Secret.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.provider
  - aizone.platform.zone_access
  - aizone.platform.velero
  - aizone.platform.attributes.info
options:
  schedule:
    description: Only the backups of this schedule.
    type: str
  names:
    description: Only these backups (each must exist).
    type: list
    elements: str
    default: []
  verify:
    description: Verify backups offline (see the description).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Is every tenant within its RPO
  aizone.platform.backup_info:
    zone: aizone-local
    provider: local
  register: backups

- name: Fail when a schedule's newest backup is older than an hour
  ansible.builtin.assert:
    that: item.value.achieved_rpo_seconds is not none and item.value.achieved_rpo_seconds <= 3600
  loop: "{{ backups.schedules | dict2items }}"

- name: Check the newest backup of team-a against its store
  aizone.platform.backup_info:
    zone: aizone-local
    provider: local
    schedule: team-a
    verify: true
'''

RETURN = r'''
backups:
  description: The backups, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The Backup.
      type: str
    schedule:
      description: Its schedule, if any.
      type: str
    phase:
      description: Velero's phase.
      type: str
    age_seconds:
      description: Seconds since Velero started it.
      type: int
    items_backed_up:
      description: Objects in the backup.
      type: int
    verification:
      description: The offline check, for the backups verified.
      returned: with O(verify)
      type: dict
      sample: {ok: false, problems: ["aizone-local/backups/b1/b1.tar.gz: the archive cannot be read: CRC check failed"],
               objects: 0}
  sample: [{name: team-a-20261201031800, schedule: team-a, phase: Completed, age_seconds: 840, items_backed_up: 14,
            total_items: 14, warnings: 0, errors: 0, location: primary}]
schedules:
  description: Per schedule, its newest Completed backup and the RPO achieved now.
  returned: always
  type: dict
  sample: {team-a: {latest_completed: team-a-20261201031800, achieved_rpo_seconds: 840}}
api_requests:
  description: Requests this task sent to the API server, by HTTP method.
  returned: always
  type: dict
  sample: {GET: 3}
'''

from ansible_collections.aizone.platform.plugins.module_utils.dr.info import describe
from ansible_collections.aizone.platform.plugins.module_utils.dr.velero import VELERO_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.providers import ZONE_ACCESS_ARGS

ARGUMENT_SPEC = dict(
    ZONE_ACCESS_ARGS,
    **VELERO_ARGS,
    schedule=dict(type="str"),
    names=dict(type="list", elements="str", default=[]),
    verify=dict(type="bool", default=False),
)


def main():
    run_module(ARGUMENT_SPEC, lambda m: describe(m.params))


if __name__ == "__main__":
    main()
