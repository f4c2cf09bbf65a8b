"""inference_service on the live local control plane: the real scheduler places the servers, the real API server
validates every object (KEDA's ScaledObject against its upstream CRD, served by the keda add-on), check mode is the
server's dry run.

The zone of this test, as KWOK nodes publishing what the GPU Operator would:
  mig pool      A100 80GB, all 3g.40gb: 16 x nvidia.com/mig-3g.40gb a node
  shared pool   A100 40GB time-sliced by 3: 24 x nvidia.com/gpu a node (nvidia.com/gpu.replicas=3)
  h100 pool     8 x H100 80GB, whole
"""

import uuid

import pytest

from harness.addons import addon_task
from harness.kwok_pool import delete_nodes, make_pool

pytestmark = pytest.mark.controlplane

GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
KINDS = ("deployments", "services", "poddisruptionbudgets", "networkpolicies", "scaledobjects",
         "horizontalpodautoscalers")


@pytest.fixture(scope="module")
def zone(controlplane):
    from kubernetes import client
    core = client.CoreV1Api(controlplane.api_client())
    mig, mig_nodes, _u = make_pool(core, "is-mig", count=1, gpus=8, taints=[GPU_TAINT],
                                   resources={"nvidia.com/mig-3g.40gb": "16"})
    shared, shared_nodes, _u = make_pool(core, "is-ts", count=1, gpus=8, taints=[GPU_TAINT],
                                         gpu_model="A100-SXM4-40GB", resources={"nvidia.com/gpu": "24"},
                                         labels={"nvidia.com/gpu.replicas": "3"})
    h100, h100_nodes, _u = make_pool(core, "is-h100", count=1, gpus=8, taints=[GPU_TAINT], gpu_model="H100-80GB")
    namespace = "is-" + uuid.uuid4().hex[:6]
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace)))
    yield {"core": core, "mig": mig, "shared": shared, "h100": h100, "ns": namespace}
    core.delete_namespace(namespace)
    delete_nodes(core, mig_nodes + shared_nodes + h100_nodes)


def vllm(zone, **over):
    spec = {"name": "llm", "namespace": zone["ns"], "pool": zone["mig"],
            "model": {"name": "llama-3.1-8b", "source": "meta-llama/Llama-3.1-8B-Instruct", "parameters_b": 8},
            "resources": {"cpu": "4", "memory": "32Gi", "mig_profile": "3g.40gb"},
            "autoscaling": {"min": 2, "max": 4}}
    spec.update(over)
    return spec


def triton(zone):
    return {"name": "vision", "namespace": zone["ns"], "pool": zone["shared"], "runtime": "triton", "replicas": 2,
            "model": {"name": "resnet50", "source": "s3://models/triton", "parameters_b": 0.0256,
                      "dtype": "float32"},
            "resources": {"cpu": "2", "memory": "8Gi", "gpus": 1}}


def task(name, kubeconfig, services, **kw):
    return dict({"name": name, "aizone.platform.inference_service": dict(
        kubeconfig=kubeconfig, services=services, wait_timeout=90)}, **kw)


def play(*tasks):
    return [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}]


def writes(cp, before):
    delta = cp.delta(before, cp.request_counts(), writes_only=True)
    return dict((k, v) for k, v in delta.items() if k[1] in KINDS and k[0] in ("APPLY", "PATCH", "POST", "CREATE"))


def refs(result):
    return sorted((o["kind"], o["name"], o["action"]) for o in result["objects"])


def pods_by_pool(zone, name):
    nodes = dict((n.metadata.name, n.metadata.labels.get("aizone.io/node-pool"))
                 for n in zone["core"].list_node(label_selector="aizone.io/node-pool").items)
    pods = zone["core"].list_namespaced_pod(zone["ns"], label_selector="aizone.io/workload=%s" % name).items
    return sorted((p.status.phase, nodes.get(p.spec.node_name)) for p in pods)


def test_vllm_on_a_mig_slice_and_triton_on_a_shared_gpu(controlplane, zone, run_playbook):
    from kubernetes import client
    kc, services = controlplane.kubeconfig, [vllm(zone), triton(zone)]
    first = run_playbook(play(
        addon_task("aizone-test", [{"name": "keda"}], name="keda"),
        task("predict", kc, services, check_mode=True), task("converge", kc, services),
        task("again", kc, services)), diff=True)
    assert first.rc == 0, first.output[-3000:]
    predict, made, again = first.task("predict"), first.task("converge"), first.task("again")
    assert refs(predict) == refs(made) and len(made["objects"]) == 9       # check mode predicted exactly
    assert made["services"][0]["sizing"]["device"] == "3g.40gb MIG slice of a A100-80GB (40.0 GiB)"
    assert made["services"][1]["sizing"]["device"] == "A100-SXM4-40GB GPU shared by 3 (13.3 GiB)"
    assert again["changed"] is False and set(again["api_requests"]) <= {"GET"}
    # the Deployment leaves replicas to the autoscaler: 1 until KEDA's operator (not run on a local zone) scales it
    assert pods_by_pool(zone, "llm") == [("Running", zone["mig"])]
    assert pods_by_pool(zone, "vision") == [("Running", zone["shared"])] * 2
    scaled = client.CustomObjectsApi(controlplane.api_client()).get_namespaced_custom_object(
        "keda.sh", "v1alpha1", zone["ns"], "scaledobjects", "llm")
    assert scaled["spec"]["triggers"][0]["metadata"]["query"] == \
        'sum(vllm:num_requests_waiting{model_name="llama-3.1-8b",namespace="%s"})' % zone["ns"]
    info = run_playbook(play({"name": "info", "aizone.platform.inference_service_info": {
        "kubeconfig": kc, "namespace": zone["ns"]}})).task("info")
    assert [(s["name"], s["pool"], [a["kind"] for a in s["autoscaling"]]) for s in info["services"]] == \
        [("llm", zone["mig"], ["ScaledObject"]), ("vision", zone["shared"], [])]


