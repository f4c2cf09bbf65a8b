# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""budget and cost_report of the node pool modules (module_utils/cost/estimate.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  budget:
    description:
      - The zone's monthly budget. The zone's cost after the change is estimated from the pools' node counts and
        prices (RV(cost)) before any write; a change that raises it above the budget fails then, naming the pools
        that drive the cost and by how much, and nothing is changed.
      - A change that lowers or keeps the cost is applied even above the budget, with a warning.
      - Set it per zone in host_vars or per environment in group_vars (the roles pass C(aizone_budget)).
    type: dict
    suboptions:
      monthly_usd:
        description: Budget in US dollars a month (730 hours).
        type: float
        required: true
      basis:
        description:
          - C(desired) compares the cost at the pools' desired node counts; C(max) at their autoscaling maximum,
            what the zone may reach.
        type: str
        choices: [desired, max]
        default: desired
      override:
        description: Apply a change over the budget anyway (it is reported as a warning).
        type: bool
        default: false
  cost_report:
    description:
      - Write the zone's estimate before and after the change to this path as Infracost's JSON output
        (C(totalMonthlyCost), C(pastTotalMonthlyCost), C(diffTotalMonthlyCost), projects and resources with cost
        components), for CI tooling that reads Infracost reports. Mode 0600.
      - Written in check mode too, and before the budget is checked, since it is the estimate, not a change to the
        zone.
    type: path
'''
