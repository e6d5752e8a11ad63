"""Who a recipient is to the district: ``internal``, ``third_party``, ``personal``, or anyone with a link.

Internal means the organization's domains and their subdomains (``[organization] internal_domains``);
personal means a consumer mail service (:data:`PERSONAL_DOMAINS` and ``personal_domains``); everything
else is a third party. An address is judged by every host its mail passes, not only its domain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

INTERNAL, THIRD_PARTY, PERSONAL = "internal", "third_party", "personal"
# Not an address: an item anyone holding its link can open (a scan's ``anyone_with_link`` exposure).
PUBLIC = "public"

# Consumer mail services: mail there is a person's own, outside any agreement with the district.
PERSONAL_DOMAINS: frozenset[str] = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "rocketmail.com", "yahoo.co.uk", "outlook.com",
    "hotmail.com", "live.com", "msn.com", "passport.com", "icloud.com", "me.com", "mac.com", "aol.com", "aim.com",
    "proton.me", "protonmail.com", "pm.me", "comcast.net", "verizon.net", "att.net", "sbcglobal.net",
    "bellsouth.net", "charter.net", "cox.net", "earthlink.net", "optonline.net", "frontier.com", "juno.com",
    "netzero.net", "gmx.com", "gmx.net", "mail.com", "zoho.com", "yandex.com", "tutanota.com", "tuta.io",
    "fastmail.com", "hushmail.com", "mail.ru", "qq.com", "163.com", "rcn.com",
})


@dataclass(frozen=True, slots=True)
class Recipient:
    """One recipient of the transfer and what kind of party it is."""

    address: str
    kind: str  # internal | third_party | personal (| public, at scan time)
    # Where the address really delivers, when it routes on (``ops%vendor.example@district``): kind is of that.
    routes_to: str | None = None


def destination(address: str) -> tuple[str, tuple[str, ...]]:
    """Where mail to ``address`` finally goes, and every host it passes on the way (the address's own first).

    Mail servers still honour old routing forms that an address's domain alone hides:
    ``user%host@relay`` (the percent hack), ``host!user@relay`` (a UUCP bang path), a quoted local part
    that holds another address (``"user@host"@relay``) and a source route (``@a,@b:user@host``). Postfix
    rewrites the first two by default (``allow_percent_hack``, ``swap_bangpath``) and delivers outside.
    """
    text = address.strip().strip("<>").strip().lower()
    hosts: list[str] = []
    if text.startswith("@") and ":" in text:  # source route: every @host before the colon is a hop
        route, _, text = text.partition(":")
        hosts += [h.strip().lstrip("@").rstrip(".") for h in route.split(",") if h.strip().lstrip("@")]
    for _ in range(32):  # each turn peels one routing layer; a hostile address gets no more than this
        local, at, domain = text.rpartition("@")
        if not at:
            return text, tuple(hosts)
        domain = domain.strip().rstrip(".")
        hosts.append(domain)
        if len(local) >= 2 and local[0] == local[-1] == '"':
            local = local[1:-1].replace('\\"', '"')
        if "@" in local:
            text = local
        elif "%" in local:
            user, _, host = local.rpartition("%")
            text = f"{user}@{host}"
        elif "!" in local:
            host, _, user = local.partition("!")
            text = f"{user}@{host}"
        else:
            return f"{local}@{domain}", tuple(hosts)
    return text, tuple(hosts)


def domain_kind(domain: str, internal: Sequence[str], personal: Iterable[str]) -> str:
    """``internal`` (an organization domain or subdomain), ``personal`` (consumer mail) or ``third_party``."""
    domain = domain.strip().lower().rstrip(".")
    if not domain:
        return THIRD_PARTY  # no domain to vouch for it: treated as outside
    if any(domain == d or domain.endswith("." + d) for d in internal):
        return INTERNAL
    if domain in personal:
        return PERSONAL
    return THIRD_PARTY


_RANK = {INTERNAL: 0, THIRD_PARTY: 1, PERSONAL: 2}


def recipient_kind(address: str, internal: Sequence[str], personal: Iterable[str]) -> str:
    """The kind of party mail to ``address`` reaches: the most outside of every host on its way.

    An internal-looking address that routes outside (``ops%vendor.example@district``) is outside; a route
    that touches a personal mail service is ``personal``.
    """
    final, hosts = destination(address)
    if "@" not in final or not hosts:
        return THIRD_PARTY  # no domain to vouch for it: treated as outside
    return max((domain_kind(h, internal, personal) for h in hosts), key=_RANK.__getitem__)


def authorized_address(r: Recipient, internal: Sequence[str]) -> str:
    """The address an authorization must cover: where a routed address ends, if it passes nowhere else outside.

    ``ops%vendor.example@district`` is mail to ``ops@vendor.example``, which a DPA with the vendor covers;
    a route through yet another outside host is matched as written (and so covered by nothing).
    """
    if r.routes_to is None:
        return r.address
    _, hosts = destination(r.address)
    final_host = r.routes_to.rpartition("@")[2]
    others = [h for h in hosts if h != final_host and domain_kind(h, internal, ()) != INTERNAL]
    return r.address if others else r.routes_to
