"""Every privileged function rejects every account without its role; admin handover."""

import ape
import pytest

pytestmark = pytest.mark.chain

ADMIN_TRANSFER_DELAY = 3 * 24 * 3600
ROLE_OF = {
    "createEdition": "ISSUER_ROLE",
    "updateEditionMetadata": "ISSUER_ROLE",
    "freezeEditionMetadata": "ISSUER_ROLE",
    "issue": "ISSUER_ROLE",
    "issueBatch": "ISSUER_ROLE",
    "revoke": "ISSUER_ROLE",
    "setContractURI": "ISSUER_ROLE",
    "reserveSerials": "MINTER_ROLE",
    "mintDrawn": "MINTER_ROLE",
    "mintDrawnBatch": "MINTER_ROLE",
    "proposeRecovery": "RECOVERY_ROLE",
    "cancelRecovery": "RECOVERY_ROLE",
    "pause": "PAUSER_ROLE",
    "unpause": "PAUSER_ROLE",
    "setRecoveryDelay": "DEFAULT_ADMIN_ROLE",
}
ACCOUNT_ROLES = {
    "admin": "DEFAULT_ADMIN_ROLE",
    "issuer": "ISSUER_ROLE",
    "minter": "MINTER_ROLE",
    "recoverer": "RECOVERY_ROLE",
    "pauser": "PAUSER_ROLE",
    "stranger": None,
}


def arguments(function: str, edition_config, learners) -> tuple:
    holder = learners[0]
    return {
        "createEdition": (edition_config(),),
        "updateEditionMetadata": (0, "ipfs://x", b"\x01" * 32, b"\x02" * 32),
        "freezeEditionMetadata": (0,),
        "issue": (0, holder),
        "issueBatch": (0, [holder]),
        "revoke": (0, 1),
        "setContractURI": ("ipfs://x",),
        "reserveSerials": (0, 1),
        "mintDrawn": (0, holder, 1),
        "mintDrawnBatch": (0, [holder], [1]),
        "proposeRecovery": (holder, learners[1]),
        "cancelRecovery": (holder,),
        "pause": (),
        "unpause": (),
        "setRecoveryDelay": (3600,),
    }[function]


CASES = [
    (function, account)
    for function, role in ROLE_OF.items()
    for account, held in ACCOUNT_ROLES.items()
    if held != role
]


@pytest.mark.parametrize(("function", "account_name"), CASES)
def test_privileged_function_rejects_other_roles(series, request, edition_config, learners, function, account_name):
    account = request.getfixturevalue(account_name)
    role = getattr(series, ROLE_OF[function])()
    with ape.reverts(series.AccessControlUnauthorizedAccount, account=account, neededRole=role):
        getattr(series, function)(*arguments(function, edition_config, learners), sender=account)


def test_role_constants(series):
    from eth_utils import keccak

    for name in ("ISSUER_ROLE", "MINTER_ROLE", "RECOVERY_ROLE", "PAUSER_ROLE"):
        assert getattr(series, name)() == keccak(text=name)


def test_admin_handover_takes_two_steps_and_delay(series, admin, stranger, chain):
    series.beginDefaultAdminTransfer(stranger, sender=admin)
    pending, schedule = series.pendingDefaultAdmin()
    assert pending == stranger

    with ape.reverts(series.AccessControlEnforcedDefaultAdminDelay, schedule=schedule):
        series.acceptDefaultAdminTransfer(sender=stranger)

    chain.pending_timestamp = schedule + 1
    with ape.reverts(series.AccessControlInvalidDefaultAdmin, defaultAdmin=admin):
        series.acceptDefaultAdminTransfer(sender=admin)
    series.acceptDefaultAdminTransfer(sender=stranger)

    assert series.defaultAdmin() == stranger
    assert series.hasRole(series.DEFAULT_ADMIN_ROLE(), admin) is False
    assert series.defaultAdminDelay() == ADMIN_TRANSFER_DELAY


def test_admin_grants_roles(series, admin, stranger):
    role = series.ISSUER_ROLE()
    series.grantRole(role, stranger, sender=admin)
    assert series.hasRole(role, stranger) is True
    series.revokeRole(role, stranger, sender=admin)
    assert series.hasRole(role, stranger) is False
