# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stateful loopback test double of the AKS control-plane API (ARM).

This is a test double, not Azure. It speaks the wire protocol that
azure-mgmt-containerservice uses for Microsoft.ContainerService
managedClusters and agentPools (see ../../../shared/reference/cloud-sdk-testing.md):

- PUT/GET/DELETE managedClusters/{name}, PATCH (tags only), GET list,
  POST listClusterUserCredential / listClusterAdminCredential;
- PUT/GET/DELETE managedClusters/{name}/agentPools/{pool}, GET list;
- long-running operations answered 201/202 with an ``Azure-AsyncOperation``
  header whose status goes InProgress -> Succeeded | Failed;
- real ARM error bodies: 404 ResourceNotFound/NotFound, 409
  OperationNotAllowed while another operation runs, 400
  InvalidRequestContent for unknown members, InvalidParameter for invalid
  values, PropertyChangeNotAllowed for immutable agent pool fields,
  InvalidApiVersionParameter for an api-version it does not know.

It serves https with a self-signed certificate made at start (``ca_path``),
so the SDK's real bearer-token policy (which refuses plain http) stays on.

Test hooks: ``calls`` (every request received), ``write_calls()``,
``inject_error()`` (synchronous errors, e.g. 429/503/400), ``fail_next_lro()``
(an operation that ends Failed, e.g. QuotaExceeded), ``lro_seconds``
(how long operations stay InProgress), ``latency`` (seconds added to every
answer) and ``reset()``. Never imported by plugins/.
"""

from __future__ import absolute_import, division, print_function

import base64
import copy
import datetime
import ipaddress
import json
import os
import re
import shutil
import ssl
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from doubles.latency import Latencies, TimedDouble

API_VERSIONS = ("2026-08-01",)
PROVIDER = "Microsoft.ContainerService"

_MC_RE = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/"
    r"Microsoft\.ContainerService/managedClusters(?:/(?P<mc>[^/]+))?"
    r"(?:/(?P<action>listClusterUserCredential|listClusterAdminCredential|stop|start)"
    r"|/agentPools(?:/(?P<pool>[^/]+))?(?P<pools>)?)?$", re.IGNORECASE)
_VERSIONS_RE = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.ContainerService/"
    r"locations/(?P<loc>[^/]+)/kubernetesVersions$", re.IGNORECASE)
_OP_RE = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.ContainerService/"
    r"locations/(?P<loc>[^/]+)/operations/(?P<op>[^/]+)$", re.IGNORECASE)

# Members the API knows (what the SDK's models serialize). Anything else is
# rejected the way ARM rejects it: 400 InvalidRequestContent.
POOL_PROPERTIES = frozenset("""
eTag count vmSize osDiskSizeGB osDiskType kubeletDiskType workloadRuntime messageOfTheDay
vnetSubnetID podSubnetID podIPAllocationMode maxPods osType osSKU maxCount minCount
enableAutoScaling scaleDownMode type mode orchestratorVersion currentOrchestratorVersion
nodeImageVersion upgradeSettings provisioningState powerState availabilityZones
enableNodePublicIP nodePublicIPPrefixID scaleSetPriority scaleSetEvictionPolicy spotMaxPrice
tags nodeLabels nodeTaints proximityPlacementGroupID kubeletConfig linuxOSConfig
enableEncryptionAtHost enableUltraSSD enableFIPS gpuInstanceProfile creationData
capacityReservationGroupID hostGroupID networkProfile windowsProfile securityProfile
gpuProfile gatewayProfile artifactStreamingProfile virtualMachinesProfile
virtualMachineNodesStatus status localDNSProfile""".split())
CLUSTER_PROPERTIES = frozenset("""
provisioningState powerState maxAgentPools kubernetesVersion currentKubernetesVersion
dnsPrefix fqdnSubdomain fqdn privateFQDN azurePortalFQDN agentPoolProfiles linuxProfile
windowsProfile servicePrincipalProfile addonProfiles podIdentityProfile oidcIssuerProfile
nodeResourceGroup nodeResourceGroupProfile enableRBAC supportPlan enableFIPS networkProfile
aadProfile autoUpgradeProfile upgradeSettings autoScalerProfile apiServerAccessProfile
diskEncryptionSetID identityProfile privateLinkResources disableLocalAccounts
httpProxyConfig securityProfile storageProfile ingressProfile publicNetworkAccess
workloadAutoScalerProfile azureMonitorProfile serviceMeshProfile resourceUID metricsProfile
nodeProvisioningProfile bootstrapProfile aiToolchainOperatorProfile schedulerProfile
hostedSystemProfile status""".split())
CLUSTER_TOP = frozenset("id name type location tags properties eTag sku extendedLocation "
                        "identity kind systemData".split())
POOL_TOP = frozenset("id name type properties systemData".split())
# Agent pool properties ARM refuses to change on an existing pool.
POOL_IMMUTABLE = ("vmSize", "osDiskSizeGB", "scaleSetPriority", "scaleSetEvictionPolicy",
                  "spotMaxPrice", "osType", "availabilityZones", "vnetSubnetID")
VM_SIZE_RE = re.compile(r"^Standard_[A-Za-z0-9_]+$")
TAINT_RE = re.compile(r"^[A-Za-z0-9./_-]+(=[A-Za-z0-9._-]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$")
SPOT_TAINT = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule"
SPOT_LABEL = ("kubernetes.azure.com/scalesetpriority", "spot")
# minor -> latest patch; DEFAULT_MINOR is what a cluster gets when none is asked for
KUBERNETES_VERSIONS = {"1.33": "1.33.5", "1.34": "1.34.1", "1.35": "1.35.0"}
DEFAULT_MINOR = "1.34"
TAG_NAME_BAD = re.compile(r"[<>%&\\?/]")
WRITE_METHODS = ("PUT", "PATCH", "DELETE", "POST")
READ_ACTIONS = ("listclusterusercredential", "listclusteradmincredential")


class ArmError(Exception):
    def __init__(self, status, code, message, headers=None):
        super(ArmError, self).__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_self_signed(directory):
    """Write cert.pem/key.pem for 127.0.0.1 and localhost; return (cert, key) paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"aks-double.localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName(u"localhost"), x509.IPAddress(ipaddress.ip_address(u"127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path = os.path.join(directory, "cert.pem")
    key_path = os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


