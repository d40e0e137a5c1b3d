"""Clients shared between versions (targets/python/shared_clients.py): a
version's client subclasses the earlier version's, sends to its own paths and
defines only the methods that read otherwise."""

from __future__ import annotations

import dataclasses
import re

from generator.mock.server import load_normalized_spec
from generator.output.reuse import EarlierOutputs
from generator.pipeline import _models
from generator.spec.model import ProductVersion
from generator.targets.python.packages import emit_packages
from generator.targets.python.shared_clients import RenderedClient, SharedClient, share_clients
from tests.conftest import GENERATED_DIR, SPEC_DIR


def _versions(product: str) -> dict[str, ProductVersion]:
    spec = load_normalized_spec(SPEC_DIR)
    return {v.version: v for v in next(p for p in spec.products if p.name == product).versions}


def _method(name: str, body: str, doc: str, *, asynchronous: bool) -> str:
    prefix = "async def" if asynchronous else "def"
    call = "await self._acall" if asynchronous else "self._call"
    return (
        f"    {prefix} {name}(self) -> Any:\n"
        f'        """{doc}"""\n'
        f"        return {call}({body})\n"
    )


def _text(module: str, docs: dict[str, str] | None = None) -> str:
    """A client module laid out as the client template lays it out, with the
    methods ``get`` (descriptor _GET, model Job), ``read`` (_READ, built on
    _GET), ``ping`` (_PING, model Pong) and ``pong`` (no descriptor)."""
    docs = {"get": "Get a job.", "read": "Read.", "ping": "Ping.", "pong": "Pong.", **(docs or {})}
    bodies = {"get": "_GET", "read": "_READ", "ping": "_PING", "pong": ""}
    descriptors = "".join(
        f'{name} = Operation(\n    "{op}",\n    "GET",\n    "/{module}/{op}",\n'
        f"    models.{model},\n    safe=True,\n)\n\n"
        for name, op, model in (("_GET", "get", "Job"), ("_PING", "ping", "Pong"))
    )
    classes = "".join(
        f'\nclass {cls}(Base{cls}):\n    """The {cls}."""\n\n'
        + "\n".join(
            _method(name, bodies[name], docs[name], asynchronous=cls == "AsyncClient")
            for name in bodies
        )
        + "\n"
        for cls in ("Client", "AsyncClient")
    )
    return (
        f'"""Typed clients of {module}."""\n\nfrom __future__ import annotations\n\n'
        "from typing import Any\n\nfrom zoho_bulk_core.client import Operation\n\n"
        f"from pkg.{module} import models\n\n"
        f"{descriptors}_READ = _GET.reading()\n\n{classes}"
    )


def _version(module: str) -> ProductVersion:
    """A CRM version whose operations are the ``get`` and ``ping`` of _text,
    at ``/{module}/get`` and ``/{module}/ping``."""
    version = _versions("crm")[module]
    first, second = version.operations[:2]
    return dataclasses.replace(
        version,
        operations=(
            dataclasses.replace(first, name="get", path=f"/{module}/get"),
            dataclasses.replace(second, name="ping", path=f"/{module}/ping"),
        ),
    )


def _pair(
    v4_docs: dict[str, str] | None = None, v4_homes: dict[str, str] | None = None
) -> list[RenderedClient]:
    homes = {"Job": "v3", "Pong": "v3"}
    return [
        RenderedClient(_version("v3"), "v3", _text("v3"), homes),
        RenderedClient(_version("v4"), "v4", _text("v4", v4_docs), {**homes, **(v4_homes or {})}),
    ]


def _v4_edited(old: str, new: str) -> SharedClient | None:
    """What v4 of _pair shares once ``old`` in its text reads ``new``."""
    earlier, later = _pair()
    edited = later.text.replace(old, new)
    assert edited != later.text, old
    return share_clients("pkg", [earlier, dataclasses.replace(later, text=edited)])[1]


def test_a_version_inherits_the_methods_that_read_the_same_and_its_own_paths() -> None:
    first, second = share_clients("pkg", _pair({"pong": "Pong, otherwise."}))
    assert first is None and second is not None
    assert second.home == "v3" and second.home_version == "v3"
    assert second.own == ("pong",)
    # Its async twin is its own too, so its "See Client.pong" names the Client beside it.
    assert [m.split("(")[0].strip() for m in second.methods["Client"]] == ["def pong"]
    assert [m.split("(")[0].strip() for m in second.methods["AsyncClient"]] == ["async def pong"]
    # Descriptors differing only in their path are the earlier version's.
    assert second.descriptors == ()
    assert dict(second.paths) == {"get": "/v4/get", "ping": "/v4/ping"}
    assert "from pkg.v3 import client as earlier" in second.imports


def test_a_method_naming_a_model_defined_anew_is_defined_again_and_so_is_read() -> None:
    first, second = share_clients("pkg", _pair(v4_homes={"Job": "v4"}))
    assert second is not None
    # _GET answers in v4's own Job; _READ, built on _GET, is written again too.
    assert second.own == ("get", "read")
    assert [d.split(" =")[0] for d in second.descriptors] == ["_GET", "_READ"]
    assert "models.Job" in second.descriptors[0]
    # _PING, which the v4 module needs no more, is not imported.
    assert "_PING" not in second.imports


