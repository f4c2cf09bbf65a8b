# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: zones
short_description: AI zones on EKS, AKS, GKE and the local provider as inventory hosts
version_added: 0.3.0
description:
  - Lists the zones aizone.platform made - EKS clusters and AKS managed clusters carrying its managed-by tag, GKE
    clusters carrying its label, and the local zones of the work directory - as hosts, one per zone, with
    C(ansible_connection=local) as the collection's inventories have it.
  - Host variables C(aizone_zone) (name, provider, region, as the roles take it), C(aizone_provider),
    C(aizone_region), C(aizone_kubernetes_version), C(aizone_endpoint), C(aizone_status), C(aizone_zone_type),
    C(aizone_tags), C(aizone_node_pools) (name, type, instance type, desired/min/max, GPU model and count per
    node, capacity type, labels), C(aizone_gpus) (GPUs at the pools' desired sizes) and C(aizone_gpu_models).
  - Credentials come from the environment as the modules read it, so AWX credential types
    (awx/credential_types/) inject them; an entry of O(providers) may also give connection options.
  - Provider entries are read side by side, and each zone's node pools too. With O(cache), a second run within
    O(cache_timeout) makes no API call.
  - Accepts only inventory files whose names end with C(.aizone_zones.yml) or C(.aizone_zones.yaml).
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin.
    required: true
    choices: [aizone.platform.zones]
    type: str
  providers:
    description:
      - Where to look. Each entry names a C(provider) (V(eks), V(aks), V(gke), V(local)) and may carry the
        connection options of the modules (C(region), C(endpoint_url), C(ca_bundle), C(azure_resource_group),
        C(gcp_project), C(workdir)...); options not given come from the environment.
    type: list
    elements: dict
    default: [{provider: local}]
'''

EXAMPLES = r'''
# prod.aizone_zones.yml: the zones of an AWS account and an Azure resource group, a group per environment tag
# and per provider, GPU zones apart
plugin: aizone.platform.zones
providers:
  - {provider: eks, region: us-east-1}
  - {provider: aks, azure_resource_group: aizone-prod}
keyed_groups:
  - {key: aizone_provider, prefix: provider}
  - {key: aizone_tags.environment | default('untagged'), prefix: env}
groups:
  gpu: aizone_gpus > 0
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /tmp/aizone-inventory
'''

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.zones.inventory import discover


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "aizone.platform.zones"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(
            (".aizone_zones.yml", ".aizone_zones.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        hosts = None
        if use_cache:
            try:
                hosts = self._cache[key]
            except KeyError:
                hosts = None
        if hosts is None:
            try:
                hosts = discover(self.get_option("providers") or [])
            except AizoneError as exc:
                raise AnsibleParserError("aizone.platform.zones: %s" % exc.msg)
            if self.get_option("cache"):
                self._cache[key] = hosts
        for host in hosts:
            self._add(host)

    def _add(self, host):
        strict = self.get_option("strict")
        name = self.inventory.add_host(host["name"])
        self.inventory.set_variable(name, "ansible_connection", "local")
        for var, value in host["vars"].items():
            self.inventory.set_variable(name, var, value)
        hostvars = self.inventory.get_host(name).get_vars()
        self._set_composite_vars(self.get_option("compose"), hostvars, name, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), hostvars, name, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, name, strict=strict)
