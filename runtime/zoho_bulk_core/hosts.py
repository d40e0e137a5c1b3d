"""The vendor's data centers and how a client picks its API host.

Part of the runtime kept in zoho-bulkgen (runtime/zoho_bulk_core) and copied
unchanged into every generated tree: edit it there, not here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from zoho_bulk_core import spec_data
from zoho_bulk_core.errors import ConfigurationError
from zoho_bulk_core.spec_data import Environment as Environment
from zoho_bulk_core.transport import Endpoints, check_base_url

_DOMAIN_LABEL: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


@dataclass(frozen=True)
class DataCenter:
    """A data center and its hosts (names only, no scheme) by kind: the kinds
    the spec declares (``api``, ``upload``, ``accounts``, a product's own, ...)."""

    name: str
    description: str
    hosts: Mapping[str, str]

    @property
    def accounts(self) -> str:
        """The OAuth (accounts) host."""
        return self.hosts[spec_data.ACCOUNTS_KIND]

    def host(self, kind: str) -> str:
        """The host of ``kind``; ConfigurationError when this data center has none."""
        host = self.hosts.get(kind)
        if host is None:
            raise ConfigurationError(f"data center {self.name} has no {kind} host")
        return host

    def api_host(self, kind: str, environment: Environment = "production") -> str:
        """The host serving ``kind`` APIs in ``environment``."""
        if environment == "production":
            return self.host(kind)
        stand_in = spec_data.ENVIRONMENT_KINDS.get(kind, {}).get(environment)
        if stand_in is None or stand_in not in self.hosts:
            raise ConfigurationError(
                f"data center {self.name} has no {environment} environment"
                f" for {kind} hosts"
            )
        return self.hosts[stand_in]


DATA_CENTERS: Final[Mapping[str, DataCenter]] = {
    name: DataCenter(name, description, hosts)
    for name, (description, hosts) in spec_data.DATA_CENTERS.items()
}
"""Every data center the vendor runs, by its short name."""


def find_data_center(name: str) -> DataCenter:
    """The data center called ``name`` (case-insensitive)."""
    found = DATA_CENTERS.get(name.upper())
    if found is None:
        known = ", ".join(DATA_CENTERS)
        raise ConfigurationError(f"unknown data center {name!r} (known: {known})")
    return found


@dataclass(frozen=True)
class ProductHosts:
    """Where a product's API, upload and accounts hosts are: the host kinds
    it uses, and its custom domains' URL (``{domain}`` in it), if it has them."""

    kind: str
    upload_kind: str
    custom_domain_template: str | None = None

    @property
    def follows_token_domain(self) -> bool:
        """Whether the API domain a token answer names is a host of this
        product's kind (a client may then move to it)."""
        return self.kind == spec_data.TOKEN_DOMAIN_KIND

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
                raise ConfigurationError("this product has no custom domains")
            if not _DOMAIN_LABEL.fullmatch(domain):
                raise ConfigurationError(f"invalid custom domain {domain!r}")
            api = self.custom_domain_template.replace("{domain}", domain)
        else:
            api = "https://" + center.api_host(self.kind, environment)
        return Endpoints(
            api=api,
            upload=(
                check_base_url(upload_url)
                if upload_url
                else "https://" + center.host(self.upload_kind)
            ),
            accounts=(
                check_base_url(accounts_url)
                if accounts_url
                else "https://" + center.accounts
            ),
        )