def test_an_inherited_descriptor_an_own_method_uses_is_imported_from_its_home() -> None:
    _, second = share_clients("pkg", _pair({"ping": "Ping, otherwise."}))
    assert second is not None and second.own == ("ping",)
    assert "from pkg.v3.client import _PING\n" in second.imports


def test_a_version_sharing_less_than_half_of_its_methods_keeps_its_own_client() -> None:
    assert share_clients("pkg", _pair(v4_homes={"Job": "v4", "Pong": "v4"})) == [None, None]
    changed = {"get": "x", "read": "y", "ping": "z"}
    assert share_clients("pkg", _pair(changed)) == [None, None]


def test_a_version_lacking_a_method_of_the_earlier_one_keeps_its_own_client() -> None:
    clients = _pair()
    fewer = (
        clients[1]
        .text.replace(_method("pong", "", "Pong.", asynchronous=False) + "\n", "")
        .replace(_method("pong", "", "Pong.", asynchronous=True) + "\n", "")
    )
    assert fewer != clients[1].text
    shrunk = dataclasses.replace(clients[1], text=fewer)
    assert share_clients("pkg", [clients[0], shrunk]) == [None, None]
    # An unknown layout shares nothing either.
    odd = dataclasses.replace(clients[1], text=clients[1].text + "\nprint('x')\n")
    assert share_clients("pkg", [clients[0], odd]) == [None, None]


def test_a_chain_inherits_through_the_middle_version() -> None:
    homes = {"Job": "v3", "Pong": "v3"}
    clients = [
        RenderedClient(_version(v), v, _text(v, {"pong": f"Pong in {v}."}), homes)
        for v in ("v3", "v4", "v5")
    ]
    shared = share_clients("pkg", clients)
    assert shared[0] is None
    assert shared[1] is not None and shared[2] is not None
    assert shared[2].home == "v4" and shared[2].own == ("pong",)


_SHARES = re.compile(r"^from (zoho_bulk_\w+)\.(\w+) import client as earlier$", re.MULTILINE)


def _home(product: str, module: str) -> str | None:
    text = GENERATED_DIR / f"python/zoho-bulk-{product}/zoho_bulk_{product}/{module}/client.py"
    found = _SHARES.search(text.read_text())
    return found[2] if found else None


def test_the_committed_tree_shares_where_most_methods_read_the_same() -> None:
    assert _home("bigin", "v2") == "v1"
    assert [_home("crm", v) for v in ("v2", "v2_1", "v3", "v4", "v5", "v6", "v7", "v8")] == [
        None,
        None,
        "v2_1",
        "v3",
        None,
        "v5",
        "v6",
        None,
    ]


def test_every_shared_client_maps_every_operation_to_its_versions_path() -> None:
    spec = load_normalized_spec(SPEC_DIR)
    for product in spec.products:
        for version in product.versions:
            module = version.version.replace(".", "_")
            path = f"python/zoho-bulk-{product.name}/zoho_bulk_{product.name}/{module}/client.py"
            text = (GENERATED_DIR / path).read_text()
            if "client as earlier" not in text:
                continue
            for op in version.operations:
                if op.path is not None:
                    assert f'        "{op.name}": "{op.path}",\n' in text, (path, op.name)


def test_a_version_whose_presence_rules_differ_defines_the_methods_naming_its_models() -> None:
    spec = load_normalized_spec(SPEC_DIR)
    _, _, homes = _models(spec, EarlierOutputs())
    assert homes[("crm", "v4")]["BulkReadQuery"] != "v4"
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
    models, _, homes = _models(edited, EarlierOutputs())
    own = {name for name, home in homes[("crm", "v4")].items() if home == "v4"}
    assert "BulkReadQuery" in own
    assert "class BulkReadQuery" in models[("crm", "v4")]
    path = "python/zoho-bulk-crm/zoho_bulk_crm/v4/client.py"
    client = emit_packages(edited, models, None, homes)[path]
    # Whatever it shares, no inherited method answers in an earlier
    # BulkReadQuery: each model of v4's own that its whole client names (as
    # rendered before sharing) is named in its module.
    whole = emit_packages(edited, models)[path]
    named = set(re.findall(r"models\.(\w+)", whole)) & own
    assert named, "the edit changes no model the client names"
    for name in named:
        assert f"models.{name}" in client, name


def test_only_a_version_whose_own_methods_retype_them_turns_off_mypys_override_check() -> None:
    _, docs_only = share_clients("pkg", _pair({"pong": "Pong, otherwise."}))
    assert docs_only is not None and not docs_only.retypes
    shared = _v4_edited("    def pong(self) -> Any:", "    def pong(self) -> models.Job:")
    assert shared is not None and shared.own == ("pong",) and shared.retypes
    flag = '# mypy: disable-error-code="override"'
    root = GENERATED_DIR / "python"
    six = (root / "zoho-bulk-crm/zoho_bulk_crm/v6/client.py").read_text()
    assert flag in six
    # The class docstring says so, in a paragraph of its own before the errors.
    assert "answer v6's models.\n\n    Takes what" in six
    assert flag not in (root / "zoho-bulk-crm/zoho_bulk_crm/v4/client.py").read_text()
    assert flag not in (root / "zoho-bulk-bigin/zoho_bulk_bigin/v2/client.py").read_text()


