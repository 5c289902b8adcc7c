"""Faster algorithms for a few of moto's paths, with the same answers, for fleets of thousands.

moto keeps its state in dicts and lists and answers many look-ups by walking all of it: a Query reads
and sorts every item of the table, an EC2 resource's tags are found by scanning every tag of the
Region, a DescribeInstances by ID tests each ID against a list. At 10,000 resources these make moto's
time grow with the square of the fleet. Each patch below keeps moto's own code for the answer and
only narrows what it walks to what the answer can contain; test/workflow/moto-speedups.test.ts runs
the patched operations on a patched and a plain server and compares the answers.
"""

import importlib.abc
import sys
import threading

_installed = False


def _cache_module_list() -> None:
    """Every request asks which folders moto's package has (a listdir and 150 stats, under a lock)."""
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules


def _query_one_partition() -> None:
    """A Query on a table's key reads only its partition, not every item of the table.

    moto's Table.query takes every item (all_items: the whole table, sorted), keeps those whose hash
    key matches, sorts them by range key and pages. Here all_items, during such a query, returns only
    the matching partition, in the same order, so the rest of moto's query runs unchanged.
    """
    from moto.dynamodb.models.table import Table

    partition = threading.local()
    all_items = Table.all_items
    query = Table.query

    def partition_items(self):
        hash_key = getattr(partition, "hash_key", None)
        if hash_key is None:
            return all_items(self)
        found = self.items.get(hash_key)
        if found is None:
            return []
        items = list(found.values()) if self.range_key_attr else [found]
        return sorted(
            items,
            key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key,
        )

    def partition_query(self, hash_key, *args, **kwargs):
        # An index query matches on the index's keys, which are not how self.items is keyed.
        if kwargs.get("index_name") or (len(args) > 6 and args[6]) or hash_key is None:
            return query(self, hash_key, *args, **kwargs)
        partition.hash_key = hash_key
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            partition.hash_key = None

    Table.all_items = partition_items
    Table.query = partition_query


def _ec2_tags_by_id() -> None:
    """An EC2 resource's own tags are read from its entry, not by scanning every tag of the Region.

    moto's get_tags calls describe_tags with a resource-id filter, which walks all tags of all
    resources and matches each resource's ID against the filter (an anchored pattern of the ID, so an
    exact match for IDs, which hold no wildcard). Describing N instances was N x all tags.
    """
    from moto.ec2.models.core import TaggedEC2Resource
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix

    def get_tags(self):
        if not self.id:
            return []
        tags = self.ec2_backend.tags.get(self.id)
        if not tags:
            return []
        resource_type = EC2_PREFIX_TO_RESOURCE.get(get_prefix(self.id), "")
        return [
            {"resource_id": self.id, "key": key, "value": value, "resource_type": resource_type}
            for key, value in list(tags.items())
        ]

    TaggedEC2Resource.get_tags = get_tags


def _instances_by_id_set() -> None:
    """DescribeInstances by ID tests membership in a set, not in a list, per instance.

    moto's get_reservations_by_instance_ids tests, for every reservation, each asked ID against the
    reservation's instances (a list) and each instance against the asked IDs (a list). Same walk, same
    order, same errors, with sets.
    """
    from moto.ec2.exceptions import InvalidInstanceIdError
    from moto.ec2.models.instances import InstanceBackend
    from moto.ec2.utils import filter_reservations

    def get_reservations_by_instance_ids(self, instance_ids, filters=None):
        wanted = set(instance_ids)
        reservations = []
        for reservation in self.all_reservations():
            if any(instance.id in wanted for instance in reservation.instances):
                reservation.instances = [
                    instance for instance in reservation.instances if instance.id in wanted
                ]
                reservations.append(reservation)
        found_instance_ids = [
            instance.id for reservation in reservations for instance in reservation.instances
        ]
        if len(found_instance_ids) != len(instance_ids):
            invalid_id = list(set(instance_ids).difference(set(found_instance_ids)))[0]
            raise InvalidInstanceIdError(invalid_id)
        if filters is not None:
            reservations = filter_reservations(reservations, filters)
        return reservations

    InstanceBackend.get_reservations_by_instance_ids = get_reservations_by_instance_ids


def _instance_by_walking() -> None:
    """An instance is found by ID walking the reservations, not by listing every instance first.

    moto's get_instance builds the list of all instances (asking each whether it passes no filter) and
    then looks for the ID in it; RunInstances calls it for every instance it makes (attaching its root
    volume), so making 10,000 instances built lists of them 10,000 times. Same walk, same order, same
    error, without the list.
    """
    from moto.ec2.exceptions import InvalidInstanceIdError
    from moto.ec2.models.instances import InstanceBackend

    def get_instance(self, instance_id):
        # The reservations themselves: all_reservations copies each, to hand out the same instances.
        for reservation in list(self.reservations.values()):
            for instance in reservation.instances:
                if instance.id == instance_id:
                    return instance
        raise InvalidInstanceIdError(instance_id)

    InstanceBackend.get_instance = get_instance