class AksServer(TimedDouble):
    """Start with ``AksServer().start()``; ``endpoint`` and ``ca_path`` point the SDK at it."""

    def __init__(self, lro_seconds=0.0, latency=0.0, kube_server="https://127.0.0.1:6443",
                 kube_ca_data=None, retry_after_ms=20, latencies=None):
        # how long operations take, by kind (doubles/latency.py); lro_seconds sets them all alike
        self.latencies = latencies or Latencies.flat(lro_seconds)
        # Polling hint sent with every LRO answer. Real ARM sends Retry-After in
        # seconds; the millisecond header (which azure-core also honours) keeps tests fast.
        self.retry_after_ms = retry_after_ms
        self.latency = latency
        self.kube_server = kube_server
        self.kube_ca_data = kube_ca_data
        self.lock = threading.RLock()
        self.clusters = {}     # (sub, rg, name) lower -> resource
        self.pools = {}        # (sub, rg, name, pool) lower -> resource
        self.operations = {}   # op id -> dict
        self.busy = {}         # resource key -> op id (one operation at a time, as ARM)
        self.calls = []
        self._errors = []
        self._lro_failures = []
        self._httpd = None
        self._if_match = None
        self._thread = None
        self._tmp = None
        self.endpoint = None
        self.ca_path = None
        self.key_path = None
        self.ca_bundle_path = None

    # lifecycle ---------------------------------------------------------
    def start(self):
        self._tmp = tempfile.mkdtemp(prefix="aks-double-")
        self.ca_path, key_path = make_self_signed(self._tmp)
        self.key_path = key_path    # for a proxy that serves as this double (tests/harness/faultproxy.py)
        # the public CAs plus this server's certificate, for REQUESTS_CA_BUNDLE: pointing a
        # process at it keeps every other https connection of that process verifiable
        self.ca_bundle_path = os.path.join(self._tmp, "bundle.pem")
        with open(self.ca_bundle_path, "w") as out:
            try:
                import certifi
                with open(certifi.where()) as public:
                    out.write(public.read())
            except ImportError:
                pass
            with open(self.ca_path) as own:
                out.write("\n" + own.read())
        handler = type("AksHandler", (_Handler,), {"double": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.ca_path, key_path)
        self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
        self.endpoint = "https://127.0.0.1:%d" % self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def reset(self):
        with self.lock:
            self.clusters.clear()
            self.pools.clear()
            self.operations.clear()
            self.busy.clear()
            del self.calls[:]
            del self._errors[:]
            del self._lro_failures[:]
            self.latencies = Latencies.flat(0.0)
            self.latency = 0.0

    # test hooks --------------------------------------------------------
    def inject_error(self, status, code, message, method=None, path=r".", times=1, headers=None):
        """Answer the next `times` matching requests with an ARM error body."""
        with self.lock:
            self._errors.append(dict(status=status, code=code, message=message, method=method,
                                     path=re.compile(path, re.IGNORECASE), left=times,
                                     headers=headers or {}))

    def fail_next_lro(self, code="QuotaExceeded", message=None, path=r".", method=None):
        """Make the next matching long-running operation end with status Failed."""
        message = message or ("Operation could not be completed as it results in exceeding approved "
                              "standardNDAMSv4Family Cores quota. Location: eastus, Current Limit: 0, "
                              "Current Usage: 0, Additional Required: 96.")
        with self.lock:
            self._lro_failures.append(dict(code=code, message=message, method=method,
                                           path=re.compile(path, re.IGNORECASE)))

    @property
    def lro_seconds(self):
        return self.op_seconds

    @lro_seconds.setter
    def lro_seconds(self, seconds):
        self.op_seconds = seconds

    def fail_next_operation(self, code="QuotaExceeded", message=None, path=r".", method=None):
        """fail_next_lro, under the name the GKE double uses too."""
        self.fail_next_lro(code, message, path, method)

    def write_calls(self):
        """Calls that change state (credential listing is a read, though it is a POST)."""
        return [c for c in self.calls if c["method"] in WRITE_METHODS
                and not c["path"].lower().endswith(READ_ACTIONS)]

    def control_calls(self):
        """Every call except LRO status polls."""
        return [c for c in self.calls if "/operations/" not in c["path"]]

    # request handling ---------------------------------------------------
    def handle(self, method, raw_path, body_bytes, if_match=None):
        url = urlsplit(raw_path)
        if_match = if_match.strip('"') if if_match else None
        query = dict((k, v[-1]) for k, v in parse_qs(url.query).items())
        body = None
        entry = {"method": method, "path": url.path, "query": query, "body": None, "status": None,
                 "if_match": if_match}
        with self.lock:
            self.calls.append(entry)
        try:
            if body_bytes:
                try:
                    body = json.loads(body_bytes.decode("utf-8"))
                except ValueError as exc:
                    raise ArmError(400, "InvalidRequestContent",
                                   "The request content was invalid and could not be deserialized: %s" % exc)
                entry["body"] = body
            with self.lock:
                self._if_match = if_match
                self._maybe_injected(method, url.path)
                if query.get("api-version") not in API_VERSIONS:
                    raise ArmError(400, "InvalidApiVersionParameter",
                                   "The api-version '%s' is invalid. The supported versions are '%s'."
                                   % (query.get("api-version"), "','".join(API_VERSIONS)))
                status, headers, payload = self._route(method, url.path, body)
        except ArmError as err:
            status, headers = err.status, dict(err.headers)
            payload = {"error": {"code": err.code, "message": err.message}}
        entry["status"] = status
        if self.latency:
            time.sleep(self.latency)
        return status, headers, payload

    def _maybe_injected(self, method, path):
        for inj in self._errors:
            if inj["left"] > 0 and (inj["method"] in (None, method)) and inj["path"].search(path):
                inj["left"] -= 1
                raise ArmError(inj["status"], inj["code"], inj["message"], inj["headers"])

    def _route(self, method, path, body):
        m = _OP_RE.match(path)
        if m and method == "GET":
            return self._get_operation(m.group("op"))
        if _VERSIONS_RE.match(path) and method == "GET":
            return 200, {}, {"values": [
                {"version": minor, "isDefault": minor == DEFAULT_MINOR, "isPreview": False,
                 "patchVersions": {patch: {"upgrades": [p for p in KUBERNETES_VERSIONS.values()
                                                        if _vtuple(p) > _vtuple(patch)]}}}
                for minor, patch in sorted(KUBERNETES_VERSIONS.items())]}
        m = _MC_RE.match(path)
        if not m:
            raise ArmError(404, "InvalidResourceType",
                           "The resource type could not be found in the namespace '%s'." % PROVIDER)
        sub, rg, mc, pool = m.group("sub"), m.group("rg"), m.group("mc"), m.group("pool")
        action = m.group("action")
        is_pools = "/agentpools" in path.lower()
        if mc is None:
            if method != "GET":
                raise ArmError(405, "MethodNotAllowed", "The requested method is not allowed.")
            items = [v for k, v in sorted(self.clusters.items()) if k[:2] == (sub.lower(), rg.lower())]
            return 200, {}, {"value": items}
        ckey = (sub.lower(), rg.lower(), mc.lower())
        if action and action.lower() in ("stop", "start"):
            return self._power(ckey, mc, rg, action.lower(), method)
        if action:
            return self._credentials(ckey, action.lower() == "listclusteradmincredential", method)
        if is_pools:
            if pool is None:
                if method != "GET":
                    raise ArmError(405, "MethodNotAllowed", "The requested method is not allowed.")
                self._cluster(ckey, mc, rg)
                items = [v for k, v in sorted(self.pools.items()) if k[:3] == ckey]
                return 200, {}, {"value": items}
            return self._pool_op(method, ckey, mc, rg, pool, body)
        return self._cluster_op(method, ckey, sub, rg, mc, body)

    # clusters -----------------------------------------------------------
    def _cluster(self, ckey, mc, rg):
        cur = self.clusters.get(ckey)
        if cur is None:
            raise ArmError(404, "ResourceNotFound",
                           "The Resource '%s/managedClusters/%s' under resource group '%s' was not found. "
                           "For more details please go to https://aka.ms/ARMResourceNotFoundFix"
                           % (PROVIDER, mc, rg))
        return cur

    def _cluster_op(self, method, ckey, sub, rg, mc, body):
        if method == "GET":
            return 200, {}, self._cluster(ckey, mc, rg)
        if method == "PUT":
            return self._put_cluster(ckey, sub, rg, mc, body)
        if method == "PATCH":
            cur = self._cluster(ckey, mc, rg)
            self._not_busy(ckey, "Updating")
            unknown = set(body or {}) - {"tags"}
            if unknown or not isinstance((body or {}).get("tags", {}), dict):
                raise ArmError(400, "InvalidRequestContent",
                               "The request content was invalid and could not be deserialized: "
                               "Could not find member '%s' on object of type 'TagsObject'."
                               % sorted(unknown)[0] if unknown else "tags must be an object")
            self._check_tags(body.get("tags"))
            cur["tags"] = dict(body.get("tags") or {})
            cur["eTag"] = uuid.uuid4().hex
            return self._start_lro("PATCH", ckey, cur, "Updating", 200)
        if method == "DELETE":
            cur = self.clusters.get(ckey)
            if cur is None:
                return 204, {}, None
            self._not_busy(ckey, "Deleting")
            return self._start_lro("DELETE", ckey, cur, "Deleting", 202)
        raise ArmError(405, "MethodNotAllowed", "The requested method is not allowed.")

    def _put_cluster(self, ckey, sub, rg, mc, body):
        body = body or {}
        self._check_members(body, CLUSTER_TOP, "ManagedCluster")
        props = body.get("properties") or {}
        self._check_members(props, CLUSTER_PROPERTIES, "ManagedClusterProperties")
        if not body.get("location"):
            raise ArmError(400, "InvalidParameter", "The value of parameter location is invalid.")
        cur = self.clusters.get(ckey)
        rid = "/subscriptions/%s/resourcegroups/%s/providers/%s/managedClusters/%s" % (sub, rg, PROVIDER, mc)
        if cur is None:
            profiles = props.get("agentPoolProfiles") or []
            if not any((p.get("mode") == "System") for p in profiles):
                raise ArmError(400, "InvalidParameter",
                               "Provisioning of resource(s) for container service %s in resource group %s "
                               "failed. Message: At least one agent pool with mode 'System' is required."
                               % (mc, rg))
            self._check_tags(body.get("tags"))
            version = self._check_version(props.get("kubernetesVersion") or DEFAULT_MINOR)
            prefix = props.get("dnsPrefix") or mc
            res = {
                "id": rid, "name": mc, "type": "%s/ManagedClusters" % PROVIDER,
                "location": body["location"], "tags": dict(body.get("tags") or {}),
                "sku": body.get("sku") or {"name": "Base", "tier": "Free"},
                "identity": body.get("identity") or {"type": "SystemAssigned"},
                "eTag": uuid.uuid4().hex,
                "properties": {
                    "provisioningState": "Creating",
                    "powerState": {"code": "Running"},
                    "kubernetesVersion": version,
                    "currentKubernetesVersion": _patch_of(version),
                    "dnsPrefix": prefix,
                    "fqdn": "%s-%s.hcp.%s.azmk8s.io" % (prefix, uuid.uuid4().hex[:8], body["location"]),
                    "agentPoolProfiles": [],
                    "enableRBAC": props.get("enableRBAC", True),
                    "nodeResourceGroup": "MC_%s_%s_%s" % (rg, mc, body["location"]),
                    "networkProfile": props.get("networkProfile") or {"networkPlugin": "azure"},
                    "apiServerAccessProfile": props.get("apiServerAccessProfile")
                    or {"enablePrivateCluster": False},
                    "maxAgentPools": 100,
                },
            }
            for prof in profiles:
                if not prof.get("name"):
                    raise ArmError(400, "InvalidParameter", "agentPoolProfiles[].name is required.")
                pkey = ckey + (prof["name"].lower(),)
                pprops = dict((k, v) for k, v in prof.items() if k != "name")
                self.pools[pkey] = self._new_pool(rid, prof["name"], pprops, res, created=True)
            self.clusters[ckey] = res
            self._sync_profiles(ckey)
            return self._start_lro("PUT", ckey, res, "Creating", 201)
        self._not_busy(ckey, "Updating")
        self._not_stopped(cur)
        self._check_etag(cur.get("eTag"))
        if body["location"].lower() != cur["location"].lower():
            raise ArmError(400, "PropertyChangeNotAllowed",
                           "Changing property 'location' is not allowed.")
        version = props.get("kubernetesVersion")
        if version and version != cur["properties"]["kubernetesVersion"]:
            self._check_version(version)
            old = cur["properties"]["currentKubernetesVersion"]
            if _vtuple(_patch_of(version)) < _vtuple(old):
                raise ArmError(400, "NotSupported",
                               "Downgrading kubernetes version from %s to %s is not allowed." % (old, version))
            if _vtuple(version)[1] > _vtuple(old)[1] + 1:
                raise ArmError(400, "UpgradeNotAllowed", "Upgrading kubernetes version from %s to %s "
                               "skips a minor version, which is not allowed." % (old, version))
            cur["properties"]["kubernetesVersion"] = version
            cur["properties"]["currentKubernetesVersion"] = _patch_of(version)
        self._check_tags(body.get("tags"))
        if "tags" in body:
            cur["tags"] = dict(body.get("tags") or {})
        if "apiServerAccessProfile" in props:
            cur["properties"]["apiServerAccessProfile"] = props["apiServerAccessProfile"]
        cur["eTag"] = uuid.uuid4().hex
        return self._start_lro("PUT", ckey, cur, "Updating", 200)

    def _power(self, ckey, mc, rg, action, method):
        """POST stop / start: an LRO that ends with powerState Stopped / Running."""
        if method != "POST":
            raise ArmError(405, "MethodNotAllowed", "The requested method is not allowed.")
        cur = self._cluster(ckey, mc, rg)
        self._not_busy(ckey, "Stopping" if action == "stop" else "Starting")
        answer = self._start_lro("POST", ckey, cur, "Stopping" if action == "stop" else "Starting", 202)
        self.operations[self.busy[ckey]]["power"] = "Stopped" if action == "stop" else "Running"
        return answer

    def _credentials(self, ckey, admin, method):
        if method != "POST":
            raise ArmError(405, "MethodNotAllowed", "The requested method is not allowed.")
        cur = self.clusters.get(ckey)
        if cur is None:
            raise ArmError(404, "ResourceNotFound",
                           "The Resource '%s/managedClusters/%s' was not found." % (PROVIDER, ckey[2]))
        user = "clusterAdmin_%s_%s" % (ckey[1], cur["name"]) if admin else \
            "clusterUser_%s_%s" % (ckey[1], cur["name"])
        cluster = {"server": self.kube_server}
        if self.kube_ca_data:
            cluster["certificate-authority-data"] = self.kube_ca_data
        doc = {
            "apiVersion": "v1", "kind": "Config", "current-context": cur["name"],
            "clusters": [{"name": cur["name"], "cluster": cluster}],
            "contexts": [{"name": cur["name"], "context": {"cluster": cur["name"], "user": user}}],
            "users": [{"name": user, "user": {"token": "aks-double-%s-token-%s"
                                              % ("admin" if admin else "user", uuid.uuid4().hex)}}],
        }
        value = base64.b64encode(json.dumps(doc).encode("utf-8")).decode("ascii")
        name = "clusterAdmin" if admin else "clusterUser"
        return 200, {}, {"kubeconfigs": [{"name": name, "value": value}]}

    # agent pools --------------------------------------------------------
    def _pool_op(self, method, ckey, mc, rg, pool, body):
        cluster = self._cluster(ckey, mc, rg)
        pkey = ckey + (pool.lower(),)
        cur = self.pools.get(pkey)
        if method == "GET":
            if cur is None:
                raise ArmError(404, "NotFound",
                               "Agent Pool '%s' in managed cluster '%s' not found." % (pool, mc))
            return 200, {}, cur
        if method == "DELETE":
            if cur is None:
                return 204, {}, None
            self._not_busy(pkey, "Deleting")
            system = [k for k, v in self.pools.items() if k[:3] == ckey
                      and v["properties"].get("mode") == "System"]
            if cur["properties"].get("mode") == "System" and len(system) == 1:
                raise ArmError(400, "OperationNotAllowed",
                               "The agent pool '%s' is the last system agent pool in the cluster; "
                               "there has to be at least one system agent pool." % pool)
            return self._start_lro("DELETE", pkey, cur, "Deleting", 202)
        if method != "PUT":
            raise ArmError(405, "MethodNotAllowed", "The requested method is not allowed.")
        body = body or {}
        self._check_members(body, POOL_TOP, "AgentPool")
        props = body.get("properties") or {}
        self._check_members(props, POOL_PROPERTIES, "ManagedClusterAgentPoolProfileProperties")
        self._not_busy(ckey, "Updating")
        self._not_stopped(cluster)
        if cur is None:
            res = self._new_pool(cluster["id"], pool, props, cluster, created=False)
            self.pools[pkey] = res
            self._sync_profiles(ckey)
            return self._start_lro("PUT", pkey, res, "Creating", 201)
        self._not_busy(pkey, "Updating")
        old = cur["properties"]
        self._check_etag(old.get("eTag"))
        for field in POOL_IMMUTABLE:
            if field in props and props[field] != old.get(field):
                raise ArmError(400, "PropertyChangeNotAllowed",
                               "Changing property '%s' is not allowed." % field)
        merged = self._validate_pool(pool, dict(props), cluster, existing=old)
        keep = ("provisioningState", "powerState", "currentOrchestratorVersion", "nodeImageVersion")
        for field in keep:
            merged[field] = old.get(field)
        if merged["orchestratorVersion"] != old.get("orchestratorVersion"):
            merged["currentOrchestratorVersion"] = _patch_of(merged["orchestratorVersion"])
        merged["eTag"] = uuid.uuid4().hex
        cur["properties"] = merged
        self._sync_profiles(ckey)
        return self._start_lro("PUT", pkey, cur, "Updating", 200)

    def _new_pool(self, cluster_id, name, props, cluster, created):
        merged = self._validate_pool(name, dict(props), cluster, existing=None)
        merged["provisioningState"] = "Creating"
        merged["powerState"] = {"code": "Running"}
        merged["currentOrchestratorVersion"] = _patch_of(merged["orchestratorVersion"])
        merged["nodeImageVersion"] = "AKSUbuntu-2204gen2containerd-202611.01.0"
        merged["eTag"] = uuid.uuid4().hex
        return {"id": "%s/agentPools/%s" % (cluster_id, name), "name": name,
                "type": "%s/managedClusters/agentPools" % PROVIDER, "properties": merged}

    def _validate_pool(self, name, props, cluster, existing):
        """Defaults and the checks AKS makes; returns the stored properties."""
        if not re.match(r"^[a-z][a-z0-9]{0,11}$", name):
            raise ArmError(400, "InvalidParameter",
                           "Agent pool name '%s' is invalid: it must start with a lowercase letter, "
                           "have at most 12 characters and only lowercase letters and numbers." % name)
        vm = props.get("vmSize") or (existing or {}).get("vmSize")
        if not vm or not VM_SIZE_RE.match(vm):
            raise ArmError(400, "InvalidParameter",
                           "The value of parameter agentPoolProfile.vmSize is invalid: %r." % vm)
        props["vmSize"] = vm
        props.setdefault("count", 1)
        props.setdefault("type", "VirtualMachineScaleSets")
        props.setdefault("mode", "User")
        props.setdefault("osType", "Linux")
        props.setdefault("osDiskSizeGB", (existing or {}).get("osDiskSizeGB") or 128)
        props.setdefault("orchestratorVersion", cluster["properties"]["kubernetesVersion"])
        self._check_version(props["orchestratorVersion"])
        if _vtuple(_patch_of(props["orchestratorVersion"])) > _vtuple(cluster["properties"]["currentKubernetesVersion"]):
            raise ArmError(400, "InvalidParameter", "orchestratorVersion %s must not be newer than the "
                           "control plane version %s." % (props["orchestratorVersion"],
                                                          cluster["properties"]["currentKubernetesVersion"]))
        self._check_tags(props.get("tags"))
        props.setdefault("scaleSetPriority", (existing or {}).get("scaleSetPriority") or "Regular")
        if props["mode"] not in ("System", "User", "Gateway"):
            raise ArmError(400, "InvalidParameter",
                           "The value of parameter agentPoolProfile.mode is invalid: %r." % props["mode"])
        if props["scaleSetPriority"] not in ("Regular", "Spot"):
            raise ArmError(400, "InvalidParameter", "The value of parameter "
                           "agentPoolProfile.scaleSetPriority is invalid: %r." % props["scaleSetPriority"])
        count = props["count"]
        if not isinstance(count, int) or count < 0 or count > 1000:
            raise ArmError(400, "InvalidParameter",
                           "The value of parameter agentPoolProfile.count is invalid: %r "
                           "(allowed 0 to 1000)." % count)
        if props["mode"] == "System" and count < 1:
            raise ArmError(400, "InvalidParameter", "System agent pool '%s' must have at least 1 node." % name)
        if props.get("enableAutoScaling"):
            lo, hi = props.get("minCount"), props.get("maxCount")
            if lo is None or hi is None:
                raise ArmError(400, "InvalidParameter", "minCount and maxCount are required "
                               "when enableAutoScaling is true.")
            if lo > hi:
                raise ArmError(400, "InvalidParameter", "minCount (%s) must be less than or equal to "
                               "maxCount (%s)." % (lo, hi))
            if not lo <= count <= hi:
                raise ArmError(400, "InvalidParameter", "count (%s) must be between minCount (%s) "
                               "and maxCount (%s)." % (count, lo, hi))
        else:
            props.pop("minCount", None)
            props.pop("maxCount", None)
        if props["scaleSetPriority"] == "Spot":
            if props["mode"] == "System":
                raise ArmError(400, "InvalidParameter", "Spot agent pool '%s' cannot be a System "
                               "agent pool." % name)
            props.setdefault("scaleSetEvictionPolicy", "Delete")
            props.setdefault("spotMaxPrice", -1)
            price = props["spotMaxPrice"]
            if not isinstance(price, (int, float)) or (price != -1 and price <= 0):
                raise ArmError(400, "InvalidParameter", "spotMaxPrice must be -1 or a positive "
                               "price, got %r." % price)
            taints = list(props.get("nodeTaints") or [])
            if SPOT_TAINT not in taints:
                taints.append(SPOT_TAINT)
            props["nodeTaints"] = taints
            labels = dict(props.get("nodeLabels") or {})
            labels[SPOT_LABEL[0]] = SPOT_LABEL[1]
            props["nodeLabels"] = labels
        elif "spotMaxPrice" in props or "scaleSetEvictionPolicy" in props:
            raise ArmError(400, "InvalidParameter", "spotMaxPrice and scaleSetEvictionPolicy are "
                           "only allowed when scaleSetPriority is Spot.")
        for taint in props.get("nodeTaints") or []:
            if not isinstance(taint, str) or not TAINT_RE.match(taint):
                raise ArmError(400, "InvalidParameter",
                               "The value of parameter agentPoolProfile.nodeTaints is invalid: %r "
                               "(expected key=value:NoSchedule|PreferNoSchedule|NoExecute)." % (taint,))
        labels = props.get("nodeLabels") or {}
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            raise ArmError(400, "InvalidParameter", "nodeLabels must map strings to strings.")
        for key in labels:
            if key.startswith("kubernetes.azure.com/") and key != SPOT_LABEL[0]:
                raise ArmError(400, "InvalidParameter", "Label key '%s' uses the reserved prefix "
                               "kubernetes.azure.com." % key)
        size = props["osDiskSizeGB"]
        if not isinstance(size, int) or not 30 <= size <= 2048:
            raise ArmError(400, "InvalidParameter", "osDiskSizeGB must be between 30 and 2048, got %r." % size)
        return props

    def _sync_profiles(self, ckey):
        cluster = self.clusters.get(ckey)
        if cluster is None:
            return
        cluster["properties"]["agentPoolProfiles"] = [
            dict(name=v["name"], **v["properties"]) for k, v in sorted(self.pools.items()) if k[:3] == ckey]

    # long-running operations ---------------------------------------------
    def _check_members(self, obj, allowed, type_name):
        if not isinstance(obj, dict):
            raise ArmError(400, "InvalidRequestContent", "The request content was invalid and could not "
                           "be deserialized: expected an object for '%s'." % type_name)
        unknown = sorted(set(obj) - allowed)
        if unknown:
            raise ArmError(400, "InvalidRequestContent",
                           "The request content was invalid and could not be deserialized: 'Could not "
                           "find member '%s' on object of type '%s'. Path 'properties.%s'.'."
                           % (unknown[0], type_name, unknown[0]))

    @staticmethod
    def _not_stopped(cluster):
        if (cluster["properties"].get("powerState") or {}).get("code") == "Stopped":
            raise ArmError(400, "OperationNotAllowed", "Managed cluster %s is in stopped state; start it "
                           "before changing it." % cluster["name"])

    def _check_etag(self, etag):
        if self._if_match and self._if_match != "*" and self._if_match != etag:
            raise ArmError(412, "PreconditionFailed", "Operation failed: the If-Match eTag '%s' does not "
                           "match the resource's current eTag." % self._if_match)

    @staticmethod
    def _check_tags(tags):
        bad = sorted(k for k in (tags or {}) if TAG_NAME_BAD.search(k))
        if bad:
            raise ArmError(400, "InvalidTagNameCharacters",
                           "The tag names '%s' have reserved characters '<,>,%%,&,\\,?,/' or control "
                           "characters." % ",".join(bad))

    @staticmethod
    def _check_version(version):
        if _patch_of(version) is None:
            raise ArmError(400, "VersionNotSupported", "Version %s is not supported in this region. "
                           "Supported versions: %s." % (version, ", ".join(sorted(KUBERNETES_VERSIONS))))
        return version

    def _not_busy(self, key, verb):
        op = self.operations.get(self.busy.get(key))
        if op is not None and op["status"] == "InProgress":
            raise ArmError(409, "OperationNotAllowed",
                           "Operation is not allowed because there's an in progress %s operation on "
                           "'%s'. Please wait for it to finish before starting %s." % (
                               op["verb"], key[-1], verb))

    def _start_lro(self, method, key, res, state, status):
        path = res["id"]
        failure = None
        for fail in self._lro_failures:
            if fail["method"] in (None, method) and fail["path"].search(path):
                failure = fail
                self._lro_failures.remove(fail)
                break
        op_id = str(uuid.uuid4())
        kind = "%s_%s" % ("pool" if len(key) == 4 else "cluster",
                          {"Creating": "create", "Deleting": "delete"}.get(state, "update"))
        self.operations[op_id] = {"id": op_id, "key": key, "verb": state, "method": method,
                                  "status": "InProgress", "start": time.time(),
                                  "done_at": time.time() + self.latencies.of(kind), "failure": failure}
        self.busy[key] = op_id
        res.setdefault("properties", {})["provisioningState"] = state
        if len(key) == 4:
            self._sync_profiles(key[:3])
        loc = (self.clusters.get(key[:3]) or res).get("location", "eastus")
        url = "%s/subscriptions/%s/providers/%s/locations/%s/operations/%s?api-version=%s" % (
            self.endpoint, key[0], PROVIDER, loc, op_id, API_VERSIONS[0])
        headers = {"Azure-AsyncOperation": url}
        headers.update(self._retry_after())
        if method in ("DELETE", "POST"):
            return 202, headers, None
        self._maybe_finish(op_id)
        return status, headers, copy.deepcopy(res)

    def _maybe_finish(self, op_id):
        op = self.operations[op_id]
        if op["status"] != "InProgress" or time.time() < op["done_at"]:
            return op
        key = op["key"]
        store = self.pools if len(key) == 4 else self.clusters
        res = store.get(key)
        if op["failure"]:
            op["status"] = "Failed"
            op["error"] = {"code": op["failure"]["code"], "message": op["failure"]["message"]}
            if res is not None:
                res["properties"]["provisioningState"] = "Failed"
        else:
            op["status"] = "Succeeded"
            if op["method"] == "DELETE":
                store.pop(key, None)
                if len(key) == 3:
                    for pkey in [k for k in self.pools if k[:3] == key]:
                        del self.pools[pkey]
            elif res is not None:
                res["properties"]["provisioningState"] = "Succeeded"
                if op.get("power"):
                    res["properties"]["powerState"] = {"code": op["power"]}
        if len(key) == 3 and key in self.clusters:
            # pools created with the cluster finish (or fail) with it
            for pkey, pool in self.pools.items():
                if pkey[:3] == key and pkey not in self.busy:
                    pool["properties"]["provisioningState"] = res["properties"]["provisioningState"]
            self._sync_profiles(key)
        if len(key) == 4:
            self._sync_profiles(key[:3])
        op["end"] = time.time()
        return op

    def _get_operation(self, op_id):
        if op_id not in self.operations:
            raise ArmError(404, "NotFound", "Operation '%s' not found." % op_id)
        op = self._maybe_finish(op_id)
        body = {"id": op_id, "name": op_id, "status": op["status"],
                "startTime": datetime.datetime.fromtimestamp(op["start"], datetime.timezone.utc).isoformat()}
        if op["status"] == "Failed":
            body["error"] = op["error"]
        return 200, self._retry_after() if op["status"] == "InProgress" else {}, body

    def _retry_after(self):
        if self.retry_after_ms is None:
            return {}
        return {"x-ms-retry-after-ms": str(self.retry_after_ms)}

    def tick(self):
        """Finish every operation whose time has come (GET of a resource also does)."""
        with self.lock:
            for op_id in list(self.operations):
                self._maybe_finish(op_id)


def _patch_of(version):
    """'1.34' -> '1.34.1' (latest patch); a full known patch stays; unknown -> None."""
    minor = ".".join(str(version).split(".")[:2])
    patch = KUBERNETES_VERSIONS.get(minor)
    if patch is None or (version.count(".") == 2 and _vtuple(version) > _vtuple(patch)):
        return None
    return version if version.count(".") == 2 else patch


def _vtuple(version):
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    double = None

    def log_message(self, fmt, *args):  # keep test output quiet
        return

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.double.tick()
        status, headers, payload = self.double.handle(self.command, self.path, raw,
                                                      self.headers.get("If-Match"))
        data = b"" if payload is None else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    do_GET = do_PUT = do_PATCH = do_DELETE = do_POST = _serve


if __name__ == "__main__":
    srv = AksServer().start()
    print("AKS double on %s (CA %s)" % (srv.endpoint, srv.ca_path))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()
