# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Batch server-side-apply engine: converge a list of Kubernetes objects in one call.

Public API (every Kubernetes-side module uses only this)::

    from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply import (
        apply_objects, delete_objects, FIELD_MANAGER)

    result = apply_objects(rest, desired_objects, check_mode=False, prune=None,
                           absent=None, field_manager=FIELD_MANAGER, force=True,
                           workers=16, wait_deleted=False, wait_timeout=300)
    result = delete_objects(rest, refs, check_mode=False, wait=False,
                            wait_timeout=300, field_manager=FIELD_MANAGER, workers=16)

`rest` is the module run's k8s.rest.Rest, from k8s.client.connect(module.params).
Where the code is: apply_plan.py (records, what to read, what to write: no
request), apply_exec.py (the requests), this file (the calls, in order).

`desired_objects`: full manifests (dicts with apiVersion, kind, metadata.name,
metadata.namespace for namespaced kinds). None values are dropped. The engine
adds the label app.kubernetes.io/managed-by=aizone.platform (names.py) to each one: only
objects carrying it are read, pruned or deleted; an unlabeled object of the
same name is taken over by the apply (reported "updated").

`absent`: objects (or refs: apiVersion, kind, metadata.name/namespace) to
delete if they exist and carry the managed-by label.

`prune`: None, a dict(kinds=[(apiVersion, kind), ...], labels={key: value})
or a list of such dicts; a label value is a string (equal), a list (one of)
or None (key present). Live objects of those kinds carrying the managed-by
label and matching every label of one spec, and not in desired_objects,
are deleted. Objects inside a
namespace deleted in the same call are left to the namespace's cascade (and
reported deleted) rather than deleted one by one.

Returns ApplyResult:
  .changed   True when any object was (or, in check mode, would be) written.
  .objects   [{apiVersion, kind, namespace, name, action}] with action one of
             created | updated | unchanged | deleted; applies in input order,
             then deletes. namespace is None for cluster-scoped kinds.
  .diff      [{before_header, after_header, before, after}] for every object
             whose action is not unchanged (before {} on create, after {} on
             delete); objects without status and server bookkeeping.
  .live      {(apiVersion, kind, namespace, name): object} as stored after the
             call (the server's dry-run answer in check mode).
  .requests  {HTTP method: count} the engine sent in this call.
  .as_dict(diff=False) -> dict(changed, objects[, diff]) for exit_json.

How it works and what it costs:
- Reads are batched: one LIST per kind with labelSelector managed-by (all
  namespaces when the objects span several, the one namespace otherwise),
  never a GET per object. The selector is narrowed by a label that every
  desired object of the kind carries and every prune spec constrains (e.g.
  `aizone.io/tenant in (a,b)`, see narrow_selector), so a call reads the
  objects it manages, not every object the collection manages in the
  cluster. Kinds the collection writes are in a static table
  (k8s/discovery.py); an unknown kind costs one discovery GET per apiVersion.
- A live object is converged when the fields our field manager owns (its
  managedFields Apply entry) are exactly the desired fields with the desired
  values (k8s/diff.py). Converged objects cost no request at all, so a no-op
  run is only the LISTs. This is exact for SSA semantics and free, where a
  dry-run apply per object would cost one PATCH per object on every run.
  Ownership cannot see a key removed inside a value the server owns whole
  (an atomic list such as a LimitRange's limits, where the server also
  defaults keys), so every applied object carries the annotation
  aizone.io/applied-hash (one per field manager): the hash of the manifest
  last applied. A changed manifest changes the hash and is applied.
- Writes are server-side apply (PATCH application/apply-patch+yaml, one field
  manager, force=True by default: the collection owns what it declares).
  Check mode sends the same requests with dryRun=All, so the prediction is
  the server's own (admission and validation included). In check mode an
  object whose namespace would be created by the same call, or does not
  exist yet (an earlier task of the play creates it: one GET per namespace
  the reads found no object in, in check mode only), cannot be dry-run: it
  is reported created with `after` equal to the desired manifest.
- Order: by tier (CRDs, Namespaces, cluster policy, namespaced policy,
  workloads, custom resources); deletes in reverse. Objects of one tier are
  sent concurrently by `workers` threads. A CRD in the batch tells the engine
  its kinds (no discovery), and is waited for until Established before its
  custom resources are applied; in check mode those custom resources are
  reported created without a dry run, like objects of a namespace the call
  creates. A desired object found terminating is waited for (wait_timeout)
  and then created again.
- Every request is rate limited (client qps/burst) and retried with backoff
  on 429, 5xx and transport errors (retry.py, k8s/rest.py).
  A failure raises ApiError after the failing tier's other requests end;
  its details carry `written_before_failure` (objects of earlier tiers).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply_exec import ApplyResult, Executor
from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply_plan import (
    HASH_ANNOTATION_PREFIX, desired_hash, hash_annotation, make_plan, make_request, namespaces_to_check,
    narrow_selector, object_ref, result_entry)
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import KindResolver

__all__ = ["FIELD_MANAGER", "HASH_ANNOTATION_PREFIX", "ApplyResult", "apply_objects", "delete_objects",
           "desired_hash", "hash_annotation", "narrow_selector", "object_ref", "result_entry"]

FIELD_MANAGER = "aizone.platform"


def apply_objects(rest, desired_objects, check_mode=False, prune=None, absent=None,
                  field_manager=FIELD_MANAGER, force=True, workers=16, wait_deleted=False,
                  wait_timeout=300):
    """Converge desired_objects (and delete absent/pruned ones); see the module docstring."""
    start = rest.snapshot()
    request = make_request(KindResolver(rest.get), desired_objects, absent, prune, field_manager)
    executor = Executor(rest, field_manager, force, workers, check_mode, wait_timeout)
    index = executor.read(request.reads())
    missing = [ns for ns in namespaces_to_check(request, index)
               if rest.get_or_none("/api/v1/namespaces/%s" % ns) is None] if check_mode else []
    plan = make_plan(request, index, field_manager, check_mode, missing)
    result = executor.execute(plan, request, index, wait_deleted)
    result.requests = rest.since(start)
    return result


def delete_objects(rest, refs, check_mode=False, wait=False, wait_timeout=300,
                   field_manager=FIELD_MANAGER, workers=16):
    """Delete the managed objects among refs (reverse tier order); see the module docstring."""
    return apply_objects(rest, [], check_mode=check_mode, absent=refs, field_manager=field_manager,
                         workers=workers, wait_deleted=wait, wait_timeout=wait_timeout)