def _image_by_id() -> None:
    """An instance finds its image by ID in the images' dict, not by filtering every image.

    Each instance RunInstances creates calls describe_images(filters={"image-id": its image}), which
    matches the filter against every AMI of the Region (over a thousand, moto's stock images). An ID
    with no wildcard matches only itself, so the dict's entry is the same answer.
    """
    from moto.ec2.models.amis import AmiBackend

    describe_images = AmiBackend.describe_images

    def by_id(self, ami_ids=None, filters=None, exec_users=None, owners=None):
        wanted = (filters or {}).get("image-id")
        if (
            not ami_ids
            and not exec_users
            and not owners
            and isinstance(wanted, str)
            and len(filters) == 1
            and not any(wildcard in wanted for wildcard in "*?[")
        ):
            image = self.amis.get(wanted)
            return [image] if image is not None else []
        return describe_images(self, ami_ids, filters, exec_users, owners)

    AmiBackend.describe_images = by_id


class _KeyPairOnFirstUse:
    """A KMS key's key pair, generated the first time it is used rather than when the key is created.

    moto generates an RSA 2048 key pair for every key it creates, a symmetric one included (its
    fallback), tens of milliseconds of CPU each: creating 10,000 keys took minutes. Only Sign, Verify
    and GetPublicKey read the pair; they find the same kind of pair, made when first asked for.
    """

    def __init__(self, generate, key_spec):
        self._generate = generate
        self._key_spec = key_spec
        self._pair = None
        self._lock = threading.Lock()

    def _real(self):
        with self._lock:
            if self._pair is None:
                self._pair = self._generate(self._key_spec)
            return self._pair

    def __getattr__(self, name):
        return getattr(self._real(), name)


def _kms_key_pair_on_first_use() -> None:
    from moto.kms import models

    generate = models.generate_private_key
    models.generate_private_key = lambda key_spec: _KeyPairOnFirstUse(generate, key_spec)


class _NotPlain(Exception):
    """An attribute value the fast path leaves to moto's serializer (a binary, or an odd shape)."""


def _plain_attribute(value):
    """A DynamoDB attribute value as moto's JSON serializer would write it, for the types it passes through."""
    if type(value) is not dict or len(value) != 1:
        raise _NotPlain()
    ((kind, inner),) = value.items()
    if kind in ("S", "N") and type(inner) is str:
        return {kind: inner}
    if kind in ("BOOL", "NULL") and type(inner) is bool:
        return {kind: inner}
    if kind in ("SS", "NS") and type(inner) is list and all(type(x) is str for x in inner):
        return {kind: list(inner)}
    if kind == "L" and type(inner) is list:
        return {kind: [_plain_attribute(x) for x in inner]}
    if kind == "M" and type(inner) is dict:
        return {kind: {name: _plain_attribute(x) for name, x in inner.items()}}
    raise _NotPlain()


def _dynamodb_items_as_they_are() -> None:
    """DynamoDB's attribute values are written as moto holds them, not walked member by member.

    moto serializes each response by walking the operation's output shape and looking every member up
    through its attribute pickers: a Query of 1,000 items of 7 attributes is 70,000 look-ups, seconds of
    CPU. moto already holds an item's attributes in DynamoDB's wire form ({"S": "..."}), which the
    JSON serializer writes unchanged for strings, numbers, booleans, nulls, string sets, lists and
    maps; those are copied as they are. Binaries (base64-encoded by the serializer) and anything else
    go through moto's own code.
    """
    from moto.core.serialize import BaseJSONSerializer

    serialize_structure = BaseJSONSerializer._serialize_type_structure

    def serialize(self, serialized, value, shape, key):
        if key and shape.name == "AttributeValue":
            try:
                serialized[self.get_serialized_name(shape, key)] = _plain_attribute(value)
                return
            except _NotPlain:
                pass
        serialize_structure(self, serialized, value, shape, key)

    BaseJSONSerializer._serialize_type_structure = serialize


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs each patch once its module has been imported: importing moto's EC2 and DynamoDB models up
    front would add seconds to every server's start, and a test run starts several."""

    def __init__(self, patches):
        self.patches = patches

    def find_spec(self, name, path, target=None):
        patches = self.patches.pop(name, None)
        if patches is None:
            return None
        spec = next(
            (
                found
                for finder in sys.meta_path
                if finder is not self and hasattr(finder, "find_spec")
                for found in [finder.find_spec(name, path, target)]
                if found is not None
            ),
            None,
        )
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_patch(module):
            exec_module(module)
            for patch in patches:
                patch()

        spec.loader.exec_module = exec_then_patch
        return spec


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    # Each patch after the module that holds what it replaces (a package: all its submodules are loaded).
    patches = {
        "moto.backends": [_cache_module_list],
        "moto.core.serialize": [_dynamodb_items_as_they_are],
        "moto.dynamodb.models": [_query_one_partition],
        "moto.ec2.models": [_ec2_tags_by_id, _instances_by_id_set, _image_by_id, _instance_by_walking],
        "moto.kms.models": [_kms_key_pair_on_first_use],
    }
    for name in [name for name in patches if name in sys.modules]:
        for patch in patches.pop(name):
            patch()
    sys.meta_path.insert(0, _AfterImport(patches))