def test_a_method_new_in_the_later_version_is_its_own_and_retypes_nothing() -> None:
    extra = _method("extra", "", "New here.", asynchronous=False)
    head = '    """The Client."""\n\n'
    shared = _v4_edited(head, head + extra + "\n")
    assert shared is not None and shared.own == ("extra",) and not shared.retypes


def test_descriptors_differing_in_more_than_their_path_line_are_written_again() -> None:
    # The method on the path's line: dropping "the fourth line" would hide it.
    shared = _v4_edited('    "GET",\n    "/v4/get",\n', '    "/v4/get",\n    "POST",\n')
    assert shared is not None
    assert [d.split(" =")[0] for d in shared.descriptors] == ["_GET", "_READ"]
    assert shared.own == ("get", "read")


def test_layouts_the_line_reading_does_not_know_keep_a_whole_client() -> None:
    clients = _pair()
    text = clients[1].text
    variants = {
        "a decorated method": text.replace(
            "    def pong(self)", "    @staticmethod_like\n    def pong(self)", 1
        ),
        "a class attribute of its own": text.replace(
            '    """The Client."""\n', '    """The Client."""\n\n    _flavour = "v4"\n', 1
        ),
        "a statement among the imports": text.replace(
            "from pkg.v4 import models\n", "from pkg.v4 import models\n\nlimit = 4\n", 1
        ),
        "models imported by name": text.replace(
            "from pkg.v4 import models\n",
            "from pkg.v4 import models\nfrom pkg.v4.models import Job\n",
            1,
        ),
    }
    for what, variant in variants.items():
        assert variant != text, what
        odd = dataclasses.replace(clients[1], text=variant)
        assert share_clients("pkg", [clients[0], odd]) == [None, None], what


def test_a_bracketed_import_of_the_package_is_left_out_whole() -> None:
    shared = _v4_edited(
        "from pkg.v4 import models\n",
        "from pkg.v4 import models\nfrom pkg.helpers import (\n    first,\n    second,\n)\n",
    )
    assert shared is not None
    assert "first" not in shared.imports and "    second,\n" not in shared.imports
    assert ")" not in shared.imports


def test_the_shared_class_docstring_keeps_how_a_client_is_made() -> None:
    root = GENERATED_DIR / "python"
    for path in (
        "zoho-bulk-crm/zoho_bulk_crm/v7/client.py",
        "zoho-bulk-bigin/zoho_bulk_bigin/v2/client.py",
    ):
        text = (root / path).read_text()
        assert "Takes what zoho_bulk_core.client.BaseClient takes" in text, path
    assert (
        "https://{domain}.zohoplatform.com."
        in (root / "zoho-bulk-crm/zoho_bulk_crm/v7/client.py").read_text()
    )


def test_a_method_naming_a_model_of_another_home_is_its_own_even_without_descriptor() -> None:
    clients = _pair(v4_homes={"Pong": "v4"})
    texts = [
        c.text.replace("def pong(self) -> Any:", "def pong(self) -> models.Pong:") for c in clients
    ]
    shared = share_clients(
        "pkg", [dataclasses.replace(c, text=t) for c, t in zip(clients, texts, strict=True)]
    )[1]
    assert shared is not None and shared.own == ("ping", "pong")


def test_a_sync_method_of_its_own_takes_its_async_twin_along() -> None:
    shared = _v4_edited(
        '    def pong(self) -> Any:\n        """Pong."""',
        '    def pong(self) -> Any:\n        """Pong, synchronously."""',
    )
    assert shared is not None and shared.own == ("pong",)
    assert len(shared.methods["Client"]) == len(shared.methods["AsyncClient"]) == 1


def test_a_descriptor_differing_after_its_path_is_written_again() -> None:
    shared = _v4_edited(
        '    "/v4/get",\n    models.Job,\n    safe=True,\n', '    "/v4/get",\n    models.Job,\n'
    )
    assert shared is not None and shared.own == ("get", "read")


def test_an_inherited_descriptor_is_imported_from_the_version_that_defines_it() -> None:
    homes = {"Job": "v3", "Pong": "v3"}
    docs = {
        "v3": {},
        "v4": {"pong": "Pong in v4."},
        "v5": {"pong": "Pong in v4.", "ping": "Ping in v5."},
    }
    clients = [RenderedClient(_version(v), v, _text(v, docs[v]), homes) for v in ("v3", "v4", "v5")]
    shared = share_clients("pkg", clients)
    assert shared[2] is not None and shared[2].own == ("ping",)
    # v4 inherits _PING from v3; v5's own ping imports it from where it is defined.
    assert "from pkg.v3.client import _PING\n" in shared[2].imports
