"""Clients shared between versions (targets/python/shared_clients.py): a
version whose models and client would be an earlier version's but for its
paths subclasses that client and sends to its own paths."""

from __future__ import annotations

import dataclasses
import json

from generator.mock.server import load_normalized_spec
from generator.output.reuse import EarlierOutputs
from generator.pipeline import _models
from generator.spec.model import ProductVersion
from generator.targets.python.packages import emit_packages
from generator.targets.python.shared_clients import RenderedClient, share_clients
from tests.conftest import GENERATED_DIR, SPEC_DIR


def _versions(product: str) -> list[ProductVersion]:
    spec = load_normalized_spec(SPEC_DIR)
    return list(next(p for p in spec.products if p.name == product).versions)


def _client(version: ProductVersion, text: str) -> RenderedClient:
    return RenderedClient(version, version.version.replace(".", "_"), text)


def _text(package: str, version: ProductVersion) -> str:
    module = version.version.replace(".", "_")
    return (
        f'"""Typed clients of the Bulk API {version.version}."""\n\n'
        f"from {package}.{module} import models\n\n"
        + "".join(f"X = Operation(\n    {json.dumps(op.path)},\n)\n" for op in version.operations)
    )


def test_a_version_differing_only_in_paths_and_label_shares_the_earlier_client() -> None:
    v3, v4 = (v for v in _versions("crm") if v.version in ("v3", "v4"))
    clients = [_client(v, _text("pkg", v)) for v in (v3, v4)]
    first, second = share_clients("pkg", clients, [False, True])
    assert first is None
    assert second is not None and second.home == "v3" and second.root == "v3"
    assert ("/crm/bulk/v3/read", "/crm/bulk/v4/read") in second.paths
    # Not when the models differ, nor when anything else in the text does.
    assert share_clients("pkg", clients, [False, False]) == [None, None]
    changed = [clients[0], _client(v4, _text("pkg", v4) + "# another docstring\n")]
    assert share_clients("pkg", changed, [False, True]) == [None, None]


def test_a_chain_of_shared_clients_maps_the_paths_of_the_version_defining_the_methods() -> None:
    v3, v4 = (v for v in _versions("crm") if v.version in ("v3", "v4"))
    v5 = next(v for v in _versions("crm") if v.version == "v5")
    texts = [_text("pkg", v) for v in (v3, v4, v5)]
    # v5 kept to v3's operations by name: give it v4's text with v5's label.
    five = _client(v5, texts[1].replace("v4", "v5"))
    clients = [_client(v3, texts[0]), _client(v4, texts[1]), five]
    shared = share_clients("pkg", clients, [False, True, True])
    assert shared[2] is not None and shared[2].home == "v4" and shared[2].root == "v3"
    assert dict(shared[2].paths)["/crm/bulk/v3/read"] == "/crm/bulk/v5/read"


def test_the_committed_tree_shares_exactly_where_nothing_but_the_paths_differs() -> None:
    crm = GENERATED_DIR / "python/zoho-bulk-crm/zoho_bulk_crm"
    bigin = GENERATED_DIR / "python/zoho-bulk-bigin/zoho_bulk_bigin"
    assert "from zoho_bulk_crm.v3 import client as earlier" in (crm / "v4/client.py").read_text()
    # Bigin v2's models are v1's, but its upload answers differ: its own client.
    assert "class Client(BaseClient)" in (bigin / "v2/client.py").read_text()
    assert "class Client(BaseClient)" in (crm / "v5/client.py").read_text()


def test_no_sharing_when_a_path_map_would_move_an_operation_that_stays() -> None:
    v3, v4 = (v for v in _versions("crm") if v.version in ("v3", "v4"))
    # In "v3" two operations share one path; "v4" moves only the first.
    first, second = v3.operations[1], v3.operations[2]
    v3_ops = list(v3.operations)
    v3_ops[2] = dataclasses.replace(second, path=first.path)
    v4_ops = list(v4.operations)
    v4_ops[2] = dataclasses.replace(v4.operations[2], path=first.path)
    three = dataclasses.replace(v3, operations=tuple(v3_ops))
    four = dataclasses.replace(v4, operations=tuple(v4_ops))
    clients = [_client(three, _text("pkg", three)), _client(four, _text("pkg", four))]
    assert share_clients("pkg", clients, [False, True]) == [None, None]


def test_a_version_whose_presence_rules_differ_keeps_its_own_models_and_client() -> None:
    spec = load_normalized_spec(SPEC_DIR)
    _, _, same = _models(spec, EarlierOutputs())
    assert ("crm", "v4") in same and ("crm", "v5") not in same
    crm = next(p for p in spec.products if p.name == "crm")
    v4 = next(v for v in crm.versions if v.version == "v4")
    types = list(v4.types)
    index = next(i for i, t in enumerate(types) if t.name == "BulkReadQuery")
    query = types[index]
    types[index] = dataclasses.replace(
        query, require_one_of=(query.fields[0].name, query.fields[1].name)
    )
    versions = tuple(
        dataclasses.replace(v, types=tuple(types)) if v is v4 else v for v in crm.versions
    )
    products = tuple(
        dataclasses.replace(p, versions=versions) if p is crm else p for p in spec.products
    )
    edited = dataclasses.replace(spec, products=products)
    models, _, same = _models(edited, EarlierOutputs())
    assert ("crm", "v4") not in same
    assert "class BulkReadQuery" in models[("crm", "v4")]
    files = emit_packages(edited, models, None, same)
    client = files["python/zoho-bulk-crm/zoho_bulk_crm/v4/client.py"]
    assert "class Client(BaseClient)" in client