def test_a_model_that_cannot_fit_is_refused_before_any_write(controlplane, zone, run_playbook):
    kc = controlplane.kubeconfig
    big = vllm(zone, name="big", model={"name": "llama-70b", "parameters_b": 70, "dtype": "float16"})
    split = vllm(zone, name="split", tensor_parallel_size=2)
    before = controlplane.request_counts()
    res = run_playbook(play(task("big", kc, [big], ignore_errors=True), task("split", kc, [split],
                                                                             ignore_errors=True)))
    assert writes(controlplane, before) == {}
    big_res, split_res = res.task("big"), res.task("split")
    assert big_res["failed"] and big_res["field"] == "services[0].model"
    assert "model 'llama-70b' needs about 143.4 GiB" in big_res["msg"]
    assert "the smallest that fits in the zone: pool %r, 4 x nvidia.com/gpu (H100-80GB GPU (79.6 GiB), " \
           "tensor_parallel_size 4)" % zone["h100"] in big_res["msg"]
    assert split_res["failed"] and split_res["field"] == "services[0].tensor_parallel_size"
    assert "a CUDA process sees one MIG device" in split_res["msg"]


def test_a_new_runtime_version_or_model_rolls_the_deployment_and_the_diff_shows_it(controlplane, zone, run_playbook):
    from kubernetes import client
    kc = controlplane.kubeconfig
    base = vllm(zone, name="roll", autoscaling=None, replicas=1)
    assert run_playbook(play(task("base", kc, [base]))).rc == 0
    apps = client.AppsV1Api(controlplane.api_client())
    generation = apps.read_namespaced_deployment("roll", zone["ns"]).metadata.generation
    bumped = dict(base, version="v0.34.0")
    res = run_playbook(play(task("bump check", kc, [bumped], check_mode=True), task("bump", kc, [bumped])),
                       diff=True)
    assert res.rc == 0, res.output[-3000:]
    check, bump = res.task("bump check"), res.task("bump")
    assert refs(check) == refs(bump) == [("Deployment", "roll", "updated")]
    image = [d for d in bump["diff"] if "Deployment" in d["after_header"]][0]
    assert image["before"]["spec"]["template"]["spec"]["containers"][0]["image"] == "vllm/vllm-openai:v0.33.0"
    assert image["after"]["spec"]["template"]["spec"]["containers"][0]["image"] == "vllm/vllm-openai:v0.34.0"
    live = apps.read_namespaced_deployment("roll", zone["ns"])
    assert live.metadata.generation == generation + 1 and bump["services"][0]["rollout"].startswith("1/1 ready")

    qwen = dict(bumped, model={"name": "qwen3-8b", "source": "Qwen/Qwen3-8B", "parameters_b": 8.2})
    res = run_playbook(play(task("model", kc, [qwen])), diff=True)
    assert res.rc == 0, res.output[-3000:]
    change = [d for d in res.task("model")["diff"] if "Deployment" in d["after_header"]][0]
    args = change["after"]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[:3] == ["Qwen/Qwen3-8B", "--served-model-name", "qwen3-8b"]
    assert change["before"]["spec"]["template"]["spec"]["containers"][0]["args"][0] == "meta-llama/Llama-3.1-8B-Instruct"
    assert apps.read_namespaced_deployment("roll", zone["ns"]).metadata.generation == generation + 2


def test_a_taken_name_a_missing_secret_or_claim_fail_before_any_write(
        controlplane, zone, run_playbook):
    from kubernetes import client
    labels = {"app": "someone-elses"}
    client.AppsV1Api(controlplane.api_client()).create_namespaced_deployment(zone["ns"], {
        "metadata": {"name": "taken"}, "spec": {"replicas": 0, "selector": {"matchLabels": labels},
                                                "template": {"metadata": {"labels": labels}, "spec": {
                                                    "containers": [{"name": "c", "image": "busybox"}]}}}})
    before = controlplane.request_counts()
    kc = controlplane.kubeconfig
    res = run_playbook(play(task("taken", kc, [vllm(zone, name="taken")], ignore_errors=True),
                            task("no token", kc, [vllm(zone, name="gated", hf_token_secret={"name": "hf"})],
                                 ignore_errors=True),
                            task("no cache", kc, [vllm(zone, name="cached", cache={"claim": "models"})],
                                 ignore_errors=True)))
    assert writes(controlplane, before) == {}
    failed = res.task("taken")
    assert failed["failed"] and failed["field"] == "services[0].name"
    assert "a Deployment's selector cannot change" in failed["msg"]
    assert res.task("no token")["msg"] == "services[0].hf_token_secret: Secret %s/hf with the key 'token' does " \
        "not exist" % zone["ns"]
    assert res.task("no cache")["field"] == "services[0].cache.claim"
