# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provider lookup and the provider-connection options every zone-side module shares.

`get_provider(name, params)` is the only place that knows which file holds
which provider. Each provider is imported inside its own small loader, so a
run pays only for the provider it uses, and AnsiballZ still sees every import
statement (imports below module level are optional for it, so a provider
file that has not landed yet does not break packaging).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError

PROVIDER_NAMES = ("local", "eks", "aks", "gke")

# Documented in plugins/doc_fragments/provider.py; keep both in step.
PROVIDER_ARGS = dict(
    provider=dict(type="str", required=True, choices=list(PROVIDER_NAMES)),
    region=dict(type="str", fallback=(env_fallback, ["AIZONE_REGION"])),
    endpoint_url=dict(type="str", fallback=(env_fallback, ["AIZONE_ENDPOINT_URL"])),
    ca_bundle=dict(type="path", fallback=(env_fallback, ["AIZONE_CA_BUNDLE"])),
    # AWS (eks)
    aws_access_key_id=dict(type="str", no_log=False,
                           fallback=(env_fallback, ["AWS_ACCESS_KEY_ID"])),
    aws_secret_access_key=dict(type="str", no_log=True,
                               fallback=(env_fallback, ["AWS_SECRET_ACCESS_KEY"])),
    aws_session_token=dict(type="str", no_log=True,
                           fallback=(env_fallback, ["AWS_SESSION_TOKEN"])),
    aws_profile=dict(type="str", fallback=(env_fallback, ["AWS_PROFILE"])),
    eks_cluster_role_arn=dict(type="str", fallback=(env_fallback, ["AIZONE_EKS_CLUSTER_ROLE_ARN"])),
    eks_node_role_arn=dict(type="str", fallback=(env_fallback, ["AIZONE_EKS_NODE_ROLE_ARN"])),
    # Azure (aks)
    azure_subscription_id=dict(type="str", fallback=(env_fallback, ["AZURE_SUBSCRIPTION_ID"])),
    azure_tenant_id=dict(type="str", fallback=(env_fallback, ["AZURE_TENANT_ID"])),
    azure_client_id=dict(type="str", fallback=(env_fallback, ["AZURE_CLIENT_ID"])),
    azure_client_secret=dict(type="str", no_log=True,
                             fallback=(env_fallback, ["AZURE_CLIENT_SECRET"])),
    azure_access_token=dict(type="str", no_log=True, fallback=(env_fallback, ["AZURE_ACCESS_TOKEN"])),
    azure_resource_group=dict(type="str", fallback=(env_fallback, ["AZURE_RESOURCE_GROUP"])),
    # Google Cloud (gke)
    gcp_project=dict(type="str",
                     fallback=(env_fallback, ["GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT"])),
    gcp_credentials_file=dict(type="path",
                              fallback=(env_fallback, ["GOOGLE_APPLICATION_CREDENTIALS"])),
    gcp_access_token=dict(type="str", no_log=True, fallback=(env_fallback, ["GOOGLE_OAUTH_ACCESS_TOKEN"])),
    # local
    binaries_dir=dict(type="path", fallback=(env_fallback, ["AIZONE_CONTROLPLANE_BIN"])),
    workdir=dict(type="path", fallback=(env_fallback, ["AIZONE_LOCALZONE_WORKDIR"])),
)

# A module acting inside a running zone: the provider's options and the zone's name and kubeconfig. Documented in
# plugins/doc_fragments/provider.py and zone_access.py; keep them in step.
ZONE_ACCESS_ARGS = dict(
    PROVIDER_ARGS,
    zone=dict(type="str", required=True),
    kubeconfig=dict(type="path"),
    context=dict(type="str"),
)


def connection_params(params):
    """What Provider.__init__ gets: the provider-connection options, plus the module's
    wait_timeout (None for modules without one) for waits a provider makes between calls.
    An empty string is unset: AWX credential types inject every variable, empty for an input left blank."""
    out = dict((key, None if params.get(key) == "" else params.get(key)) for key in PROVIDER_ARGS)
    out["wait_timeout"] = params.get("wait_timeout")
    return out


def options_with_env(options):
    """The provider connection options of a caller that is not a module (the inventory plugin): each option not
    given takes its environment variable, as a module's argument spec fallback would."""
    import os
    out = dict(options)
    for key, spec in PROVIDER_ARGS.items():
        if out.get(key) is None and spec.get("fallback"):
            found = [os.environ[name] for name in spec["fallback"][1] if os.environ.get(name)]
            out[key] = found[0] if found else None
    return out


def _load_local():
    from ansible_collections.aizone.platform.plugins.module_utils.providers import local
    return local


def _load_eks():
    from ansible_collections.aizone.platform.plugins.module_utils.providers import eks
    return eks


def _load_aks():
    from ansible_collections.aizone.platform.plugins.module_utils.providers import aks
    return aks


def _load_gke():
    from ansible_collections.aizone.platform.plugins.module_utils.providers import gke
    return gke


_LOADERS = dict(local=_load_local, eks=_load_eks, aks=_load_aks, gke=_load_gke)


def get_provider(name, params):
    """Return an instance of the provider called `name` built from connection params.

    Each provider module exposes its Provider subclass as `PROVIDER`.
    """
    loader = _LOADERS.get(name)
    if loader is None:
        raise ValidationError("provider", "unknown provider %r; allowed values: %s"
                              % (name, ", ".join(PROVIDER_NAMES)))
    try:
        module = loader()
    except ImportError as exc:
        raise ValidationError("provider", "provider %r is not available in this collection "
                              "build (%s)" % (name, exc))
    return module.PROVIDER(connection_params(params))
