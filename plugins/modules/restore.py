#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: restore
short_description: Restore a Velero backup into an AI zone, or say what a restore would do
version_added: 0.3.0
description:
  - Restores a named backup (O(backup)), or the newest C(Completed) backup of a schedule (O(schedule)), into the
    zone with Velero, waits until Velero has finished, and reports Velero's own outcome per object (created,
    updated, skipped, failed), read from the restore's record in the object store.
  - The backup must be in the zone and C(Completed). On a DR zone, backups come in through a ReadOnly location
    (M(aizone.platform.backup_location)) every sync period.
  - B(Check mode) is a restore dry run, which Velero itself lacks. The backup's archive is read from its store,
    and each object, after O(namespace_mapping), is looked up in the zone. The task returns, per object, C(created)
    (absent now) or C(existing) (present now - Velero skips it when unchanged, warns about it with
    O(existing_resource_policy=none) or updates it with V(update)). Kinds Velero never restores (nodes, events,
    Velero's own) and finished pods and jobs are left out as Velero leaves them. In a namespace the restore creates,
    C(kube-root-ca.crt) and the C(default) ServiceAccount are C(defaulted) - the zone's controllers make them as
    soon as the namespace exists and Velero restores them right after, so which of the two makes them is a race.
  - The Restore is named after its backup unless O(name) says otherwise, so a second run finds it and changes
    nothing. A restore that Velero finishes in any phase but C(Completed) fails the task with its counts.
  - Pods are restored without their node; the zone's scheduler places them, so the zone needs its node pools (same
    names, labels and taints) before the restore.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.provider
  - aizone.platform.zone_access
  - aizone.platform.velero
  - aizone.platform.attributes.kubernetes
  - aizone.platform.wait
options:
  backup:
    description: The backup to restore. One of O(backup) and O(schedule).
    type: str
  schedule:
    description: Restore the newest Completed backup of this schedule.
    type: str
  name:
    description: The Restore's name; V(<backup>-restore) when unset.
    type: str
  namespaces:
    description: Only these namespaces of the backup; all when empty.
    type: list
    elements: str
    default: []
  namespace_mapping:
    description: Source namespace to target namespace.
    type: dict
    default: {}
  existing_resource_policy:
    description: What Velero does with an object that exists and differs - V(none) keeps it (a warning), V(update)
      updates it.
    type: str
    choices: [none, update]
    default: none
'''

EXAMPLES = r'''
- name: What would restoring team-a's newest backup do here
  aizone.platform.restore:
    zone: aizone-dr
    provider: local
    schedule: team-a
  check_mode: true
  register: dry_run

- name: Restore it
  aizone.platform.restore:
    zone: aizone-dr
    provider: local
    schedule: team-a
    wait_timeout: 900
'''

RETURN = r'''
backup:
  description: The backup restored, and when Velero started it (the restored state's age is the RPO).
  returned: always
  type: dict
  sample: {name: team-a-20261201031800, started: "2026-12-01T03:18:00Z"}
restore:
  description: The restore - Velero's outcome, or in check mode the prediction.
  returned: always
  type: dict
  contains:
    name:
      description: The Restore.
      type: str
    phase:
      description: Velero's phase; null in check mode.
      type: str
    actions:
      description:
        - Objects per Velero outcome (created, updated, skipped, failed).
        - Velero lists an object it only warned about, such as one that exists and differs, as failed.
      type: dict
    predicted:
      description: In check mode, objects per predicted outcome (created, existing, defaulted).
      type: dict
    items:
      description: Per apiVersion/Kind, each object (namespace/name) and its outcome or prediction.
      type: dict
    items_restored:
      description: Velero's count of objects restored.
      type: int
    warnings:
      description: Velero's warning count.
      type: int
    errors:
      description: Velero's error count.
      type: int
  sample: {name: team-a-20261201031800-restore, backup: team-a-20261201031800, phase: Completed,
           actions: {created: 12, skipped: 2}, items_restored: 14, total_items: 14, warnings: 0, errors: 0,
           duration_seconds: 3, items: {v1/ConfigMap: {team-a/settings: created}}}
api_requests:
  description: Requests this task sent to the API server, by HTTP method.
  returned: always
  type: dict
  sample: {GET: 6, POST: 1}
'''

from ansible_collections.aizone.platform.plugins.module_utils.dr.restores import POLICIES, converge
from ansible_collections.aizone.platform.plugins.module_utils.dr.velero import VELERO_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.providers import ZONE_ACCESS_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args

ARGUMENT_SPEC = dict(
    ZONE_ACCESS_ARGS,
    **VELERO_ARGS,
    backup=dict(type="str"),
    schedule=dict(type="str"),
    name=dict(type="str"),
    namespaces=dict(type="list", elements="str", default=[]),
    namespace_mapping=dict(type="dict", default={}),
    existing_resource_policy=dict(type="str", choices=list(POLICIES), default="none"),
    **wait_args()
)


def main():
    run_module(ARGUMENT_SPEC, lambda m: converge(m.params, check_mode=m.check_mode))


if __name__ == "__main__":
    main()
