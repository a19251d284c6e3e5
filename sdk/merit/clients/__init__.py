"""Clients of a deployed badge series: the issuer's campaign steps (`merit.clients.issuer`), the
integrator's views for an app (`merit.clients.integrator`) and the auditor's checks
(`merit.clients.auditor`). All of them need an active ape network connection.
"""

from merit.clients.auditor import (
    AuditResult,
    Discrepancy,
    DiscrepancyKind,
    RoundAudit,
    audit_round,
    audit_series,
)
from merit.clients.integrator import (
    ClaimTransaction,
    DrawResult,
    HolderBadge,
    IntegratorClient,
    UriResolver,
)

__all__ = [
    "AuditResult",
    "ClaimTransaction",
    "Discrepancy",
    "DiscrepancyKind",
    "DrawResult",
    "HolderBadge",
    "IntegratorClient",
    "RoundAudit",
    "UriResolver",
    "audit_round",
    "audit_series",
]
