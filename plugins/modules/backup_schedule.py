#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: backup_schedule
short_description: Converge Velero backup schedules of an AI zone, and back up now
version_added: 0.3.0
description:
  - Converges a list of Velero Schedules in one task - typically one per tenant, backing up its namespace - and, with
    O(backup_now), makes one backup of each schedule at once and waits until Velero has finished them.
  - A schedule runs on a cron expression, or on the one derived from its RPO (O(schedules[].rpo_minutes)) - every
    d minutes (d dividing 60), every h hours (h dividing 24), or daily - the least often that keeps the RPO. With
    both, the task refuses a cron that leaves more than the RPO between two backups. A schedule's backups are at
    least 5 minutes apart, as Velero queues a backup behind a running one of the same namespaces.
  - Backups hold the schedule's namespaces' objects (no volume snapshots) and expire after O(schedules[].ttl).
  - O(backup_now) makes each backup as C(velero backup create --from-schedule) does (the schedule's template and
    its label). A backup that ends in any phase but C(Completed) (C(PartiallyFailed), C(Failed),
    C(FailedValidation)) fails the task, naming it with Velero's reason.
  - The zone must serve Velero's kinds (M(aizone.platform.addon) with V(velero)); the location and namespaces a
    schedule names must exist (check mode warns of namespaces an earlier task may create).
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.provider
  - aizone.platform.zone_access
  - aizone.platform.velero
  - aizone.platform.attributes.kubernetes
  - aizone.platform.wait
  - aizone.platform.objects
options:
  schedules:
    description: The schedules.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The schedule (a DNS label), and the prefix of its backups' names.
        type: str
        required: true
      namespaces:
        description: The namespaces it backs up; the one named O(schedules[].name) when unset.
        type: list
        elements: str
      cron:
        description: When it runs, as Velero reads it - five fields (C(*/15 * * * *)) or a descriptor (C(@daily),
          C(@every 6h)).
        type: str
      rpo_minutes:
        description: The recovery point objective it must keep, in minutes (at least 5); derives O(schedules[].cron)
          when that is unset.
        type: int
      ttl:
        description: How long its backups are kept (a duration such as V(720h)).
        type: str
        default: 720h
      location:
        description: The backup storage location; the zone's default location when unset.
        type: str
      paused:
        description: Whether the schedule is paused.
        type: bool
        default: false
      state:
        description: V(absent) deletes the schedule; its backups stay.
        type: str
        choices: [present, absent]
        default: present
  backup_now:
    description: Make one backup of each present schedule now and wait until Velero has finished it.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Every tenant backed up within its RPO
  aizone.platform.backup_schedule:
    zone: aizone-local
    provider: local
    schedules:
      - {name: team-a, rpo_minutes: 60, location: primary}
      - {name: team-b, namespaces: [team-b, team-b-serving], cron: "0 */6 * * *", ttl: 168h, location: primary}

- name: Back every tenant up before an upgrade
  aizone.platform.backup_schedule:
    zone: aizone-local
    provider: local
    schedules:
      - {name: team-a, rpo_minutes: 60, location: primary}
    backup_now: true
  register: backed_up
'''

RETURN = r'''
schedules:
  description: Each schedule as converged.
  returned: always
  type: list
  elements: dict
  sample: [{name: team-a, state: present, namespaces: [team-a], cron: "0 * * * *", rpo_minutes: 60,
            longest_gap_minutes: 60, ttl: 720h, location: primary}]
backups:
  description: The backups O(backup_now) made, as Velero finished them (in check mode, their predicted names).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The Backup.
      type: str
    schedule:
      description: Its schedule.
      type: str
    phase:
      description: Velero's phase, C(Completed) for every backup of a task that succeeded.
      type: str
    items_backed_up:
      description: Objects in the backup.
      type: int
    total_items:
      description: Objects Velero found to back up.
      type: int
    warnings:
      description: Velero's warning count.
      type: int
    errors:
      description: Velero's error count.
      type: int
    duration_seconds:
      description: From Velero's start to its completion.
      type: int
  sample: [{name: team-a-20261201031800, schedule: team-a, phase: Completed, items_backed_up: 14, total_items: 14,
            warnings: 0, errors: 0, duration_seconds: 1, action: created}]
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

from ansible_collections.aizone.platform.plugins.module_utils.dr.schedules import STATES, converge
from ansible_collections.aizone.platform.plugins.module_utils.dr.velero import VELERO_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import REPORT_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.providers import ZONE_ACCESS_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args

ARGUMENT_SPEC = dict(
    ZONE_ACCESS_ARGS,
    **VELERO_ARGS,
    schedules=dict(type="list", elements="dict", required=True, options=dict(
        name=dict(type="str", required=True),
        namespaces=dict(type="list", elements="str"),
        cron=dict(type="str"),
        rpo_minutes=dict(type="int"),
        ttl=dict(type="str", default="720h"),
        location=dict(type="str"),
        paused=dict(type="bool", default=False),
        state=dict(type="str", choices=list(STATES), default="present"),
    )),
    backup_now=dict(type="bool", default=False),
    **dict(REPORT_ARGS, **wait_args())
)


def main():
    run_module(ARGUMENT_SPEC, lambda m: converge(m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
