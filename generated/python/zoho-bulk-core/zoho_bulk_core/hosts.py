"""The vendor's data centers and how a client picks its API host.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from zoho_bulk_core import spec_data
from zoho_bulk_core.transport import Endpoints, check_base_url

_DOMAIN_LABEL: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")

Environment = Literal["production", "sandbox", "developer"]
HostKind = Literal["api", "recruit"]
UploadKind = Literal["upload", "recruit_upload"]


@dataclass(frozen=True)
class DataCenter:
    """A data center and its hosts (names only, no scheme)."""

    name: str
    description: str
    api: str
    accounts: str
    upload: str
    sandbox: str | None
    developer: str | None
    recruit: str | None
    recruit_upload: str | None

    def api_host(
        self, kind: HostKind = "api", environment: Environment = "production"
    ) -> str:
        """The host serving ``kind`` APIs in ``environment``."""
        if kind == "recruit":
            if self.recruit is None:
                raise ValueError(
                    f"Zoho Recruit is not served from data center {self.name}"
                )
            return self.recruit
        if environment == "production":
            return self.api
        host = self.sandbox if environment == "sandbox" else self.developer
        if host is None:
            raise ValueError(
                f"data center {self.name} has no {environment} environment"
            )
        return host


def _data_center(name: str, description: str, hosts: Mapping[str, str]) -> DataCenter:
    return DataCenter(
        name=name,
        description=description,
        api=hosts["api"],
        accounts=hosts["accounts"],
        upload=hosts["upload"],
        sandbox=hosts.get("sandbox"),
        developer=hosts.get("developer"),
        recruit=hosts.get("recruit"),
        recruit_upload=hosts.get("recruit_upload"),
    )


DATA_CENTERS: Final[Mapping[str, DataCenter]] = {
    name: _data_center(name, description, hosts)
    for name, (description, hosts) in spec_data.DATA_CENTERS.items()
}
"""Every data center the vendor runs, by its short name."""


def find_data_center(name: str) -> DataCenter:
    """The data center called ``name`` (case-insensitive)."""
    found = DATA_CENTERS.get(name.upper())
    if found is None:
        known = ", ".join(DATA_CENTERS)
        raise ValueError(f"unknown data center {name!r} (known: {known})")
    return found


@dataclass(frozen=True)
class ProductHosts:
    """Where a product's API, upload and accounts hosts are."""

    kind: HostKind
    upload_kind: UploadKind
    custom_domain_template: str | None = None

    def endpoints(
        self,
        *,
        data_center: str = "US",
        environment: Environment = "production",
        domain: str | None = None,
        base_url: str | None = None,
        accounts_url: str | None = None,
        upload_url: str | None = None,
    ) -> Endpoints:
        """The base URLs a client uses.

        An explicit ``base_url`` serves all three hosts unless ``accounts_url``
        or ``upload_url`` say otherwise; else a custom ``domain`` (where the
        product has them) replaces the API host; else the data center's hosts
        for ``environment`` are used.
        """
        center = find_data_center(data_center)
        if base_url is not None:
            api = check_base_url(base_url)
            return Endpoints(
                api=api,
                upload=check_base_url(upload_url) if upload_url else api,
                accounts=check_base_url(accounts_url) if accounts_url else api,
            )
        if domain is not None:
            if self.custom_domain_template is None:
                raise ValueError("this product has no custom domains")
            if not _DOMAIN_LABEL.fullmatch(domain):
                raise ValueError(f"invalid custom domain {domain!r}")
            api = self.custom_domain_template.replace("{domain}", domain)
        else:
            api = "https://" + center.api_host(self.kind, environment)
        upload_host = (
            center.recruit_upload
            if self.upload_kind == "recruit_upload"
            else center.upload
        )
        if upload_host is None:
            raise ValueError(
                f"data center {center.name} has no upload host for this product"
            )
        return Endpoints(
            api=api,
            upload=(
                check_base_url(upload_url) if upload_url else "https://" + upload_host
            ),
            accounts=(
                check_base_url(accounts_url)
                if accounts_url
                else "https://" + center.accounts
            ),
        )
